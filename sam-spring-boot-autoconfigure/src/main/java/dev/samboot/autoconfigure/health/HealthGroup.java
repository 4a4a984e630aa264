package dev.samboot.autoconfigure.health;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroup;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.actuate.endpoint.StatusAggregator;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointProperties;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorMembership;
import org.springframework.core.env.Environment;
import org.springframework.util.CollectionUtils;

/**
 * The health indicators samboot checks and how their statuses add up: a health group as
 * Actuator defines it, or every indicator.
 *
 * <p>
 * The group is taken from Actuator's {@link HealthEndpointGroups} when the health
 * endpoint exists, so that samboot checks exactly what {@code /actuator/health/<group>}
 * reports. The endpoint, and with it that bean, exists only when it is exposed over HTTP
 * or JMX; otherwise the group is read from the same properties
 * ({@code management.endpoint.health.group.<name>.*}) with Actuator's own membership
 * rules, and the {@code liveness} and {@code readiness} probe groups get their default
 * member ({@code livenessState}, {@code readinessState}) as Actuator gives them. What is
 * checked never depends on what is exposed.
 *
 * @param name the group's name, or {@code null} for every indicator
 * @param membership whether a contributor (by its path, such as {@code db} or
 * {@code db/primary}) belongs to it
 * @param aggregator how the members' statuses add up
 */
public record HealthGroup(String name, Predicate<String> membership, StatusAggregator aggregator) {

	/** The value of {@code sam.health.group} that checks every indicator. */
	public static final String ALL = "*";

	/** The group checked when {@code sam.health.group} is not set. */
	public static final String LIVENESS = "liveness";

	private static final String PROBES_ENABLED = "management.endpoint.health.probes.enabled";

	/**
	 * The groups Actuator adds when probes are on, unless the application defines them.
	 */
	private static final List<String> PROBES = List.of(LIVENESS, "readiness");

	/**
	 * Every health indicator, aggregated as the health endpoint aggregates them.
	 * @param environment the environment, for
	 * {@code management.endpoint.health.status.order}
	 * @return the group of all indicators
	 */
	public static HealthGroup all(Environment environment) {
		return new HealthGroup(null, (path) -> true,
				StatusAggregator.of(properties(environment).getStatus().getOrder()));
	}

	/**
	 * Find a health group.
	 * @param name the group's name
	 * @param groups Actuator's groups, or {@code null} when the health endpoint does not
	 * exist
	 * @param environment the environment
	 * @return the group, or {@code null} when there is no such group
	 */
	public static HealthGroup find(String name, HealthEndpointGroups groups, Environment environment) {
		if (groups != null) {
			HealthEndpointGroup group = groups.get(name);
			return (group != null) ? new HealthGroup(name, group::isMember, group.getStatusAggregator()) : null;
		}
		HealthEndpointProperties properties = properties(environment);
		StatusAggregator defaultAggregator = StatusAggregator.of(properties.getStatus().getOrder());
		HealthEndpointProperties.Group group = properties.getGroup().get(name);
		if (group != null) {
			List<String> order = group.getStatus().getOrder();
			StatusAggregator aggregator = CollectionUtils.isEmpty(order) ? defaultAggregator
					: StatusAggregator.of(order);
			HealthContributorMembership membership = HealthContributorMembership.byIncludeExclude(group.getInclude(),
					group.getExclude());
			return new HealthGroup(name, membership::isMember, aggregator);
		}
		if (probesEnabled(environment) && PROBES.contains(name)) {
			HealthContributorMembership membership = HealthContributorMembership
				.byIncludeExclude(Set.of(name + "State"), null);
			return new HealthGroup(name, membership::isMember, defaultAggregator);
		}
		return null;
	}

	/**
	 * Return the names of the groups that exist.
	 * @param groups Actuator's groups, or {@code null} when the health endpoint does not
	 * exist
	 * @param environment the environment
	 * @return the names
	 */
	public static List<String> names(HealthEndpointGroups groups, Environment environment) {
		if (groups != null) {
			return List.copyOf(groups.getNames());
		}
		List<String> names = new ArrayList<>(properties(environment).getGroup().keySet());
		if (probesEnabled(environment)) {
			for (String probe : PROBES) {
				if (!names.contains(probe)) {
					names.add(probe);
				}
			}
		}
		return names;
	}

	/**
	 * Return this group with one more member.
	 * @param path the member's path
	 * @return the group
	 */
	public HealthGroup including(String path) {
		return new HealthGroup(this.name, this.membership.or(path::equals), this.aggregator);
	}

	/**
	 * Return what this group is, for logs and {@code /actuator/sam}.
	 * @return such as {@code health group 'liveness'} or {@code all health indicators}
	 */
	public String description() {
		return (this.name != null) ? "health group '" + this.name + "'" : "all health indicators";
	}

	private static boolean probesEnabled(Environment environment) {
		return environment.getProperty(PROBES_ENABLED, Boolean.class, true);
	}

	private static HealthEndpointProperties properties(Environment environment) {
		return Binder.get(environment)
			.bind("management.endpoint.health", HealthEndpointProperties.class)
			.orElseGet(HealthEndpointProperties::new);
	}

}
