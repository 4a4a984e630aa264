package dev.samboot.sam.internal.cache;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIOException;
import static org.awaitility.Awaitility.await;

/**
 * How the steps of a training run, with real processes.
 */
@Timeout(60)
class StepRunnerTests {

	@Test
	void aStepAppendsItsCommandLineAndOutputToTheLog(@TempDir Path directory) throws Exception {
		Path log = directory.resolve("training.log");
		StepRunner steps = new StepRunner(Map.of());
		steps.run("the first step", List.of("/bin/sh", "-c", "echo out; echo err >&2"), log);
		steps.run("the second step", List.of("/bin/sh", "-c", "echo again"), log);
		assertThat(log).hasContent("$ /bin/sh -c echo out; echo err >&2\nout\nerr\n$ /bin/sh -c echo again\nagain\n");
	}

	@Test
	void aFailedStepSaysWhichAndItsStatus(@TempDir Path directory) {
		Path log = directory.resolve("training.log");
		assertThatIOException()
			.isThrownBy(() -> new StepRunner(Map.of()).run("the training run", List.of("/bin/sh", "-c", "exit 3"), log))
			.withMessage("the training run exited with status 3 (see " + log + ")");
	}

	@Test
	void theStepsInheritTheEnvironmentWithoutTheSupervisorsAndSystemdsVariables(@TempDir Path directory)
			throws Exception {
		Path log = directory.resolve("training.log");
		StepRunner steps = new StepRunner(Map.of("SAM_SOCKET", "/run/sam.sock", "SAM_TOKEN", "t", "NOTIFY_SOCKET",
				"/run/systemd/notify", "WATCHDOG_USEC", "1000", "KEEP", "yes"));
		steps.run("the step", List.of("/bin/sh", "-c",
				"echo \"${SAM_SOCKET:-none} ${SAM_TOKEN:-none} ${NOTIFY_SOCKET:-none} ${WATCHDOG_USEC:-none} $KEEP\""),
				log);
		assertThat(Files.readAllLines(log)).last().isEqualTo("none none none none yes");
	}

	@Test
	void aClosedRunnerStartsNoStep(@TempDir Path directory) {
		Path log = directory.resolve("training.log");
		StepRunner steps = new StepRunner(Map.of());
		steps.close();
		assertThat(steps.closed()).isTrue();
		assertThatExceptionOfType(InterruptedException.class)
			.isThrownBy(() -> steps.run("the step", List.of("/bin/sh", "-c", "echo ran"), log));
		assertThat(log).doesNotExist();
	}

	@Test
	void closingKillsTheRunningStep(@TempDir Path directory) throws Exception {
		Path log = directory.resolve("training.log");
		StepRunner steps = new StepRunner(Map.of());
		AtomicReference<Exception> failure = new AtomicReference<>();
		Thread thread = new Thread(() -> {
			try {
				steps.run("the training run", List.of("/bin/sleep", "60"), log);
			}
			catch (IOException | InterruptedException ex) {
				failure.set(ex);
			}
		});
		thread.start();
		await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(log));
		// the step may not have been started yet: close until it has been killed
		await().atMost(Duration.ofSeconds(20)).until(() -> {
			steps.close();
			return !thread.isAlive();
		});
		assertThat(failure.get()).isInstanceOf(IOException.class).hasMessageContaining("exited with status");
	}

}
