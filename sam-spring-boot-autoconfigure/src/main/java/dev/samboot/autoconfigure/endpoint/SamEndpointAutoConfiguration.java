package dev.samboot.autoconfigure.endpoint;

import dev.samboot.autoconfigure.SamAutoConfiguration;
import dev.samboot.autoconfigure.cpg.SamCpg;
import dev.samboot.autoconfigure.cpg.SamCpgAutoConfiguration;
import dev.samboot.autoconfigure.health.ActuatorHealthCheck;
import dev.samboot.autoconfigure.health.SamHealthCheckAutoConfiguration;
import dev.samboot.sam.Sam;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration of {@code /actuator/sam}, when Actuator is present and the endpoint
 * is available (exposed and not disabled).
 */
@AutoConfiguration(
		after = { SamAutoConfiguration.class, SamCpgAutoConfiguration.class, SamHealthCheckAutoConfiguration.class })
@ConditionalOnBooleanProperty(name = "sam.enabled", matchIfMissing = true)
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
public class SamEndpointAutoConfiguration {

	/** Nested, so that the endpoint condition is not even loaded without Actuator. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnAvailableEndpoint(SamEndpoint.class)
	static class SamEndpointConfiguration {

		@Bean
		@ConditionalOnMissingBean
		@ConditionalOnBean(Sam.class)
		SamEndpoint samEndpoint(Sam sam, ObjectProvider<ActuatorHealthCheck> healthCheck, ObjectProvider<SamCpg> cpg) {
			return new SamEndpoint(sam, healthCheck.getIfAvailable(), cpg.getIfAvailable());
		}

	}

}
