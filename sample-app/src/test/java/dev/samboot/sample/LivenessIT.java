package dev.samboot.sample;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.samboot.sample.SampleAppProcess.Launch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.samboot.sample.SampleAppProcess.START_UP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the sample jar's health check is, as a user sees it: the liveness group and
 * nothing else, whatever is exposed; LivenessState.BROKEN at once; readiness refusing
 * traffic before the warn signal; a deadlock recovered. Interval T is the sample's own, 2
 * s.
 */
@ExtendWith(PrintOutputOnFailure.class)
class LivenessIT {

	private static final Duration T = Duration.ofSeconds(2);

	/**
	 * From the warn signal to the launch of the next instance (shutdown hooks, graceful
	 * web shutdown).
	 */
	private static final Duration SHUTDOWN = Duration.ofMillis(1500);

	@Test
	@Timeout(150)
	void downIndicatorOutsideTheLivenessGroupRestartsNothingButBrokenLivenessIsRecoveredAtOnce() throws Exception {
		try (SampleAppProcess app = SampleAppProcess.start("liveness-outside",
				"--management.endpoint.health.group.liveness.include=livenessState",
				"--logging.level.org.springframework.boot.availability=debug")) {
			app.awaitInstance(1, START_UP);
			app.post("/demo/unhealthy");
			await().atMost(Duration.ofSeconds(10))
				.until(() -> app.statusIfAnswered("/actuator/health").orElse(0) == 503);
			// three intervals: a check ran at least twice and the supervisor would have
			// warned
			Thread.sleep(T.multipliedBy(3).toMillis());
			assertThat(app.launch(2)).as("the demo indicator is not in the liveness group").isEmpty();
			assertThat(app.status("/actuator/health/liveness")).isEqualTo(200);
			assertThat(app.getBody("/actuator/sam")).contains("\"instanceId\":1")
				.contains("\"healthCheckFailed\":false");

			// LivenessState.BROKEN counts whatever the group holds, and is checked at
			// once
			List<String> readinessWhileServing = new ArrayList<>();
			Instant broken = Instant.now();
			app.post("/demo/broken");
			while (app.launch(2).isEmpty()
					&& Duration.between(broken, Instant.now()).compareTo(T.multipliedBy(3)) < 0) {
				Optional<Integer> readiness = app.statusIfAnswered("/actuator/health/readiness");
				readiness.ifPresent((status) -> readinessWhileServing.add(String.valueOf(status)));
				Thread.sleep(20);
			}
			Launch second = app.awaitLaunch(2, T.multipliedBy(2).plus(SHUTDOWN));
			Instant warned = app.lines()
				.stream()
				.filter((line) -> line.contains("Instance 1 (pid ")
						&& line.contains("reported its health check failed: sending SIGTERM"))
				.map(LivenessIT::timeOf)
				.findFirst()
				.orElseThrow(() -> new AssertionError("no warn signal for the broken instance\n" + app.tail()));
			Duration brokenToWarn = Duration.between(broken, warned);
			System.out.printf("LivenessState.BROKEN to the warn signal: %d ms (bound T/4 + T/4 + 250 ms = %d ms)%n",
					brokenToWarn.toMillis(), T.dividedBy(2).plusMillis(250).toMillis());
			assertThat(brokenToWarn).as("a check at once, the warn T/4 after the report")
				.isLessThanOrEqualTo(T.dividedBy(2).plusMillis(250));
			assertThat(readinessWhileServing).as("readiness refused traffic while instance 1 still served")
				.contains("503");
			assertThat(lineIndex(app, "readiness is now REFUSING_TRAFFIC"))
				.as("readiness changed before the warn signal")
				.isLessThan(lineIndex(app, "reported its health check failed: sending SIGTERM"));
			assertThat(second.time()).isAfter(warned);
			assertThat(app.awaitInstance(2, START_UP).lastRecovery().path("reason").asString()).isEqualTo("unhealthy");
		}
	}

	@ParameterizedTest(name = "exposure.include={0}")
	@ValueSource(strings = { "prometheus", "sam" })
	@Timeout(150)
	void downLivenessIsRecoveredWhateverIsExposed(String exposed) throws Exception {
		try (SampleAppProcess app = SampleAppProcess.start("liveness-exposed-" + exposed,
				"--management.endpoints.web.exposure.include=" + exposed, "--spring.jmx.enabled=false")) {
			app.awaitLaunch(1, START_UP);
			await().atMost(START_UP)
				.until(() -> app.hasLine((line) -> line.contains("samboot supervision started: instance 1")));
			assertThat(app.text()).contains("checking health group 'liveness'")
				.contains("The health check is health group 'liveness': demo, livenessState, deadlocks");
			Instant fault = Instant.now();
			app.post("/demo/unhealthy");
			Launch second = app.awaitLaunch(2, T.multipliedBy(3).plus(SHUTDOWN));
			assertThat(Duration.between(fault, second.time())).isLessThanOrEqualTo(T.multipliedBy(2).plus(SHUTDOWN));
			assertThat(app.text()).contains("Health check down: status DOWN [demo=DOWN");
		}
	}

	@Test
	@Timeout(150)
	void deadlockedThreadsAreRecoveredAndNamed() throws Exception {
		try (SampleAppProcess app = SampleAppProcess.start("liveness-deadlock")) {
			app.awaitInstance(1, START_UP);
			assertThat(app.getBody("/actuator/health/liveness")).contains("\"deadlocks\":{\"status\":\"UP\"}");
			Instant fault = Instant.now();
			app.post("/demo/deadlock");
			Launch second = app.awaitLaunch(2, T.multipliedBy(3).plus(SHUTDOWN));
			assertThat(Duration.between(fault, second.time())).isLessThanOrEqualTo(T.multipliedBy(2).plus(SHUTDOWN));
			assertThat(app.text()).contains("deadlocks=DOWN").contains("\"demo-deadlock-1\" waits for");
			assertThat(app.awaitInstance(2, START_UP).lastRecovery().path("reason").asString()).isEqualTo("unhealthy");
		}
	}

	private static int lineIndex(SampleAppProcess app, String text) {
		List<String> lines = app.lines();
		for (int i = 0; i < lines.size(); i++) {
			if (lines.get(i).contains(text)) {
				return i;
			}
		}
		throw new AssertionError("no line with '" + text + "'\n" + app.tail());
	}

	/** Spring Boot's console lines start with an ISO instant. */
	private static Instant timeOf(String line) {
		return Instant.parse(line.substring(0, line.indexOf(' ')));
	}

}
