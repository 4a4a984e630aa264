package dev.samboot.autoconfigure.metrics;

import dev.samboot.autoconfigure.SamAutoConfiguration;
import dev.samboot.autoconfigure.health.ActuatorHealthCheck;
import dev.samboot.autoconfigure.health.SamHealthCheckAutoConfiguration;
import dev.samboot.sam.Sam;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of {@link SamMetrics}, when Micrometer is present and a registry
 * exists.
 */
@AutoConfiguration(after = { SamAutoConfiguration.class, SamHealthCheckAutoConfiguration.class }, afterName = {
		"org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
		"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
		"org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration" })
@ConditionalOnBooleanProperty(name = "sam.enabled", matchIfMissing = true)
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean(MeterRegistry.class)
public class SamMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(Sam.class)
	SamMetrics samMetrics(Sam sam, ObjectProvider<ActuatorHealthCheck> healthCheck) {
		SamMetrics metrics = new SamMetrics(sam);
		healthCheck.ifAvailable((check) -> check.addListener(metrics::record));
		return metrics;
	}

}
