package dev.samboot.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.bootstrap.DefaultBootstrapContext;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The start-up warnings when a kill can cut Spring's graceful shutdown short: T after the
 * warn signal, or {@code sam.shutdown-timeout} after a SIGTERM to the supervisor, shorter
 * than {@code spring.lifecycle.timeout-per-shutdown-phase}.
 */
@ExtendWith(OutputCaptureExtension.class)
class ShutdownTimingTests {

	private static final String PHASE = "spring.lifecycle.timeout-per-shutdown-phase";

	@Test
	void phaseTimeoutIsSpringBootsDefaultUnlessSet() {
		assertThat(ShutdownTiming.phaseTimeout(environment())).isEqualTo(Duration.ofSeconds(30));
		assertThat(ShutdownTiming.phaseTimeout(environment(PHASE + "=2s"))).isEqualTo(Duration.ofSeconds(2));
		assertThat(ShutdownTiming.phaseTimeout(environment(PHASE + "=soon"))).isNull();
	}

	@Test
	void defaultsAreNotWarnedAbout() {
		assertThat(warnings()).isEmpty();
		assertThat(warnings("sam.interval=1s")).as("the default phase, not set").isEmpty();
	}

	@Test
	void defaultIntervalIsShorterThanAPhaseTimeoutSetToThirtySeconds() {
		assertThat(warnings(PHASE + "=30s")).containsExactly("sam.interval (5s) is shorter than " + PHASE
				+ " (30s): after a failed health check the warn signal SIGTERM starts Spring's graceful shutdown "
				+ "and the instance is killed 5s later, before it may end. Set " + PHASE
				+ " to less than 5s, such as 2s, or sam.interval to more than 30s.");
	}

	@Test
	void shortShutdownTimeoutNamesBothProperties() {
		assertThat(warnings("sam.interval=1m", "sam.shutdown-timeout=10s", PHASE + "=20s")).containsExactly(
				"sam.shutdown-timeout (10s) is shorter than " + PHASE + " (20s): an instance stopped through the "
						+ "supervisor (SIGTERM or SIGINT to it) is killed before Spring's graceful shutdown may end. "
						+ "Set sam.shutdown-timeout to more than 20s, such as 25s, or " + PHASE + " to less than 10s.");
	}

	@Test
	void shutdownTimeoutZeroLeavesOnlyTheShutdownTimeoutToChange() {
		assertThat(warnings("sam.shutdown-timeout=0", PHASE + "=1s")).singleElement()
			.asString()
			.startsWith("sam.shutdown-timeout (0s) is shorter than " + PHASE + " (1s)")
			.endsWith("Set sam.shutdown-timeout to more than 1s, such as 6s.");
	}

	@Test
	void bothWarningsWhenBothKillsComeTooEarly() {
		assertThat(warnings("sam.interval=1500ms", "sam.shutdown-timeout=20s", PHASE + "=1m")).hasSize(2)
			.anySatisfy((warning) -> assertThat(warning)
				.startsWith("sam.shutdown-timeout (20s) is shorter than " + PHASE + " (1m)"))
			.anySatisfy((warning) -> assertThat(warning).startsWith("sam.interval (1500ms) is shorter than")
				.contains("killed 1500ms later")
				.endsWith("to less than 1500ms, such as 750ms, or sam.interval to more than 1m."));
	}

	@Test
	void noWarningWhenThePhaseFitsBothKills() {
		assertThat(warnings(PHASE + "=2s")).isEmpty();
		assertThat(warnings("sam.interval=2s", PHASE + "=1s")).isEmpty();
		// as long as a phase, not shorter: the default sam.shutdown-timeout and phase
		assertThat(warnings("sam.interval=30s")).isEmpty();
		assertThat(warnings("sam.interval=45s", "sam.shutdown-timeout=45s", PHASE + "=40s")).isEmpty();
	}

	@Test
	void intervalCountsOnlyForSignalsThatRunTheShutdownHooks() {
		for (String signal : List.of("TERM", "SIGINT", "hup", "15")) {
			assertThat(warnings("sam.warn-signal=" + signal, PHASE + "=30s")).as(signal)
				.singleElement()
				.asString()
				.startsWith("sam.interval (5s)");
		}
		for (String signal : List.of("KILL", "USR1", "QUIT", "10")) {
			assertThat(warnings("sam.warn-signal=" + signal, PHASE + "=30s")).as(signal).isEmpty();
		}
		assertThat(warnings("sam.warn-signal=INT", PHASE + "=30s")).singleElement()
			.asString()
			.contains("warn signal SIGINT starts");
	}

	@Test
	void intervalZeroSendsNoWarnSignal() {
		assertThat(warnings("sam.interval=0", PHASE + "=30s")).isEmpty();
	}

	@Test
	void listenerLogsTheWarningAtStartUp(CapturedOutput output) {
		List<SamSettings> registered = new ArrayList<>();
		SamApplicationListener listener = new SamApplicationListener((env) -> null, registered::add);
		listener.onApplicationEvent(event(environment("sam.interval=1s", PHASE + "=10s")));
		assertThat(registered).hasSize(1);
		assertThat(output).contains("WARN")
			.contains("sam.interval (1s) is shorter than " + PHASE + " (10s)")
			.contains("Set " + PHASE + " to less than 1s, such as 500ms, or sam.interval to more than 10s.");
	}

	@Test
	void listenerIsQuietWhenTheTimingsFit(CapturedOutput output) {
		List<SamSettings> registered = new ArrayList<>();
		SamApplicationListener listener = new SamApplicationListener((env) -> null, registered::add);
		listener.onApplicationEvent(event(environment("sam.interval=2s", PHASE + "=1s")));
		assertThat(registered).hasSize(1);
		assertThat(output).doesNotContain("is shorter than");
	}

	private static List<String> warnings(String... pairs) {
		MockEnvironment environment = environment(pairs);
		return ShutdownTiming.warnings(SamSettings.bind(environment), ShutdownTiming.phaseTimeout(environment),
				ShutdownTiming.phaseTimeoutSet(environment));
	}

	private static ApplicationEnvironmentPreparedEvent event(MockEnvironment environment) {
		return new ApplicationEnvironmentPreparedEvent(new DefaultBootstrapContext(), new SpringApplication(),
				new String[0], environment);
	}

	private static MockEnvironment environment(String... pairs) {
		MockEnvironment environment = new MockEnvironment();
		TestPropertyValues.of(pairs).applyTo(environment);
		return environment;
	}

}
