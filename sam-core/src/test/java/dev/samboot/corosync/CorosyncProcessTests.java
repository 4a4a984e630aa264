package dev.samboot.corosync;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.samboot.sam.CsError;
import dev.samboot.sam.RecoveryPolicy;
import dev.samboot.sam.Sam;
import dev.samboot.sam.SamException;
import dev.samboot.sam.SamOptions;
import dev.samboot.sam.Signals;
import dev.samboot.sam.SupervisedRun;
import dev.samboot.sam.internal.process.PosixSignals;
import dev.samboot.sam.internal.process.SamPlatform;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The quorum and cmap flags against a real corosync (a one-node cluster, see
 * {@code corosync/corosync-single-node.conf}; CI starts one). Quorum is taken away and
 * given back as corosync's own tests do it, through {@code quorum.expected_votes}; the
 * published keys are checked with {@code corosync-cmapctl}, as an operator would. Without
 * a running corosync these tests are skipped, saying why.
 */
@Timeout(90)
class CorosyncProcessTests {

	private static final Duration START = Duration.ofSeconds(30);

	private static final long INTERVAL_MILLIS = 1000;

	/** {@code resources.process.42.state (str) = running}. */
	private static final Pattern CMAPCTL_LINE = Pattern.compile("(\\S+) \\((\\w+)\\) = (.*)");

	@BeforeAll
	static void corosyncIsRunning() {
		String reason = RunningCorosync.cmapUnavailableReason();
		assumeTrue(reason == null, () -> "corosync is not running here, skipping its tests: " + reason);
	}

	/** Key prefixes the supervisors of a test may have left behind. */
	private final List<String> prefixes = new ArrayList<>();

	@AfterEach
	void restoreQuorumAndRemoveKeys() throws Exception {
		try (Cmap cmap = Cmap.connect()) {
			cmap.setUint32(CorosyncScenarios.EXPECTED_VOTES, 1);
		}
		for (String prefix : this.prefixes) {
			cmapctl("-D", prefix);
		}
	}

	private String published(SupervisedRun run) {
		String prefix = CmapStatePublisher.keyPrefix(run.pid());
		this.prefixes.add(prefix);
		return prefix;
	}

	@Test
	void corosyncQuorumFollowsExpectedVotesSetByAnOperator() throws Exception {
		List<Boolean> changes = new CopyOnWriteArrayList<>();
		CorosyncQuorum quorum = new CorosyncQuorum();
		try {
			quorum.start(changes::add);
			assertThat(quorum.isQuorate()).isTrue();
			long takingAway = System.nanoTime();
			cmapctl("-s", CorosyncScenarios.EXPECTED_VOTES, "u32", "2");
			await().atMost(Duration.ofSeconds(5))
				.pollInterval(Duration.ofMillis(1))
				.until(() -> changes.contains(false));
			long lostAfter = (System.nanoTime() - takingAway) / 1_000_000;
			assertThat(quorum.isQuorate()).isFalse();
			assertThat(quorumtoolStatus()).as("corosync-quorumtool -s while not quorate").isEqualTo(2);
			long givingBack = System.nanoTime();
			cmapctl("-s", CorosyncScenarios.EXPECTED_VOTES, "u32", "1");
			await().atMost(Duration.ofSeconds(5))
				.pollInterval(Duration.ofMillis(1))
				.until(() -> changes.equals(List.of(false, true)));
			long backAfter = (System.nanoTime() - givingBack) / 1_000_000;
			assertThat(quorum.isQuorate()).isTrue();
			assertThat(quorumtoolStatus()).as("corosync-quorumtool -s while quorate").isZero();
			System.out
				.printf("corosync-cmapctl -s quorum.expected_votes u32 2: not quorate after %d ms; u32 1: quorate "
						+ "after %d ms (each including the corosync-cmapctl process)%n", lostAfter, backAfter);
		}
		finally {
			quorum.close();
		}
		assertThat(quorum.isQuorate()).as("after close").isFalse();
	}

	@Test
	void quorumStartBlocksUntilQuorateAndLosingQuorumRecovers() throws Exception {
		try (SupervisedRun run = SupervisedRun.testSam("quorum", Long.toString(INTERVAL_MILLIS))) {
			String prefix = published(run);
			long first = run.awaitInstance(1, START);
			run.awaitLine("waiting-for-quorum"::equals, START);
			await().atMost(START)
				.pollInterval(Duration.ofMillis(50))
				.until(() -> "waiting for quorum".equals(operatorView(prefix).get("state")));
			Thread.sleep(1500);
			assertThat(run.output()).doesNotContain("instance 2");
			assertThat(operatorView(prefix)).containsEntry("state", "waiting for quorum")
				.containsEntry("recovery", "restart");
			PosixSignals.send(ProcessHandle.of(first).orElseThrow(), Signals.SIGKILL);
			run.awaitLine("started-with-quorum"::equals, START);
			run.awaitLine("quorum-taken-away"::equals, START);
			assertThat(run.awaitExit(START)).as(run.output()).isZero();
			assertThat(run.output()).contains("instance 3 pid").doesNotContain("FAIL");
			String[] figures = run.awaitLine((l) -> l.startsWith("quorum-lost warn-after-ms "), START).split(" ");
			long warnAfter = Long.parseLong(figures[2]);
			long killAfter = Long.parseLong(figures[4]);
			long unblockedAfter = Long
				.parseLong(run.awaitLine((l) -> l.startsWith("start-unblocked-after-ms "), START).split(" ")[1]);
			System.out.printf(
					"corosync, T=%d ms: quorum taken away -> warn signal after %d ms, SIGKILL seen after %d ms;"
							+ " start() waited %d ms for quorum to come back%n",
					INTERVAL_MILLIS, warnAfter, killAfter, unblockedAfter);
			assertThat(warnAfter).as("warn signal after quorum was lost").isBetween(0L, INTERVAL_MILLIS);
			assertThat(killAfter).as("SIGKILL T after the warn signal, heartbeats notwithstanding")
				.isBetween(INTERVAL_MILLIS, 2 * INTERVAL_MILLIS + 500);
			assertThat(operatorView(prefix)).as("keys after a clean stop").isEmpty();
		}
	}

	@Test
	void cmapQuitPublishesStateAndKeepsFailedAfterRecovery() throws Exception {
		try (SupervisedRun run = SupervisedRun.testSam("cmap-quit", Long.toString(INTERVAL_MILLIS))) {
			assertThat(run.awaitExit(START)).as(run.output()).isEqualTo(5);
			assertThat(run.output()).doesNotContain("FAIL").contains("last_updated");
			String prefix = published(run);
			Map<String, String> keys = operatorView(prefix);
			assertThat(keys).containsOnlyKeys("recovery", "poll_period", "last_updated", "state")
				.containsEntry("state", "failed")
				.containsEntry("recovery", "quit")
				.containsEntry("poll_period", Long.toString(INTERVAL_MILLIS));
			assertThat(cmapctl("-g", prefix + "poll_period")).contains("(u64) = " + INTERVAL_MILLIS);
			assertThat(cmapctl("-g", prefix + "last_updated")).contains("(u64)");
			assertThat(cmapctl("-g", prefix + "state")).contains("(str) = failed");
			long lastUpdated = Long.parseLong(keys.get("last_updated"));
			Instant now = Instant.now();
			long nowNanos = TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
			assertThat(nowNanos - lastUpdated).as("last_updated is a recent ns timestamp")
				.isBetween(0L, TimeUnit.SECONDS.toNanos(30));
		}
	}

	@Test
	void cmapKeysAreRemovedAfterACleanStop() throws Exception {
		try (SupervisedRun run = SupervisedRun.testSam("cmap-clean", Long.toString(INTERVAL_MILLIS))) {
			assertThat(run.awaitExit(START)).as(run.output()).isZero();
			assertThat(run.output()).doesNotContain("FAIL").contains("last_updated");
			assertThat(operatorView(published(run))).isEmpty();
		}
	}

	@Test
	void cmapRestartMarkFailedKillsAndQuitsWithStateFailed() throws Exception {
		try (SupervisedRun run = SupervisedRun.testSam("cmap-restart", Long.toString(INTERVAL_MILLIS))) {
			run.awaitLine("marking-failed"::equals, START);
			assertThat(run.awaitExit(START)).as(run.output()).isEqualTo(128 + Signals.SIGKILL);
			assertThat(run.output()).doesNotContain("instance 2").doesNotContain("FAIL");
			String prefix = published(run);
			assertThat(operatorView(prefix)).containsEntry("state", "failed");
		}
	}

	@Test
	void quorumPolicyFailsAtRegisterWhenTheQuorumServiceCannotBeReached() {
		Sam sam = Sam
			.create(SamOptions.builder(Duration.ofSeconds(1), RecoveryPolicy.QUORUM_RESTART).quorumSource(() -> {
				throw new SamException(CsError.LIBRARY, "no quorum service");
			}).build(), SamPlatform.system());
		assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(SamException.class, sam::register).error())
			.isEqualTo(CsError.LIBRARY);
	}

	/**
	 * What an operator sees: {@code corosync-cmapctl <prefix>}, as key (without the
	 * prefix) to value.
	 */
	private static Map<String, String> operatorView(String prefix) throws IOException, InterruptedException {
		Map<String, String> keys = new TreeMap<>();
		for (String line : cmapctl(prefix).split("\n")) {
			Matcher matcher = CMAPCTL_LINE.matcher(line);
			if (matcher.matches() && matcher.group(1).startsWith(prefix)) {
				keys.put(matcher.group(1).substring(prefix.length()), matcher.group(3));
			}
		}
		return keys;
	}

	private static int quorumtoolStatus() throws IOException, InterruptedException {
		Process process = new ProcessBuilder("corosync-quorumtool", "-s").redirectErrorStream(true).start();
		process.getInputStream().readAllBytes();
		return process.waitFor();
	}

	/**
	 * Run {@code corosync-cmapctl} as an operator would.
	 * @param args its arguments
	 * @return what it printed
	 */
	static String cmapctl(String... args) throws IOException, InterruptedException {
		String[] command = new String[args.length + 1];
		command[0] = "corosync-cmapctl";
		System.arraycopy(args, 0, command, 1, args.length);
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		process.waitFor();
		return output;
	}

}
