package dev.samboot.autoconfigure.endpoint;

import dev.samboot.autoconfigure.SamAutoConfiguration;
import dev.samboot.autoconfigure.cpg.SamCpg;
import dev.samboot.autoconfigure.cpg.SamCpgAutoConfiguration;
import dev.samboot.autoconfigure.health.ActuatorHealthCheck;
import dev.samboot.autoconfigure.health.SamHealthCheckAutoConfiguration;
import java.util.Set;

import dev.samboot.sam.Sam;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.Show;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of {@code /actuator/sam}, when Actuator is present and the endpoint
 * is available (exposed and not disabled), and of the {@code sam} section of
 * {@code /actuator/info}.
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
		SamEndpoint samEndpoint(Sam sam, ObjectProvider<ActuatorHealthCheck> healthCheck, ObjectProvider<SamCpg> cpg,
				Environment environment) {
			// the health endpoint's settings, whether or not it is available

			Binder binder = Binder.get(environment);
			Show showDetails = binder.bind("management.endpoint.health.show-details", Show.class).orElse(Show.NEVER);
			Set<String> roles = binder.bind("management.endpoint.health.roles", Bindable.setOf(String.class))
				.orElse(Set.of());
			return new SamEndpoint(sam, healthCheck.getIfAvailable(), cpg.getIfAvailable(), showDetails, roles);
		}

	}

	/** The {@code sam} section of {@code /actuator/info}, whatever else is exposed. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(InfoContributor.class)
	static class SamInfoConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "samInfoContributor")
		@ConditionalOnBean(Sam.class)
		SamInfoContributor samInfoContributor(Sam sam) {
			return new SamInfoContributor(sam);
		}

	}

}
