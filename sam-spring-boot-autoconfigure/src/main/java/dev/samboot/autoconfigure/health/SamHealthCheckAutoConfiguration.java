package dev.samboot.autoconfigure.health;

import dev.samboot.autoconfigure.InvalidSamPropertyException;
import dev.samboot.autoconfigure.SamAutoConfiguration;
import dev.samboot.autoconfigure.SamSettings;
import dev.samboot.sam.Sam;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of Actuator's health as libsam's event-driven health check: all health
 * indicators, or the group named by {@code sam.health.group}.
 */
@AutoConfiguration(after = SamAutoConfiguration.class,
		afterName = "org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration")
@ConditionalOnClass(HealthEndpoint.class)
@ConditionalOnBooleanProperty(name = { "sam.enabled", "sam.health.enabled" }, matchIfMissing = true)
public class SamHealthCheckAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean({ Sam.class, HealthEndpoint.class })
	ActuatorHealthCheck samHealthCheck(HealthEndpoint endpoint, ObjectProvider<HealthEndpointGroups> groups,
			SamSettings settings) {
		String group = settings.properties().health().group();
		if (group != null) {
			HealthEndpointGroups available = groups.getIfAvailable();
			if (available == null || available.get(group) == null) {
				throw new InvalidSamPropertyException("sam.health.group", group,
						"the name of a health group defined under management.endpoint.health.group; defined are "
								+ ((available != null) ? available.getNames() : "none"),
						null);
			}
		}
		String description = (group != null) ? "health group '" + group + "'" : "all health indicators";
		return new ActuatorHealthCheck(HealthEndpointSnapshots.of(endpoint, group), settings.healthTimeout(),
				description);
	}

}
