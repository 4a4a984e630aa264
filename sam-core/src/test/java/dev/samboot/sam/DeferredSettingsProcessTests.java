package dev.samboot.sam;

import java.time.Duration;

import dev.samboot.sam.internal.process.AdoptedProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A supervisor started before the settings are known, with real processes: the process
 * the user started becomes a lean supervisor at once and instance 1 hands the settings
 * over; what happens when instance 1 exits first, detaches, needs a larger heap in the
 * supervisor or no lean supervisor at all.
 */
@Timeout(120)
class DeferredSettingsProcessTests {

	private static final Duration START = Duration.ofSeconds(60);

	@Test
	void processTheUserStartedBecomesTheLeanSupervisorOfTheInstanceThatSendsTheSettings() throws Exception {
		try (SupervisedRun run = SupervisedRun.testSam("deferred", "2000")) {
			assertThat(run.awaitExit(START)).as(run.output()).isZero();
			String user = value(run, "user pid ");
			String deferred = value(run, "deferred instance pid ");
			assertThat(user).as("the supervisor keeps the pid").isEqualTo(String.valueOf(run.pid()));
			assertThat(run.output()).as("the instance that sent the settings is instance 1")
				.contains("instance 1 pid " + deferred + " ")
				.contains("recovered exited 5", "instance 2 pid")
				.contains("Dropped a connection to the settings socket");
			assertThat(run.awaitLine((line) -> line.startsWith("supervisor command "), START))
				.contains("dev.samboot.sam.internal.lean.LeanSupervisor", AdoptedProcess.ADD_OPENS, "-Xmx20m");
			assertThat(run.output()).doesNotContain("FAIL:");
		}
	}

	@Test
	void supervisorExitsWithTheStatusOfAnInstanceOneThatEndsBeforeSendingTheSettings() throws Exception {
		try (SupervisedRun run = SupervisedRun.testSam("deferred-exit", "2000")) {
			assertThat(run.awaitExit(START)).as(run.output()).isEqualTo(3);
			assertThat(run.output()).contains("Instance 1 exited with status 3 before it sent its settings")
				.doesNotContain("instance 1 pid");
		}
	}

	@Test
	void detachedInstanceRunsUnsupervisedUnderAParentThatPassesSignalsOnAndExitsWithItsStatus() throws Exception {
		try (SupervisedRun run = SupervisedRun.testSam("deferred-detach", "2000")) {
			run.awaitLine((line) -> line.startsWith("detached"), START);
			long instance = Long.parseLong(value(run, "deferred instance pid "));
			assertThat(run.output()).contains("detached, pending false active false");
			ProcessHandle.of(run.pid()).orElseThrow().destroy();
			assertThat(run.awaitExit(START)).as(run.output()).isEqualTo(7);
			await().atMost(Duration.ofSeconds(10))
				.until(() -> ProcessHandle.of(instance).map((p) -> !p.isAlive()).orElse(true));
		}
	}

	@Test
	void settingsThatNeedALargerHeapStartTheLeanSupervisorAgainWithIt() throws Exception {
		try (SupervisedRun run = SupervisedRun.testSam("deferred-data", "2000")) {
			assertThat(run.awaitExit(START)).as(run.output()).isEqualTo(5);
			String deferred = value(run, "deferred instance pid ");
			assertThat(run.output()).contains("instance 1 pid " + deferred + " restarts 0 max data 8388608");
			assertThat(run.awaitLine((line) -> line.startsWith("supervisor command "), START))
				.contains("dev.samboot.sam.internal.lean.LeanSupervisor", "-Xmx48m")
				.doesNotContain("-Xmx20m");
		}
	}

	@Test
	void settingsWithoutALeanSupervisorStartTheApplicationAgainToSuperviseInItsOwnJvm() throws Exception {
		try (SupervisedRun run = SupervisedRun.testSam("deferred-relaunch", "2000")) {
			assertThat(run.awaitExit(START)).as(run.output()).isEqualTo(5);
			long deferred = Long.parseLong(value(run, "deferred instance pid "));
			assertThat(run.output()).contains("Starting again with the supervisor in the application's JVM")
				.doesNotContain("instance 1 pid " + deferred + " ");
			assertThat(run.awaitLine((line) -> line.startsWith("supervisor command "), START))
				.contains("-Dsam.supervisor.early-launch=false", "dev.samboot.sam.TestSam deferred-relaunch")
				.doesNotContain("LeanSupervisor");
			assertThat(ProcessHandle.of(deferred).map(ProcessHandle::isAlive).orElse(false)).isFalse();
		}
	}

	private static String value(SupervisedRun run, String prefix) {
		return run.awaitLine((line) -> line.startsWith(prefix), START).substring(prefix.length()).trim();
	}

}
