package dev.samboot.autoconfigure.health;

import java.util.List;
import java.util.concurrent.Callable;

import dev.samboot.autoconfigure.InvalidSamPropertyException;
import dev.samboot.autoconfigure.SamAutoConfiguration;
import dev.samboot.autoconfigure.SamSettings;
import dev.samboot.autoconfigure.cpg.CpgHealthIndicator;
import dev.samboot.autoconfigure.health.ActuatorHealthCheck.HealthSnapshot;
import dev.samboot.sam.Sam;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.health.contributor.HealthContributors;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.boot.health.registry.ReactiveHealthContributorRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of libsam's event-driven health check. By default it is Spring
 * Boot's {@code liveness} health group ({@code livenessState}, samboot's
 * {@code deadlocks}, {@code cpg} with a CPG group, and whatever the application
 * includes), because a restart cures only what is wrong inside the process; a database or
 * broker that is away must not restart the application. {@code sam.health.group} names
 * another group, {@code *} every indicator. Health is read from Actuator's contributor
 * registry, whatever endpoints are exposed. Without a liveness group (probes switched
 * off) or without Actuator, the check is the application's {@code LivenessState}, and the
 * log says so.
 */
@AutoConfiguration(after = SamAutoConfiguration.class,
		afterName = {
				"org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration",
				"org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration",
				"org.springframework.boot.health.autoconfigure.actuate.endpoint.AvailabilityProbesAutoConfiguration",
				"org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration" })
@ConditionalOnBooleanProperty(name = { "sam.enabled", "sam.health.enabled" }, matchIfMissing = true)
public class SamHealthCheckAutoConfiguration {

	private static final Log logger = LogFactory.getLog(SamHealthCheckAutoConfiguration.class);

	/** Actuator's health is on the class path: check a health group. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(HealthContributorRegistry.class)
	static class HealthGroupConfiguration {

		@Bean
		@ConditionalOnMissingBean
		@ConditionalOnBean(Sam.class)
		ActuatorHealthCheck samHealthCheck(ObjectProvider<HealthContributorRegistry> registry,
				ObjectProvider<ReactiveHealthContributorRegistry> reactiveRegistry,
				ObjectProvider<HealthEndpointGroups> groups, ObjectProvider<ApplicationAvailability> availability,
				ObjectProvider<CpgHealthIndicator> cpg, Environment environment, SamSettings settings) {
			String name = settings.properties().health().group();
			HealthContributors contributors = contributors(registry.getIfAvailable(),
					reactiveRegistry.getIfAvailable());
			if (contributors == null) {
				logger.warn("Actuator's health contributor registry is not in the context: the health check is "
						+ LivenessStateSnapshots.DESCRIPTION + " only");
				return livenessState(availability, settings);
			}
			HealthGroup group = group(name, groups.getIfAvailable(), environment, settings,
					cpg.getIfAvailable() != null);
			HealthContributorSnapshots snapshots = (group != null) ? new HealthContributorSnapshots(contributors, group)
					: null;
			List<String> members = (snapshots != null) ? snapshots.members() : List.of();
			if (members.isEmpty()) {
				if (name != null && !HealthGroup.LIVENESS.equals(name)) {
					throw new InvalidSamPropertyException("sam.health.group", name,
							"a health group with at least one health indicator; this one has none", null);
				}
				logger.info("There is no liveness health group (management.endpoint.health.probes.enabled=false): "
						+ "the health check is " + LivenessStateSnapshots.DESCRIPTION);
				return livenessState(availability, settings);
			}
			logger.info("The health check is " + group.description()
					+ ((group.name() != null) ? ": " + String.join(", ", members) : ""));
			Callable<HealthSnapshot> check = snapshots;
			ApplicationAvailability applicationAvailability = availability.getIfAvailable();
			if (applicationAvailability != null) {
				check = LivenessStateSnapshots.unlessBroken(applicationAvailability, snapshots);
			}
			return new ActuatorHealthCheck(check, settings.healthTimeout(), group.description());
		}

		private static HealthContributors contributors(HealthContributorRegistry registry,
				ReactiveHealthContributorRegistry reactiveRegistry) {
			if (registry == null) {
				return null;
			}
			return (reactiveRegistry != null) ? HealthContributors.of(registry, reactiveRegistry.asHealthContributors())
					: registry;
		}

		private static HealthGroup group(String name, HealthEndpointGroups groups, Environment environment,
				SamSettings settings, boolean cpg) {
			if (HealthGroup.ALL.equals(name)) {
				return HealthGroup.all(environment);
			}
			String wanted = (name != null) ? name : HealthGroup.LIVENESS;
			HealthGroup group = HealthGroup.find(wanted, groups, environment);
			if (group == null && name != null && !HealthGroup.LIVENESS.equals(name)) {
				throw new InvalidSamPropertyException("sam.health.group", name,
						"the name of a health group defined under management.endpoint.health.group, or * for every "
								+ "health indicator; defined are " + HealthGroup.names(groups, environment),
						null);
			}
			// without Actuator's groups (endpoint not exposed) samboot adds its deadlock
			// and CPG checks itself
			if (group != null && groups == null && HealthGroup.LIVENESS.equals(wanted)) {
				if (settings.properties().health().deadlocks().enabled()) {
					group = group.including(DeadlockHealthIndicator.NAME);
				}
				if (cpg) {
					group = group.including(CpgHealthIndicator.NAME);
				}
			}
			return group;
		}

	}

	/** Without Actuator's health: the application's LivenessState, said once at WARN. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnMissingClass("org.springframework.boot.health.registry.HealthContributorRegistry")
	static class LivenessStateConfiguration {

		@Bean
		@ConditionalOnMissingBean
		@ConditionalOnBean(Sam.class)
		ActuatorHealthCheck samHealthCheck(ObjectProvider<ApplicationAvailability> availability, SamSettings settings) {
			logger.warn("Actuator is not on the class path: the health check is " + LivenessStateSnapshots.DESCRIPTION
					+ " only; add org.springframework.boot:spring-boot-starter-actuator to check health indicators");
			return livenessState(availability, settings);
		}

	}

	/** The deadlock detector, in the liveness group unless switched off. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(HealthIndicator.class)
	@ConditionalOnBooleanProperty(name = "sam.health.deadlocks.enabled", matchIfMissing = true)
	static class DeadlockConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "deadlocksHealthIndicator")
		DeadlockHealthIndicator deadlocksHealthIndicator() {
			return new DeadlockHealthIndicator();
		}

		@Bean
		static HealthEndpointGroupsPostProcessor samLivenessDeadlocksPostProcessor() {
			return new LivenessMemberPostProcessor(DeadlockHealthIndicator.NAME);
		}

	}

	private static ActuatorHealthCheck livenessState(ObjectProvider<ApplicationAvailability> availability,
			SamSettings settings) {
		ApplicationAvailability applicationAvailability = availability.getIfAvailable();
		if (applicationAvailability == null) {
			logger.warn("Neither Actuator's health nor Spring Boot's ApplicationAvailability is in the context: "
					+ "heartbeats show only that this JVM runs");
			return null;
		}
		return new ActuatorHealthCheck(new LivenessStateSnapshots(applicationAvailability), settings.healthTimeout(),
				LivenessStateSnapshots.DESCRIPTION);
	}

}
