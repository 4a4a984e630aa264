package dev.samboot.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import dev.samboot.sample.SampleAppProcess.Instance;
import dev.samboot.sample.SampleAppProcess.Launch;
import dev.samboot.sample.SampleAppProcess.Restart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import static dev.samboot.sample.SampleAppProcess.START_UP;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Instances that fail at start-up ({@code demo.startup.required-file} names a file that
 * is gone, see {@link RequiredFileCheck}). A recovered instance that cannot start is
 * launched again after a wait that doubles from 1 s, the supervisor staying up, until one
 * starts; it keeps the stored data. The first instance failing to start is a
 * configuration error: the supervisor exits with its status and launches nothing more.
 */
@ExtendWith(PrintOutputOnFailure.class)
class StartupRetryIT {

	@TempDir
	Path directory;

	@Test
	@Timeout(180)
	void recoveredInstancesThatFailToStartAreRetriedWithGrowingWaits() throws Exception {
		Path required = Files.writeString(this.directory.resolve("required"), "present\n");
		try (SampleAppProcess app = SampleAppProcess.start("start-retry", "--demo.startup.required-file=" + required)) {
			Instance first = app.awaitInstance(1, START_UP);
			assertThat(app.post("/demo/counter").trim()).isEqualTo("1");
			assertThat(app.post("/demo/counter").trim()).isEqualTo("2");

			Files.delete(required);
			app.post("/demo/crash?status=3");
			List<Restart> failures = DatabaseOutageIT.awaitStartFailures(app, 3);
			Files.writeString(required, "present again\n");
			assertThat(failures).extracting(Restart::instance).containsExactly(2, 3, 4);
			assertThat(failures).allSatisfy((failure) -> assertThat(failure.status()).isEqualTo(1));
			List<Long> backoffs = failures.stream().map(Restart::backoffMillis).toList();
			assertThat(backoffs.get(0)).as("first wait, of %s", backoffs).isBetween(500L, 1500L);
			assertThat(backoffs.get(1)).as("second wait, of %s", backoffs).isBetween(1500L, 3000L);
			assertThat(backoffs.get(2)).as("third wait, of %s", backoffs).isBetween(3000L, 6000L);
			for (Restart failure : failures.subList(0, 2)) {
				Launch next = app.awaitLaunch(failure.instance() + 1, Duration.ofSeconds(10));
				assertThat(Duration.between(failure.time(), next.time()).toMillis())
					.as("wait before instance %d", next.id())
					.isGreaterThanOrEqualTo(failure.backoffMillis() - 50);
			}
			assertThat(app.text()).contains("demo.startup.required-file is '" + required + "', which does not exist")
				.contains("Instance 1 ended (exited, status 3): restarting");

			Instance fifth = app.awaitInstance(5, START_UP);
			assertThat(fifth.supervisorPid()).isEqualTo(app.supervisorPid());
			assertThat(fifth.pid()).isNotEqualTo(first.pid());
			assertThat(fifth.restarts()).isEqualTo(4);
			assertThat(app.getBody("/demo/counter").trim()).isEqualTo("2");
			JsonNode recoveries = fifth.recoveries();
			assertThat(recoveries.size()).isEqualTo(4);
			assertThat(recoveries.get(0).path("reason").asString()).isEqualTo("exited");
			for (int i = 1; i < 4; i++) {
				assertThat(recoveries.get(i).path("instance").asInt()).isEqualTo(i + 1);
				assertThat(recoveries.get(i).path("reason").asString()).isEqualTo("start-failed");
				assertThat(recoveries.get(i).path("exitStatus").asInt()).isEqualTo(1);
				assertThat(recoveries.get(i).path("action").asString()).isEqualTo("restart");
			}
			assertThat(app.children()).containsOnlyKeys(fifth.pid());
		}
	}

	@Test
	@Timeout(120)
	void firstInstanceThatFailsToStartMakesTheSupervisorExit() throws Exception {
		Path missing = this.directory.resolve("missing");
		try (SampleAppProcess app = SampleAppProcess.start("start-fail-first",
				"--demo.startup.required-file=" + missing)) {
			assertThat(app.awaitExit(START_UP)).isNotZero();
			assertThat(app.text()).contains("demo.startup.required-file is '" + missing + "', which does not exist")
				.contains("Supervisor exits with status 1")
				.doesNotContain("Launched instance 2")
				.doesNotContain("start-failed");
			assertThat(app.restarts()).isEmpty();
		}
	}

}
