package dev.samboot.sam.internal.supervisor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import dev.samboot.sam.SupervisedRun;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Faults of the supervisor itself, with real processes: killed with -9, or unable to
 * launch the active process at the start or after a recovery. Each supervisor makes its
 * channel directory in the test's temporary directory, so what a killed one leaves behind
 * goes with it.
 */
@Timeout(60)
class SupervisorFaultTests {

	private static final Duration START = Duration.ofSeconds(30);

	private static final int INTERVAL = 500;

	@TempDir
	Path temporary;

	@RepeatedTest(5)
	void activeProcessExitsWithinIntervalPlusOneSecondWhenTheSupervisorIsKilled() throws Exception {
		try (SupervisedRun run = SupervisedRun.testSamIn(this.temporary, "heartbeat-forever",
				Integer.toString(INTERVAL))) {
			long instance = run.awaitInstance(1, START);
			long killedAt = System.nanoTime();
			run.process().toHandle().destroyForcibly();
			await().atMost(Duration.ofMillis(INTERVAL + 1000))
				.pollInterval(Duration.ofMillis(10))
				.until(() -> !SupervisedRun.isRunning(instance));
			System.out.printf("supervisor killed: active process gone after %d ms%n",
					(System.nanoTime() - killedAt) / 1_000_000);
		}
	}

	@Test
	void supervisorThatCannotFindJavaSaysWhyAndExitsNonZero() throws Exception {
		Path missing = this.temporary.resolve("no-such-java");
		try (SupervisedRun run = SupervisedRun.testSamIn(this.temporary, "launch-with", "0", missing.toString())) {
			assertThat(run.awaitExit(START)).as(run.output()).isNotZero();
			assertThat(run.output()).contains("Cannot launch the active process", missing.toString(),
					"No such file or directory", "CS_ERR_LIBRARY");
			assertThat(channelDirectories()).isEmpty();
		}
	}

	@Test
	void supervisorWhoseJavaIsNotExecutableSaysWhyAndExitsNonZero() throws Exception {
		Path notExecutable = Files.writeString(this.temporary.resolve("java"), "#!/bin/sh\nexit 0\n");
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(notExecutable))).doesNotContain("x");
		try (SupervisedRun run = SupervisedRun.testSamIn(this.temporary, "launch-with", "0",
				notExecutable.toString())) {
			assertThat(run.awaitExit(START)).as(run.output()).isNotZero();
			assertThat(run.output()).contains("Cannot launch the active process", notExecutable.toString(),
					"Permission denied", "CS_ERR_LIBRARY");
			assertThat(channelDirectories()).isEmpty();
		}
	}

	@Test
	void relaunchThatFailsAfterARecoverySaysWhyAndExitsWithTheLaunchFailedStatus() throws Exception {
		Path java = Files.createSymbolicLink(this.temporary.resolve("java"),
				Path.of(System.getProperty("java.home"), "bin", "java"));
		try (SupervisedRun run = SupervisedRun.testSamIn(this.temporary, "launch-with", "0", java.toString())) {
			run.awaitInstance(1, START);
			Files.delete(java);
			run.tell("die");
			assertThat(run.awaitExit(START)).as(run.output()).isEqualTo(Supervisor.LAUNCH_FAILED_STATUS);
			assertThat(run.output())
				.contains("Instance 1 ended (killed, status 137): restarting", "Cannot launch instance 2",
						java.toString(), "No such file or directory")
				.doesNotContain("instance 2 pid");
			assertThat(channelDirectories()).isEmpty();
		}
	}

	private List<Path> channelDirectories() throws IOException {
		try (Stream<Path> entries = Files.list(this.temporary)) {
			return entries.filter((entry) -> entry.getFileName().toString().startsWith("samboot-")).toList();
		}
	}

}
