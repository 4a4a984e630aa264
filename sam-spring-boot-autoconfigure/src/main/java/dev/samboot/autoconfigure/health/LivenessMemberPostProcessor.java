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
 * Adds one of samboot's health indicators ({@link DeadlockHealthIndicator}, the CPG
 * group's) to Actuator's {@code liveness} group, whatever else the application puts
 * there, so that {@code /actuator/health/liveness} (and a kubelet's liveness probe)
 * reports what samboot checks. Registered after Actuator's own probe groups are created:
 * the group is looked up when it is asked for. The additional paths ({@code /livez}) stay
 * as Actuator maps them.
 */
public class LivenessMemberPostProcessor implements HealthEndpointGroupsPostProcessor {

	private final String member;

	/**
	 * Create a new instance.
	 * @param member the contributor's name, such as {@code deadlocks}
	 */
	public LivenessMemberPostProcessor(String member) {
		this.member = member;
	}

	@Override
	public HealthEndpointGroups postProcessHealthEndpointGroups(HealthEndpointGroups groups) {
		return new LivenessWithMember(groups, this.member);
	}

	private static final class LivenessWithMember implements HealthEndpointGroups, AdditionalPathsMapper {

		private final HealthEndpointGroups groups;

		private final String member;

		LivenessWithMember(HealthEndpointGroups groups, String member) {
			this.groups = groups;
			this.member = member;
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
			return (group != null && HealthGroup.LIVENESS.equals(name)) ? withMember(group, this.member) : group;
		}

		@Override
		public List<String> getAdditionalPaths(EndpointId endpointId, WebServerNamespace webServerNamespace) {
			return (this.groups instanceof AdditionalPathsMapper mapper)
					? mapper.getAdditionalPaths(endpointId, webServerNamespace) : null;
		}

	}

	private static HealthEndpointGroup withMember(HealthEndpointGroup group, String member) {
		return new HealthEndpointGroup() {

			@Override
			public boolean isMember(String name) {
				return member.equals(name) || group.isMember(name);
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
