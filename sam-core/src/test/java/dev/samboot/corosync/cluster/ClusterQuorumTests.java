package dev.samboot.corosync.cluster;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.samboot.corosync.CmapStatePublisher;
import dev.samboot.corosync.cluster.CorosyncCluster.QuorumStatus;
import dev.samboot.sam.Signals;
import dev.samboot.sam.SupervisedRun;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static dev.samboot.corosync.cluster.ClusterInstance.assertNeverRecovered;
import static dev.samboot.corosync.cluster.ClusterInstance.at;
import static dev.samboot.corosync.cluster.ClusterInstance.awaitEvent;
import static dev.samboot.corosync.cluster.ClusterInstance.latestQuorate;
import static dev.samboot.corosync.cluster.ClusterInstance.stopCleanly;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * samboot's quorum and cmap flags on a real corosync cluster of three nodes, each a
 * network namespace with its own daemon ({@link CorosyncCluster}). A supervisor runs
 * inside a node ({@link ClusterInstance}), so that its quorum is that node's view of the
 * cluster and its cmap that node's cmap; the test cuts links and stops daemons as a
 * network or an operator would, and reads {@code corosync-quorumtool} and
 * {@code corosync-cmapctl} on each node as an operator would. One cluster serves the
 * whole class; every test leaves it healed, with all nodes running. Skipped, saying why,
 * where no cluster can be made (not root, no corosync, no network namespaces).
 */
class ClusterQuorumTests {

	private static final int INTERVAL_MILLIS = 1000;

	private static final Duration START = Duration.ofSeconds(30);

	/** Lost quorum is noticed within seconds (token 1000 ms, consensus 1200 ms). */
	private static final Duration MEMBERSHIP = Duration.ofSeconds(20);

	/** Marks every JVM these tests start, supervisors and instances alike. */
	private static final String MARKER = "-Dsamboot.cluster.test=";

	/** {@code resources.process.4242.state (str) = running}. */
	private static final Pattern CMAPCTL_LINE = Pattern
		.compile("resources\\.process\\.(\\d+)\\.(\\S+) \\((\\w+)\\) = (.*)");

	/** {@code recovery 1 quorum-lost status 137 at 1700000000000}. */
	private static final Pattern RECOVERY = Pattern.compile("recovery (\\d+) (\\S+) status (\\d+) at (\\d+)");

	private static CorosyncCluster cluster;

	private static long classStarted;

	private final List<SupervisedRun> runs = new ArrayList<>();

	@BeforeAll
	@Timeout(90)
	static void clusterUp() throws Exception {
		classStarted = System.nanoTime();
		cluster = CorosyncCluster.prepare();
		cluster.up(3);
		System.out.printf("corosync cluster of 3 (prefix %s): all members and quorate %d ms after cluster.sh up%n",
				cluster.prefix(), cluster.upTime().toMillis());
	}

	@AfterAll
	@Timeout(60)
	static void clusterDown() throws Exception {
		if (cluster == null) {
			return;
		}
		long down = System.nanoTime();
		try {
			cluster.close();
		}
		finally {
			cluster = null;
		}
		System.out.printf("cluster.sh down took %d ms; the class took %d ms in all%n",
				TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - down),
				TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - classStarted));
	}

	@AfterEach
	@Timeout(60)
	void endRunsAndRestoreTheCluster() throws Exception {
		for (SupervisedRun run : this.runs) {
			run.close();
		}
		List<Long> left;
		try {
			left = CorosyncCluster.endProcessesMentioning(MARKER + cluster.prefix(), Duration.ofSeconds(10));
		}
		finally {
			cluster.restore(START);
		}
		assertThat(left).as("processes of this test left running").isEmpty();
	}

	@Test
	@Timeout(90)
	void quorumRestartOnAPartitionedNodeIsWarnedKilledAndWaitsWhileTheOthersRunOn() throws Exception {
		SupervisedRun[] node = { null, supervise(1, "quorum-restart"), supervise(2, "quorum-restart"),
				supervise(3, "quorum-restart") };
		long[] first = new long[4];
		for (int k = 1; k <= 3; k++) {
			first[k] = node[k].awaitInstance(1, START);
			awaitEvent(node[k], "started 1 ", START);
		}
		cluster.partition(3);
		long partitioned = System.currentTimeMillis();
		long warned = at(awaitEvent(node[3], "warned 1 ", MEMBERSHIP));
		Recovery recovery = Recovery.parse(awaitEvent(node[3], "recovery 1 ", START));
		assertThat(recovery.reason()).as(node[3].output()).isEqualTo("quorum-lost");
		assertThat(recovery.status()).isEqualTo(128 + Signals.SIGKILL);
		assertThat(SupervisedRun.isRunning(first[3])).isFalse();
		long waiting = node[3].awaitInstance(2, START);
		assertThat(awaitEvent(node[3], "waiting 2 ", START)).contains(" quorate false ");
		assertThat(cluster.quorumStatus(3).quorate()).as("node 3's corosync, cut off").isFalse();
		// start() keeps waiting while the node is cut off
		Thread.sleep(INTERVAL_MILLIS);
		assertThat(node[3].find((l) -> l.startsWith("started 2 "))).as(node[3].output()).isEmpty();
		assertThat(SupervisedRun.isRunning(waiting)).as("instance 2, waiting in start()").isTrue();
		assertThat(latestQuorate(node[3])).isFalse();
		for (int k = 1; k <= 2; k++) {
			QuorumStatus status = cluster.quorumStatus(k);
			assertThat(status.quorate()).as("node %d's corosync: %s", k, status.output()).isTrue();
			assertThat(status.members()).isEqualTo(2);
		}
		cluster.heal(3);
		long healed = System.currentTimeMillis();
		long started = at(awaitEvent(node[3], "started 2 ", START));
		// the instance's watcher prints sam.quorate() every 5 ms, from a thread of its
		// own:
		// its line may come a little after start() returned
		await().atMost(Duration.ofSeconds(2))
			.pollInterval(Duration.ofMillis(10))
			.untilAsserted(() -> assertThat(latestQuorate(node[3])).as(node[3].output()).isTrue());
		for (int k = 1; k <= 2; k++) {
			assertNeverRecovered(node[k], first[k]);
			assertThat(latestQuorate(node[k])).isTrue();
		}
		System.out.printf(
				"cluster, quorum-restart, T=%d ms: partition -> warn signal %d ms, warn -> SIGKILL seen %d ms, "
						+ "heal -> start() of instance 2 returned %d ms%n",
				INTERVAL_MILLIS, warned - partitioned, recovery.at() - warned, started - healed);
		// corosync needs the token timeout (1000 ms) at least to notice a lost node
		assertThat(warned - partitioned).as("partition -> warn").isBetween(1000L, MEMBERSHIP.toMillis());
		assertThat(recovery.at() - warned).as("warn -> SIGKILL, heartbeats notwithstanding")
			.isBetween(INTERVAL_MILLIS - 250L, 3L * INTERVAL_MILLIS);
		assertThat(started - healed).as("heal -> start").isBetween(0L, START.toMillis());
		stopCleanly(node[1], node[2], node[3]);
	}

	@Test
	@Timeout(60)
	void quorumQuitOnAPartitionedNodeQuitsWithTheKilledInstancesStatus() throws Exception {
		SupervisedRun run = supervise(3, "quorum-quit");
		run.awaitInstance(1, START);
		awaitEvent(run, "started 1 ", START);
		cluster.partition(3);
		long partitioned = System.currentTimeMillis();
		long warned = at(awaitEvent(run, "warned 1 ", MEMBERSHIP));
		// the warn signal is handled, so SIGKILL follows T later; the supervisor quits
		// with the instance's status, as libsam does
		assertThat(run.awaitExit(START)).as(run.output()).isEqualTo(128 + Signals.SIGKILL);
		long quit = System.currentTimeMillis();
		assertThat(run.output()).doesNotContain("instance 2").contains("quorum-lost");
		System.out.printf("cluster, quorum-quit, T=%d ms: partition -> warn signal %d ms, warn -> supervisor gone "
				+ "%d ms (status 137)%n", INTERVAL_MILLIS, warned - partitioned, quit - warned);
		assertThat(quit - warned).as("warn -> quit").isBetween(INTERVAL_MILLIS - 250L, 4L * INTERVAL_MILLIS);
		cluster.heal(3);
		cluster.waitQuorate(3, true, START);
	}

	@Test
	@Timeout(120)
	void twoNodesSplitWithTheThirdStoppedAreQuorateOnNeitherSideAndSambootFollowsCorosync() throws Exception {
		SupervisedRun[] node = { null, supervise(1, "quorum-restart"), supervise(2, "quorum-restart"), null };
		long[] first = new long[3];
		// the JVMs start while node 3's daemon stops
		cluster.stop(3);
		awaitMembers(1, 2);
		awaitMembers(2, 2);
		for (int k = 1; k <= 2; k++) {
			QuorumStatus status = cluster.quorumStatus(k);
			assertThat(status.quorate()).as("node %d, 2 of 3 votes: %s", k, status.output()).isTrue();
			assertThat(status.totalVotes()).isEqualTo(2);
			assertThat(status.expectedVotes()).isEqualTo(3);
		}
		// node 3's corosync is stopped: no quorum service, so no supervising at all
		assertThat(cluster.quorumStatus(3).answered()).isFalse();
		node[3] = supervise(3, "quorum-restart");
		for (int k = 1; k <= 2; k++) {
			first[k] = node[k].awaitInstance(1, START);
			awaitEvent(node[k], "started 1 ", START);
		}
		assertSambootFollowsCorosync(node, 1, 2);
		for (int k = 1; k <= 2; k++) {
			assertNeverRecovered(node[k], first[k]);
		}
		assertThat(node[3].awaitExit(START)).as(node[3].output()).isEqualTo(ClusterInstance.REGISTER_FAILED);
		assertThat(node[3].output()).contains("register-failed LIBRARY").doesNotContain("instance 1");
		assertSambootFollowsCorosync(node, 1, 2);
		cluster.partition(2);
		long partitioned = System.currentTimeMillis();
		awaitMembers(1, 1);
		awaitMembers(2, 1);
		long[] warned = new long[3];
		for (int k = 1; k <= 2; k++) {
			QuorumStatus status = cluster.quorumStatus(k);
			assertThat(status.quorate()).as("node %d, 1 of 3 votes: %s", k, status.output()).isFalse();
			assertThat(status.totalVotes()).isEqualTo(1);
			warned[k] = at(awaitEvent(node[k], "warned 1 ", MEMBERSHIP));
			Recovery recovery = Recovery.parse(awaitEvent(node[k], "recovery 1 ", START));
			assertThat(recovery.reason()).isEqualTo("quorum-lost");
			assertThat(recovery.status()).isEqualTo(128 + Signals.SIGKILL);
			assertThat(awaitEvent(node[k], "waiting 2 ", START)).contains(" quorate false ");
		}
		assertSambootFollowsCorosync(node, 1, 2);
		cluster.heal(2);
		long healed = System.currentTimeMillis();
		long[] started = new long[3];
		for (int k = 1; k <= 2; k++) {
			started[k] = at(awaitEvent(node[k], "started 2 ", START));
		}
		assertSambootFollowsCorosync(node, 1, 2);
		System.out.printf(
				"cluster, 2 nodes of 3 split: partition -> warn signal %d ms (node 1), %d ms (node 2); heal -> "
						+ "start %d ms (node 1), %d ms (node 2)%n",
				warned[1] - partitioned, warned[2] - partitioned, started[1] - healed, started[2] - healed);
		cluster.start(3);
		cluster.waitQuorate(3, true, START);
		for (int k = 1; k <= 3; k++) {
			awaitMembers(k, 3);
		}
		assertSambootFollowsCorosync(node, 1, 2);
		stopCleanly(node[1], node[2]);
	}

	@Test
	@Timeout(90)
	void eachSupervisorPublishesItsStateInItsOwnNodesCmapOnly() throws Exception {
		SupervisedRun[] node = { null, supervise(1, "quorum-restart-cmap"), supervise(2, "quorum-restart-cmap"),
				supervise(3, "quorum-restart-cmap") };
		for (int k = 1; k <= 3; k++) {
			node[k].awaitInstance(1, START);
			awaitEvent(node[k], "started 1 ", START);
		}
		Map<Integer, Map<Long, Map<String, String>>> before = new TreeMap<>();
		for (int k = 1; k <= 3; k++) {
			Map<Long, Map<String, String>> published = cmap(k);
			before.put(k, published);
			assertThat(published).as("node %d's cmap", k).containsKey(node[k].pid());
			assertThat(published.get(node[k].pid())).containsEntry("state", "running")
				.containsEntry("recovery", "restart")
				.containsEntry("poll_period", Integer.toString(INTERVAL_MILLIS))
				.containsKey("last_updated");
			long lastUpdated = Long.parseLong(published.get(node[k].pid()).get("last_updated"));
			assertThat(epochNanos() - lastUpdated).as("last_updated, ns since the epoch")
				.isBetween(0L, TimeUnit.SECONDS.toNanos(30));
			for (int j = 1; j <= 3; j++) {
				if (j != k) {
					assertThat(published).as("node %d's cmap holds nothing of node %d's supervisor", k, j)
						.doesNotContainKey(node[j].pid());
				}
			}
		}
		assertNotInTheHostsCmap(node[1].pid(), node[2].pid(), node[3].pid());
		cluster.partition(3);
		node[3].awaitInstance(2, START);
		awaitEvent(node[3], "waiting 2 ", START);
		await().atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(100))
			.untilAsserted(() -> assertThat(cmap(3).get(node[3].pid())).containsEntry("state", "waiting for quorum"));
		for (int k = 1; k <= 2; k++) {
			Map<String, String> keys = cmap(k).get(node[k].pid());
			assertThat(keys).as("node %d, still quorate", k).containsEntry("state", "running");
			assertThat(Long.parseLong(keys.get("last_updated")))
				.as("node %d's last_updated, renewed by the heartbeats", k)
				.isGreaterThan(Long.parseLong(before.get(k).get(node[k].pid()).get("last_updated")));
		}
		cluster.heal(3);
		awaitEvent(node[3], "started 2 ", START);
		assertThat(cmap(3).get(node[3].pid())).containsEntry("state", "running");
		stopCleanly(node[1], node[2], node[3]);
		for (int k = 1; k <= 3; k++) {
			assertThat(cmap(k)).as("node %d's cmap after a clean stop", k).doesNotContainKey(node[k].pid());
		}
	}

	/**
	 * Start a {@link ClusterInstance} supervisor inside a node.
	 */
	private SupervisedRun supervise(int node, String policy) throws IOException {
		List<String> command = new ArrayList<>(cluster.command(node).command());
		command.addAll(SupervisedRun.javaCommand());
		// starts a little sooner on a busy machine
		command.add("-XX:+UseSerialGC");
		command.add(MARKER + cluster.prefix());
		command.add("-cp");
		command.add(SupervisedRun.testClassPath());
		command.add(ClusterInstance.class.getName());
		command.add(policy);
		command.add(Integer.toString(INTERVAL_MILLIS));
		SupervisedRun run = SupervisedRun.start(command);
		this.runs.add(run);
		return run;
	}

	/**
	 * samboot's view, {@code sam.quorate()} in the instance, comes to be what the node's
	 * corosync says.
	 */
	private static void assertSambootFollowsCorosync(SupervisedRun[] node, int... nodes) {
		for (int k : nodes) {
			await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
				QuorumStatus corosync = cluster.quorumStatus(k);
				assertThat(corosync.answered()).as("node %d's corosync answers", k).isTrue();
				assertThat(latestQuorate(node[k])).as("node %d: sam.quorate() against %s", k, corosync.output())
					.isEqualTo(corosync.quorate());
			});
		}
	}

	private static void awaitMembers(int node, int members) {
		await().atMost(MEMBERSHIP)
			.pollInterval(Duration.ofMillis(100))
			.until(() -> cluster.quorumStatus(node).members() == members);
	}

	/**
	 * {@code corosync-cmapctl resources.process.} on a node: supervisor pid to its keys.
	 */
	private static Map<Long, Map<String, String>> cmap(int node) throws IOException, InterruptedException {
		CorosyncCluster.Result result = cluster.exec(node, "corosync-cmapctl", "resources.process.");
		// no key with the prefix: nothing printed, status 1
		assertThat(result.status() == 0 || (result.status() == 1 && result.output().isBlank()))
			.as("corosync-cmapctl on node %d: status %d, %s", node, result.status(), result.output())
			.isTrue();
		return parseCmap(result.output());
	}

	private static Map<Long, Map<String, String>> parseCmap(String output) {
		Map<Long, Map<String, String>> published = new TreeMap<>();
		for (String line : output.split("\n")) {
			Matcher matcher = CMAPCTL_LINE.matcher(line);
			if (matcher.matches()) {
				published.computeIfAbsent(Long.parseLong(matcher.group(1)), (pid) -> new TreeMap<>())
					.put(matcher.group(2), matcher.group(4));
			}
		}
		return published;
	}

	/**
	 * The machine's own corosync, outside the cluster's namespaces (when one runs), holds
	 * none of these keys either.
	 */
	private static void assertNotInTheHostsCmap(long... pids) throws IOException, InterruptedException {
		for (long pid : pids) {
			Process process = new ProcessBuilder("corosync-cmapctl", CmapStatePublisher.keyPrefix(pid))
				.redirectErrorStream(true)
				.start();
			String output = new String(process.getInputStream().readAllBytes());
			process.waitFor();
			assertThat(parseCmap(output)).as("the host's cmap").doesNotContainKey(pid);
		}
	}

	private static long epochNanos() {
		Instant now = Instant.now();
		return TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
	}

	/** A {@code recovery ...} line: what the supervisor handed over. */
	private record Recovery(int instance, String reason, int status, long at) {

		static Recovery parse(String line) {
			Matcher matcher = RECOVERY.matcher(line);
			if (!matcher.matches()) {
				throw new AssertionError("not a recovery line: " + line);
			}
			return new Recovery(Integer.parseInt(matcher.group(1)), matcher.group(2),
					Integer.parseInt(matcher.group(3)), Long.parseLong(matcher.group(4)));
		}

	}

}
