package dev.samboot.autoconfigure.health;

import java.util.List;
import java.util.Set;

import org.springframework.boot.health.actuate.endpoint.AdditionalHealthEndpointPath;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroup;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.health.actuate.endpoint.HttpCodeStatusMapper;
import org.springframework.boot.health.actuate.endpoint.StatusAggregator;
import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.web.AdditionalPathsMapper;
import org.springframework.boot.actuate.endpoint.web.WebServerNamespace;

/**
 * Adds {@link DeadlockHealthIndicator} to Actuator's {@code liveness} group, whatever
 * else the application puts there, so that {@code /actuator/health/liveness} (and a
 * kubelet's liveness probe) reports what samboot checks. Registered after Actuator's own
 * probe groups are created: the group is looked up when it is asked for. The additional
 * paths ({@code /livez}) stay as Actuator maps them.
 */
class LivenessDeadlocksPostProcessor implements HealthEndpointGroupsPostProcessor {

	@Override
	public HealthEndpointGroups postProcessHealthEndpointGroups(HealthEndpointGroups groups) {
		return new LivenessWithDeadlocks(groups);
	}

	private static final class LivenessWithDeadlocks implements HealthEndpointGroups, AdditionalPathsMapper {

		private final HealthEndpointGroups groups;

		LivenessWithDeadlocks(HealthEndpointGroups groups) {
			this.groups = groups;
		}

		@Override
		public HealthEndpointGroup getPrimary() {
			return this.groups.getPrimary();
		}

		@Override
		public Set<String> getNames() {
			return this.groups.getNames();
		}

		@Override
		public HealthEndpointGroup get(String name) {
			HealthEndpointGroup group = this.groups.get(name);
			return (group != null && HealthGroup.LIVENESS.equals(name)) ? withDeadlocks(group) : group;
		}

		@Override
		public List<String> getAdditionalPaths(EndpointId endpointId, WebServerNamespace webServerNamespace) {
			return (this.groups instanceof AdditionalPathsMapper mapper)
					? mapper.getAdditionalPaths(endpointId, webServerNamespace) : null;
		}

	}

	private static HealthEndpointGroup withDeadlocks(HealthEndpointGroup group) {
		return new HealthEndpointGroup() {

			@Override
			public boolean isMember(String name) {
				return DeadlockHealthIndicator.NAME.equals(name) || group.isMember(name);
			}

			@Override
			public boolean showComponents(SecurityContext securityContext) {
				return group.showComponents(securityContext);
			}

			@Override
			public boolean showDetails(SecurityContext securityContext) {
				return group.showDetails(securityContext);
			}

			@Override
			public StatusAggregator getStatusAggregator() {
				return group.getStatusAggregator();
			}

			@Override
			public HttpCodeStatusMapper getHttpCodeStatusMapper() {
				return group.getHttpCodeStatusMapper();
			}

			@Override
			public AdditionalHealthEndpointPath getAdditionalPath() {
				return group.getAdditionalPath();
			}

		};
	}

}
