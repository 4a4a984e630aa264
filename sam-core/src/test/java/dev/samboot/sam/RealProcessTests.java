package dev.samboot.sam;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;

import dev.samboot.sam.internal.process.PosixSignals;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * libsam's behaviour with real processes, real signals and the real socket, in the manner
 * of corosync's {@code test/testsam.c}: each test starts {@link TestSam} as a supervisor
 * JVM and checks what its instances report and how it exits.
 */
@Timeout(60)
class RealProcessTests {

	private static final Duration START = Duration.ofSeconds(20);

	@Test
	void startStopHcSendAndErrorsAfterClose() throws Exception {
		try (SupervisedRun run = SupervisedRun.testSam("basic")) {
			assertThat(run.awaitExit(START)).as(run.output()).isZero();
			assertThat(run.output()).contains("instance 1 pid").doesNotContain("FAIL").doesNotContain("instance 2");
		}
	}

	@Test
	void warnSignalIsDeliveredOnceThenSigkillThenRestartCarriesIt() throws Exception {
		try (SupervisedRun run = SupervisedRun.testSam("warn-signal", "500")) {
			long first = run.awaitInstance(1, START);
			long lastMessage = Long.parseLong(run.awaitLine((l) -> l.startsWith("last-message "), START).split(" ")[1]);
			assertThat(run.awaitExit(START)).as(run.output()).isZero();
			long warnAfter = Long.parseLong(run.awaitLine((l) -> l.startsWith("warn-after-ms "), START).split(" ")[1]);
			long lastAlive = run.lines()
				.stream()
				.filter((l) -> l.startsWith("alive "))
				.mapToLong((l) -> Long.parseLong(l.substring(6)))
				.max()
				.orElseThrow();
			System.out.printf("T=500 ms: warn %d ms after the last message, SIGKILL %d ms after it (instance %d)%n",
					warnAfter, lastAlive - lastMessage, first);
			// never early; how late depends on the machine's load (SupervisorTests pin
			// the exact moments).
			// Both are seen by the instance, the warn when its handler runs, so their
			// difference is not T.
			assertThat(warnAfter).as("warn moment after the last message").isBetween(490L, 1000L);
			assertThat(lastAlive - lastMessage).as("kill moment after the last message").isBetween(980L, 1600L);
			assertThat(run.output()).contains("instance 2 pid").doesNotContain("FAIL");
		}
	}

	@Test
	void processKillingItselfWithSigkillIsRestarted() throws Exception {
		try (SupervisedRun run = SupervisedRun.testSam("self-kill")) {
			assertThat(run.awaitExit(START)).as(run.output()).isZero();
			assertThat(run.output()).contains("instance 2 pid")
				.contains("restarts 1 reasons [killed]")
				.doesNotContain("FAIL");
		}
	}

	@Test
	void dataSurvivesRestartWithStoreRestoreAndGetsizeErrors() throws Exception {
		try (SupervisedRun run = SupervisedRun.testSam("data")) {
			assertThat(run.awaitExit(START)).as(run.output()).isZero();
			assertThat(run.output()).contains("instance 2 pid").doesNotContain("FAIL");
		}
	}

	@Test
	void eventDrivenCallbackIsCountedToItsFailureThenRecovered() throws Exception {
		try (SupervisedRun run = SupervisedRun.testSam("callback", "400")) {
			assertThat(run.awaitExit(START)).as(run.output()).isZero();
			assertThat(run.output()).contains("callback 4")
				.doesNotContain("callback 5")
				.contains("instance 2 pid")
				.doesNotContain("FAIL");
		}
	}

	@Test
	void closeWhileHeartbeatsRunStopsThemWithoutRecovery() throws Exception {
		try (SupervisedRun run = SupervisedRun.testSam("close-while-heartbeats", "300")) {
			assertThat(run.awaitExit(START)).as(run.output()).isZero();
			assertThat(run.output()).doesNotContain("instance 2").doesNotContain("FAIL");
		}
	}

	@Test
	void quitPolicyExitsWithTheInstanceStatus() throws Exception {
		try (SupervisedRun run = SupervisedRun.testSam("quit-exit")) {
			assertThat(run.awaitExit(START)).as(run.output()).isEqualTo(7);
			assertThat(run.output()).doesNotContain("instance 2");
		}
	}

	@Test
	void quitPolicyExitsWith128PlusSignalWhenKilled() throws Exception {
		try (SupervisedRun run = SupervisedRun.testSam("quit-killed")) {
			assertThat(run.awaitExit(START)).as(run.output()).isEqualTo(128 + Signals.SIGKILL);
		}
	}

	@Test
	void exitBeforeStartQuitsWithItsStatus() throws Exception {
		try (SupervisedRun run = SupervisedRun.testSam("exit", "500", "3")) {
			assertThat(run.awaitExit(START)).as(run.output()).isEqualTo(3);
			assertThat(run.output()).doesNotContain("instance 2");
		}
	}

	@Test
	void sigtermToSupervisorStopsInstanceWithoutRestart() throws Exception {
		try (SupervisedRun run = SupervisedRun.testSam("heartbeat-forever", "500")) {
			long instance = run.awaitInstance(1, START);
			run.process().toHandle().destroy();
			assertThat(run.awaitExit(START)).as(run.output()).isEqualTo(128 + Signals.SIGTERM);
			assertThat(SupervisedRun.isRunning(instance)).isFalse();
			assertThat(run.output()).contains("shutdown hook ran").doesNotContain("instance 2");
		}
	}

	@Test
	void sigintToSupervisorStopsInstanceWithoutRestart() throws Exception {
		assumeFalse(PosixSignals.ignored(Signals.SIGINT),
				"SIGINT is ignored in this JVM (a job a shell without job control started "
						+ "in the background), and so in the supervisor it starts, which keeps it ignored as POSIX programs do");
		try (SupervisedRun run = SupervisedRun.testSam("heartbeat-forever", "500")) {
			long instance = run.awaitInstance(1, START);
			PosixSignals.send(run.process().toHandle(), Signals.SIGINT);
			assertThat(run.awaitExit(START)).as(run.output()).isEqualTo(128 + Signals.SIGTERM);
			assertThat(SupervisedRun.isRunning(instance)).isFalse();
			assertThat(run.output()).doesNotContain("instance 2");
		}
	}

	@Test
	void relaunchWorksWithJavaJar(@TempDir Path directory) throws Exception {
		Path jar = directory.resolve("testsam.jar");
		Manifest manifest = new Manifest();
		manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
		manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, TestSam.class.getName());
		manifest.getMainAttributes()
			.put(Attributes.Name.CLASS_PATH,
					List.of(SupervisedRun.testClassPath().split(":"))
						.stream()
						.map((entry) -> Path.of(entry).toUri().toString())
						.collect(Collectors.joining(" ")));
		try (OutputStream out = Files.newOutputStream(jar);
				JarOutputStream jarOut = new JarOutputStream(out, manifest)) {
			jarOut.flush();
		}
		List<String> command = new ArrayList<>(SupervisedRun.javaCommand());
		command.addAll(List.of("-jar", jar.toString(), "self-kill"));
		try (SupervisedRun run = SupervisedRun.start(command)) {
			assertThat(run.awaitExit(START)).as(run.output()).isZero();
			assertThat(run.output()).contains("instance 2 pid").doesNotContain("FAIL");
		}
	}

	@Test
	void relaunchWorksWithArgumentFile(@TempDir Path directory) throws Exception {
		Path arguments = directory.resolve("args.txt");
		Files.writeString(arguments,
				"-cp \"" + SupervisedRun.testClassPath() + "\"\n" + TestSam.class.getName() + " self-kill\n");
		List<String> command = new ArrayList<>(SupervisedRun.javaCommand());
		command.add("@" + arguments);
		try (SupervisedRun run = SupervisedRun.start(command)) {
			assertThat(run.awaitExit(START)).as(run.output()).isZero();
			assertThat(run.output()).contains("instance 2 pid").doesNotContain("FAIL");
		}
	}

	@Test
	void launchFailureIsReportedAndExitsNonZero(@TempDir Path directory) throws IOException, InterruptedException {
		Path vanishing = Files.createDirectories(directory.resolve("vanishing"));
		List<String> command = new ArrayList<>(SupervisedRun.javaCommand());
		command.addAll(List.of("-cp", SupervisedRun.testClassPath(), TestSam.class.getName(), "launch-fail"));
		Process process = new ProcessBuilder(command).directory(vanishing.toFile()).redirectErrorStream(true).start();
		try {
			String output = new String(process.getInputStream().readAllBytes());
			assertThat(process.waitFor()).as(output).isNotZero();
			assertThat(output).contains("Cannot launch the active process").contains("CS_ERR_LIBRARY");
		}
		finally {
			process.descendants().forEach(ProcessHandle::destroyForcibly);
			process.destroyForcibly();
		}
	}

}
