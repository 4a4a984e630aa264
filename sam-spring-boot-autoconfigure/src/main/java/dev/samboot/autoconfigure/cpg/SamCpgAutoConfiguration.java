package dev.samboot.autoconfigure.cpg;

import dev.samboot.autoconfigure.CpgSettings;
import dev.samboot.autoconfigure.InvalidSamPropertyException;
import dev.samboot.autoconfigure.SamAutoConfiguration;
import dev.samboot.autoconfigure.health.LivenessMemberPostProcessor;
import dev.samboot.sam.Sam;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of the corosync closed process group named by {@code sam.cpg.group}:
 * {@link SamCpg}, which joins it when the context starts, its {@code cpg} health
 * indicator in the {@code liveness} group, and its meters.
 * <p>
 * In an active process the group is joined after {@code register()}, so never by the
 * supervisor, which runs no context. With supervision off ({@code sam.enabled=false}, or
 * where samboot stays off) the group is still joined, and the log says once that its
 * membership is not supervised.
 */
// after the probes, whose groups post-processor must run before the one that adds cpg to
// the liveness group
@AutoConfiguration(after = SamAutoConfiguration.class,
		afterName = "org.springframework.boot.health.autoconfigure.actuate.endpoint.AvailabilityProbesAutoConfiguration")
@Conditional(OnCpgGroupCondition.class)
public class SamCpgAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	CpgSettings samCpgSettings(Environment environment) {
		CpgSettings settings = CpgSettings.bind(environment);
		if (!settings.enabled()) {
			// set, but bound to nothing
			throw new InvalidSamPropertyException(OnCpgGroupCondition.PROPERTY,
					environment.getProperty(OnCpgGroupCondition.PROPERTY), "a group name that is not blank", null);
		}
		return settings;
	}

	@Bean
	@ConditionalOnMissingBean
	SamCpg samCpg(CpgSettings settings, ApplicationEventPublisher publisher, ObjectProvider<Sam> sam) {
		return new SamCpg(settings, publisher, sam.getIfAvailable() != null);
	}

	/** The group's health, in the liveness group. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(HealthIndicator.class)
	static class CpgHealthConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "cpgHealthIndicator")
		CpgHealthIndicator cpgHealthIndicator(SamCpg cpg) {
			return new CpgHealthIndicator(cpg);
		}

		@Bean
		static HealthEndpointGroupsPostProcessor samLivenessCpgPostProcessor() {
			return new LivenessMemberPostProcessor(CpgHealthIndicator.NAME);
		}

	}

	/** The group's meters, bound to every registry. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterBinder.class)
	static class CpgMetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		SamCpgMetrics samCpgMetrics(SamCpg cpg) {
			return new SamCpgMetrics(cpg);
		}

	}

}
