package dev.samboot.sample;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

import static dev.samboot.sample.SampleAppProcess.START_UP;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code sam.*} in a configuration file, which the process the user started does not
 * read: it is the lean supervisor from the start, and instance 1 binds the file and hands
 * the settings over. A wrong value, supervision turned off and the lean supervisor turned
 * off each still do what they say, with the real jar.
 */
@ExtendWith(PrintOutputOnFailure.class)
@Execution(ExecutionMode.CONCURRENT)
@Timeout(120)
class ConfigurationFileIT {

	private static final String LEAN = "dev.samboot.sam.internal.lean.LeanSupervisor";

	@TempDir
	Path directory;

	@Test
	void wrongValueInAFileStopsInstanceOneWithTheFailureAnalysisAndTheSupervisorExitsWithItsStatus() throws Exception {
		try (SampleAppProcess app = SampleAppProcess.start("file-wrong-value",
				location(Map.of("sam.restart.backoff.jitter", "2")))) {
			assertThat(app.awaitExit(START_UP)).isEqualTo(1);
			assertThat(app.text()).contains("APPLICATION FAILED TO START")
				.contains("the property 'sam.restart.backoff.jitter' has the value '2'")
				.contains("Set 'sam.restart.backoff.jitter' to a number from 0 to 1")
				.contains("Instance 1 exited with status 1 before it sent its settings")
				.doesNotContain("Launched instance");
		}
	}

	@Test
	void supervisionOffInAFileLeavesAPlainParentThatPassesSignalsOnAndExitsWithTheApplicationsStatus()
			throws Exception {
		try (SampleAppProcess app = SampleAppProcess.start("file-disabled", location(Map.of("sam.enabled", "false")))) {
			app.awaitOk("/actuator/health", START_UP);
			assertThat(app.status("/actuator/sam")).as("no samboot beans").isEqualTo(404);
			assertThat(commandLine(app.supervisorPid())).contains(LEAN);
			assertThat(app.children()).as("the application is the parent's only child").hasSize(1);
			assertThat(app.text()).contains("samboot supervision is off: sam.enabled is false")
				.doesNotContain("Supervised by samboot");
			app.supervisor().destroy();
			assertThat(app.awaitExit(Duration.ofSeconds(30))).as("the application's status after SIGTERM")
				.isEqualTo(143);
			assertThat(app.text()).contains("Graceful shutdown complete");
		}
	}

	@Test
	void leanSupervisorOffInAFileStartsTheApplicationAgainToSuperviseInItsOwnJvm() throws Exception {
		try (SampleAppProcess app = SampleAppProcess.start("file-not-lean",
				location(Map.of("sam.supervisor.lean", "false")))) {
			SampleAppProcess.Instance first = app.awaitInstance(1, START_UP.plus(START_UP));
			assertThat(first.supervisorPid()).isEqualTo(app.supervisorPid());
			assertThat(commandLine(app.supervisorPid())).doesNotContain(LEAN)
				.contains("-Dsam.supervisor.early-launch=false", "-jar");
			assertThat(app.text()).contains("Starting again with the supervisor in the application's JVM");
		}
	}

	private String location(Map<String, String> properties) throws Exception {
		StringBuilder text = new StringBuilder();
		properties.forEach((name, value) -> text.append(name).append('=').append(value).append('\n'));
		Path file = Files.writeString(this.directory.resolve("extra.properties"), text, StandardCharsets.UTF_8);
		return "--spring.config.additional-location=file:" + file;
	}

	private static String commandLine(long pid) throws Exception {
		return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
			.replace('\0', ' ');
	}

}
