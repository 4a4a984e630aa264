package dev.samboot.test;

import java.io.IOException;

import dev.samboot.autoconfigure.SamAutoConfiguration;
import dev.samboot.autoconfigure.SamLifecycle;
import dev.samboot.autoconfigure.SamSettings;
import dev.samboot.sam.Sam;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Auto-configuration of samboot for an application's tests: where samboot's listener
 * stayed off (under JUnit and Spring's test support it always does) and did not register
 * this JVM, a {@link SamTestSupervisor} started with the test's {@code sam.*} properties
 * and the {@link Sam} bean registered with it. {@link SamAutoConfiguration} and the
 * others then contribute the beans that need a registered {@code Sam} as in production:
 * the lifecycle that calls {@code start()} when the application is ready (per
 * {@code sam.start}) with Actuator's health as the health check, the {@code sam}
 * endpoint, the metrics. Off with {@code sam.enabled=false} or
 * {@code sam.test.supervisor.enabled=false}, and when the application defines its own
 * {@code Sam} bean.
 */
@AutoConfiguration(before = SamAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = { "sam.enabled", "sam.test.supervisor.enabled" }, matchIfMissing = true)
@Conditional(SamTestAutoConfiguration.OnUnregisteredSamCondition.class)
public class SamTestAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean({ SamTestSupervisor.class, Sam.class })
	SamTestSupervisor samTestSupervisor(SamSettings settings, ObjectProvider<SamLifecycle> lifecycle)
			throws IOException {
		return new SamTestSupervisor(settings, lifecycle);
	}

	/**
	 * The handle belongs to the supervisor, which finalizes it when the context closes.
	 * @param supervisor the test's supervisor
	 * @return the handle registered with it
	 */
	@Bean(destroyMethod = "")
	@ConditionalOnMissingBean
	Sam sam(SamTestSupervisor supervisor) {
		return supervisor.sam();
	}

	/**
	 * Matches where samboot has not registered this JVM and could: POSIX signals and Unix
	 * domain sockets are there.
	 */
	static class OnUnregisteredSamCondition extends SpringBootCondition {

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			if (Sam.current().isPresent()) {
				return ConditionOutcome.noMatch("samboot registered this JVM with a real supervisor");
			}
			if (!Sam.isSupported()) {
				return ConditionOutcome.noMatch("this platform has no POSIX signals");
			}
			return ConditionOutcome.match("samboot is not registered in this JVM: a supervisor runs in it for tests");
		}

	}

}
