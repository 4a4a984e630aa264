package dev.samboot.sam;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The quorum and cmap flags against a real corosync (a one-node cluster, see
 * {@code corosync/corosync-single-node.conf}; CI starts one). Quorum is taken away and given back
 * as corosync's own tests do it, through {@code quorum.expected_votes}; the published keys are
 * checked with {@code corosync-cmapctl}, as an operator would. Without a running corosync these
 * tests are skipped, saying why.
 */
@Timeout(90)
class CorosyncProcessTests {

	private static final Duration START = Duration.ofSeconds(30);

	@BeforeAll
	static void corosyncIsRunning() {
		String reason = corosyncUnavailableReason();
		assumeTrue(reason == null, () -> "corosync is not running here, skipping its tests: " + reason);
	}

	private static String corosyncUnavailableReason() {
		try (Cmap cmap = Cmap.connect()) {
			return null;
		}
		catch (SamException ex) {
			return ex.getMessage();
		}
	}

	@AfterEach
	void restoreQuorum() {
		try (Cmap cmap = Cmap.connect()) {
			cmap.setUint32(CorosyncScenarios.EXPECTED_VOTES, 1);
		}
	}

	@Test
	void quorumStartBlocksUntilQuorateAndLosingQuorumRecovers() throws Exception {
		try (SupervisedRun run = SupervisedRun.testSam("quorum", "1000")) {
			long first = run.awaitInstance(1, START);
			run.awaitLine("waiting-for-quorum"::equals, START);
			Thread.sleep(1500);
			assertThat(run.output()).doesNotContain("instance 2");
			PosixSignals.send(ProcessHandle.of(first).orElseThrow(), Signals.SIGKILL);
			run.awaitLine("started-with-quorum"::equals, START);
			run.awaitLine("quorum-taken-away"::equals, START);
			assertThat(run.awaitExit(START)).as(run.output()).isZero();
			assertThat(run.output()).contains("instance 3 pid").doesNotContain("FAIL");
		}
	}

	@Test
	void cmapQuitPublishesStateAndKeepsFailedAfterRecovery() throws Exception {
		try (SupervisedRun run = SupervisedRun.testSam("cmap-quit", "1000")) {
			assertThat(run.awaitExit(START)).as(run.output()).isEqualTo(5);
			assertThat(run.output()).doesNotContain("FAIL").contains("last_updated");
			String prefix = CmapStatePublisher.keyPrefix(run.pid());
			assertThat(cmapctl("-g", prefix + "state")).contains("failed");
			assertThat(cmapctl("-g", prefix + "recovery")).contains("quit");
			cmapctl("-D", prefix);
		}
	}

	@Test
	void cmapKeysAreRemovedAfterACleanStop() throws Exception {
		try (SupervisedRun run = SupervisedRun.testSam("cmap-clean", "1000")) {
			assertThat(run.awaitExit(START)).as(run.output()).isZero();
			assertThat(run.output()).doesNotContain("FAIL");
			assertThat(cmapctl("-p", CmapStatePublisher.keyPrefix(run.pid()))).doesNotContain("state");
		}
	}

	@Test
	void cmapRestartMarkFailedKillsAndQuitsWithStateFailed() throws Exception {
		try (SupervisedRun run = SupervisedRun.testSam("cmap-restart", "1000")) {
			run.awaitLine("marking-failed"::equals, START);
			assertThat(run.awaitExit(START)).as(run.output()).isEqualTo(128 + Signals.SIGKILL);
			assertThat(run.output()).doesNotContain("instance 2").doesNotContain("FAIL");
			String prefix = CmapStatePublisher.keyPrefix(run.pid());
			assertThat(cmapctl("-g", prefix + "state")).contains("failed");
			cmapctl("-D", prefix);
		}
	}

	@Test
	void quorumPolicyFailsAtRegisterWhenTheQuorumServiceCannotBeReached() {
		Sam sam = Sam.create(SamOptions.builder(Duration.ofSeconds(1), RecoveryPolicy.QUORUM_RESTART)
			.quorumSource(() -> {
				throw new SamException(CsError.LIBRARY, "no quorum service");
			})
			.build(), SamPlatform.system());
		assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(SamException.class, sam::register).error())
			.isEqualTo(CsError.LIBRARY);
	}

	private static String cmapctl(String... args) throws IOException, InterruptedException {
		String[] command = new String[args.length + 1];
		command[0] = "corosync-cmapctl";
		System.arraycopy(args, 0, command, 1, args.length);
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		process.waitFor();
		return output;
	}

}
