package dev.samboot.autoconfigure;

import dev.samboot.autoconfigure.health.ActuatorHealthCheck;
import dev.samboot.autoconfigure.health.SamHealthCheckAutoConfiguration;
import dev.samboot.sam.HealthCheckCallback;
import dev.samboot.sam.Sam;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

/**
 * Auto-configuration of samboot in an active process: the {@link Sam} handle that
 * {@link SamApplicationListener} registered, Actuator's health as the event-driven health
 * check (from {@link SamHealthCheckAutoConfiguration}), and {@link SamLifecycle} to call
 * {@code start()} when ready and {@code stop()} on a clean close.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "sam.enabled", matchIfMissing = true)
@EnableConfigurationProperties(SamProperties.class)
public class SamAutoConfiguration {

	private static final Log logger = LogFactory.getLog(SamAutoConfiguration.class);

	@Bean
	@ConditionalOnMissingBean
	SamSettings samSettings(SamProperties properties) {
		return SamSettings.of(properties);
	}

	/**
	 * The handle belongs to this JVM, not to the context: closing the context calls
	 * {@code stop()} through {@link SamLifecycle} but does not finalize it.
	 * @return the handle registered by {@link SamApplicationListener}
	 */
	@Bean(destroyMethod = "")
	@ConditionalOnMissingBean
	@Conditional(OnRegisteredSamCondition.class)
	Sam sam() {
		return Sam.current().orElseThrow();
	}

	/**
	 * In an application processed ahead of time, where {@link OnRegisteredSamCondition}
	 * could not know, removes the {@code Sam} bean and the beans that need it from a JVM
	 * that is not registered.
	 * @return the check, which does nothing without AOT
	 */
	@Bean
	static RegisteredSamCheck registeredSamCheck() {
		return new RegisteredSamCheck();
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(Sam.class)
	SamLifecycle samLifecycle(Sam sam, SamSettings settings, ObjectProvider<ActuatorHealthCheck> healthCheck) {
		return new SamLifecycle(sam, settings.properties().start(), callback(sam, settings, healthCheck));
	}

	private static HealthCheckCallback callback(Sam sam, SamSettings settings,
			ObjectProvider<ActuatorHealthCheck> healthCheck) {
		if (!settings.properties().health().enabled()) {
			return null;
		}
		if (sam.interval().isZero()) {
			logger.info("sam.interval is 0: no health checks, only the death of the process is watched");
			return null;
		}
		HealthCheckCallback callback = healthCheck.getIfAvailable();
		if (callback == null) {
			logger.warn("No health check is available: heartbeats show only that this JVM runs; add "
					+ "org.springframework.boot:spring-boot-starter-actuator, or set sam.health.enabled=false and "
					+ "call Sam.hcSend() from the application");
			return () -> true;
		}
		return callback;
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(Sam.class)
	SamAvailability samAvailability(Sam sam, ApplicationEventPublisher publisher) {
		return new SamAvailability(sam, publisher);
	}

}
