package dev.samboot.zookeeper;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import dev.samboot.corosync.cluster.CorosyncCluster;
import dev.samboot.sam.Signals;
import dev.samboot.sam.SupervisedRun;
import dev.samboot.zookeeper.ZooKeeperPartitionEnsemble.Mode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import static dev.samboot.corosync.cluster.ClusterInstance.assertNeverRecovered;
import static dev.samboot.corosync.cluster.ClusterInstance.at;
import static dev.samboot.corosync.cluster.ClusterInstance.awaitEvent;
import static dev.samboot.corosync.cluster.ClusterInstance.latestQuorate;
import static dev.samboot.corosync.cluster.ClusterInstance.stopCleanly;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The ZooKeeper quorum source against a real loss of majority: a three-node cluster of
 * network namespaces linked by a bridge ({@link CorosyncCluster}; its corosync daemons
 * play no part here) with one ZooKeeper server on each node
 * ({@link ZooKeeperPartitionEnsemble}) and, on each node, a {@code QUORUM_RESTART}
 * supervisor whose {@link ZooKeeperQuorum} is connected to the server on its own node
 * only ({@link ZooKeeperPartitionInstance}). Cutting a node off the bridge leaves its
 * server without a majority, so it stops serving and its client is suspended, then lost;
 * the other two servers keep their majority of two and serve on. Nothing is stopped:
 * every server runs throughout, only the network changes. A follower is cut off first,
 * which costs the others nothing; then the leader, which costs them an election. One
 * cluster and one ensemble serve the whole class, in that order. Skipped, saying why,
 * where no cluster can be made (not root, no corosync, no network namespaces).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ZooKeeperPartitionTests {

	private static final int INTERVAL_MILLIS = 1000;

	private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(3);

	private static final Duration START = Duration.ofSeconds(30);

	/** A follower notices a lost leader within syncLimit ticks (1 s). */
	private static final Duration NOTICE = Duration.ofSeconds(20);

	/** Marks every JVM these tests supervise, supervisors and instances alike. */
	private static final String INSTANCE_MARKER = "-Dsamboot.zk.partition.instance=";

	/** Marks every ZooKeeper server these tests start. */
	private static final String SERVER_MARKER = "-Dsamboot.zk.partition.server=";

	/** {@code recovery 1 quorum-lost status 137 at 1700000000000}. */
	private static final Pattern RECOVERY = Pattern.compile("recovery (\\d+) (\\S+) status (\\d+) at (\\d+)");

	/** {@code instance 2 pid 4242 supervisor 4200 at 1700000000000}. */
	private static final Pattern INSTANCE = Pattern.compile("instance (\\d+) pid (\\d+) .*");

	/** Curator's log of its connection states, in the supervisor's output. */
	private static final String STATE_CHANGE = "State change: ";

	private static CorosyncCluster cluster;

	private static ZooKeeperPartitionEnsemble ensemble;

	private static long classStarted;

	private final List<SupervisedRun> runs = new ArrayList<>();

	@BeforeAll
	@Timeout(120)
	static void clusterAndEnsembleUp() throws Exception {
		classStarted = System.nanoTime();
		cluster = CorosyncCluster.prepare();
		cluster.up(3);
		long starting = System.nanoTime();
		ensemble = ZooKeeperPartitionEnsemble.start(cluster, SERVER_MARKER + cluster.prefix(), START);
		System.out.printf(
				"cluster of 3 (prefix %s) up after %d ms; ZooKeeper servers on %s, %s, %s all serving %d ms later%n",
				cluster.prefix(), cluster.upTime().toMillis(), ensemble.address(1), ensemble.address(2),
				ensemble.address(3), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - starting));
	}

	@AfterAll
	@Timeout(90)
	static void ensembleAndClusterDown() throws Exception {
		try {
			if (ensemble != null) {
				ensemble.close();
			}
		}
		finally {
			ensemble = null;
			if (cluster != null) {
				try {
					cluster.close();
				}
				finally {
					cluster = null;
				}
			}
		}
		System.out.printf("ZooKeeper partition tests took %d ms in all%n",
				TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - classStarted));
	}

	@AfterEach
	@Timeout(60)
	void endRunsAndHeal() throws Exception {
		for (SupervisedRun run : this.runs) {
			run.close();
		}
		List<Long> left;
		try {
			left = CorosyncCluster.endProcessesMentioning(INSTANCE_MARKER + cluster.prefix(), Duration.ofSeconds(10));
		}
		finally {
			cluster.restore(START);
			for (int k = 1; k <= 3; k++) {
				ensemble.awaitServing(k, START);
			}
		}
		assertThat(left).as("processes of this test left running").isEmpty();
	}

	@Test
	@Order(1)
	@Timeout(120)
	void aNodeCutOffLosesItsServersMajorityItsInstanceIsRestartedIntoAWaitAndTheOthersRunOn() throws Exception {
		// the node cut off must not lead: were it the leader, the other two would elect a
		// new one, and stop serving their own clients meanwhile
		Mode[] before = { null, ensemble.mode(1), ensemble.mode(2), ensemble.mode(3) };
		assertThat(before[3]).as("node 3's server, before the partition:\n%s", ensemble.logTail(3))
			.isEqualTo(Mode.FOLLOWER);
		assertThat(List.of(before[1], before[2])).as("nodes 1 and 2's servers").contains(Mode.LEADER);
		SupervisedRun[] node = { null, supervise(1), supervise(2), supervise(3) };
		long[] first = new long[4];
		for (int k = 1; k <= 3; k++) {
			first[k] = node[k].awaitInstance(1, START);
			awaitEvent(node[k], "started 1 ", START);
			assertThat(stateChanges(node[k])).as("node %d's client", k).containsExactly("CONNECTED");
		}

		cluster.partition(3);
		long partitioned = System.currentTimeMillis();
		long warned = at(awaitEvent(node[3], "warned 1 ", NOTICE));
		assertThat(stateChanges(node[3])).as("node 3's client, its server cut off from the others")
			.startsWith("CONNECTED", "SUSPENDED");
		Recovery recovery = Recovery.parse(awaitEvent(node[3], "recovery 1 ", START));
		assertThat(recovery.reason()).as(node[3].output()).isEqualTo("quorum-lost");
		assertThat(recovery.status()).isEqualTo(128 + Signals.SIGKILL);
		assertThat(SupervisedRun.isRunning(first[3])).isFalse();
		long waiting = node[3].awaitInstance(2, START);
		assertThat(awaitEvent(node[3], "waiting 2 ", START)).contains(" quorate false ");
		// cut off, not stopped: node 3's server runs but has no majority to serve with
		assertThat(ensemble.isRunning(3)).isTrue();
		assertThat(ensemble.mode(3)).as("node 3's server, cut off").isEqualTo(Mode.NOT_SERVING);
		Mode[] majority = { null, ensemble.mode(1), ensemble.mode(2) };
		assertThat(List.of(majority[1], majority[2])).as("nodes 1 and 2's servers, a majority of two")
			.containsExactlyInAnyOrder(Mode.LEADER, Mode.FOLLOWER);
		// the session expires while the node is cut off; start() keeps waiting
		awaitStateChange(node[3], "LOST", SESSION_TIMEOUT.multipliedBy(4));
		long lost = System.currentTimeMillis();
		assertThat(node[3].find((l) -> l.startsWith("started 2 "))).as(node[3].output()).isEmpty();
		assertThat(SupervisedRun.isRunning(waiting)).as("instance 2, waiting in start()").isTrue();
		assertThat(latestQuorate(node[3])).isFalse();

		cluster.heal(3);
		long healed = System.currentTimeMillis();
		long started = at(awaitEvent(node[3], "started 2 ", START));
		// the instance prints its quorate from a thread of its own, polling every 5 ms:
		// the
		// line may come just after "started"
		await("node 3's instance to print quorate true").atMost(Duration.ofSeconds(2))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> latestQuorate(node[3]));
		assertThat(stateChanges(node[3])).as("node 3's client").endsWith("RECONNECTED");
		assertThat(ensemble.awaitServing(3, START)).as("node 3's server, back").isEqualTo(Mode.FOLLOWER);
		for (int k = 1; k <= 2; k++) {
			assertNeverRecovered(node[k], first[k]);
			assertThat(stateChanges(node[k])).as("node %d's client, its server in the majority", k)
				.containsExactly("CONNECTED");
			assertThat(latestQuorate(node[k])).isTrue();
		}
		System.out.printf(
				"ZooKeeper partition, T=%d ms, session timeout %d ms: partition -> warn signal on node 3 %d ms, "
						+ "warn -> SIGKILL seen %d ms, partition -> session LOST %d ms; heal -> start() of "
						+ "instance 2 returned %d ms; node 3's client: %s%n",
				INTERVAL_MILLIS, SESSION_TIMEOUT.toMillis(), warned - partitioned, recovery.at() - warned,
				lost - partitioned, started - healed, stateChanges(node[3]));
		// a follower notices after syncLimit ticks (2 x 500 ms) without word from its
		// leader
		assertThat(warned - partitioned).as("partition -> warn").isBetween(500L, NOTICE.toMillis());
		assertThat(recovery.at() - warned).as("warn -> SIGKILL, heartbeats notwithstanding")
			.isBetween(INTERVAL_MILLIS - 250L, 3L * INTERVAL_MILLIS);
		assertThat(started - healed).as("heal -> start").isBetween(0L, START.toMillis());
		stopCleanly(node[1], node[2], node[3]);
	}

	/**
	 * Unlike corosync's quorum, which the nodes keeping a majority never lose, a
	 * ZooKeeper leader cut off costs every server an election: the two left stop serving
	 * their own clients until one of them leads. Their clients are suspended meanwhile,
	 * which {@link ZooKeeperQuorum} counts as not quorate, so the instances on those
	 * nodes are warned too (and killed and restarted when the election and the
	 * reconnection take longer than T). They run again without waiting for the heal; only
	 * the node cut off waits for it.
	 */
	@Test
	@Order(2)
	@Timeout(120)
	void aLeaderCutOffCostsTheOthersAnElectionDuringWhichTheirInstancesAreWarnedToo() throws Exception {
		int leader = leader();
		int[] others = IntStream.rangeClosed(1, 3).filter((k) -> k != leader).toArray();
		SupervisedRun[] node = { null, supervise(1), supervise(2), supervise(3) };
		for (int k = 1; k <= 3; k++) {
			node[k].awaitInstance(1, START);
			awaitEvent(node[k], "started 1 ", START);
		}

		cluster.partition(leader);
		long partitioned = System.currentTimeMillis();
		long[] warned = new long[4];
		for (int k = 1; k <= 3; k++) {
			warned[k] = at(awaitEvent(node[k], "warned 1 ", NOTICE));
		}
		// the two left elect a leader and serve their clients again, the heal still to
		// come
		for (int k : others) {
			awaitStateChange(node[k], "RECONNECTED", NOTICE);
		}
		List<Mode> majority = List.of(ensemble.awaitServing(others[0], START), ensemble.awaitServing(others[1], START));
		assertThat(majority).as("nodes %d and %d's servers", others[0], others[1])
			.containsExactlyInAnyOrder(Mode.LEADER, Mode.FOLLOWER);
		// a SIGKILL comes T after the warning or not at all; the next instance then
		// starts
		// at once, quorum being back
		long killsDue = Math.max(warned[others[0]], warned[others[1]]) + INTERVAL_MILLIS + 500;
		Thread.sleep(Math.max(0, killsDue - System.currentTimeMillis()));
		for (int k : others) {
			SupervisedRun run = node[k];
			await().atMost(START).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> assertRunningAndStarted(run));
			assertThat(stateChanges(run)).as("node %d's client", k)
				.startsWith("CONNECTED", "SUSPENDED")
				.endsWith("RECONNECTED")
				.doesNotContain("LOST");
			// printed from the instance's own polling thread, perhaps just after
			// "started"
			await("node " + k + "'s instance to print quorate true").atMost(Duration.ofSeconds(2))
				.pollInterval(Duration.ofMillis(20))
				.until(() -> latestQuorate(run));
		}
		assertThat(ensemble.mode(leader)).as("node %d's server, the old leader, cut off", leader)
			.isEqualTo(Mode.NOT_SERVING);
		Recovery recovery = Recovery.parse(awaitEvent(node[leader], "recovery 1 ", START));
		assertThat(recovery.reason()).isEqualTo("quorum-lost");
		assertThat(awaitEvent(node[leader], "waiting 2 ", START)).contains(" quorate false ");
		awaitStateChange(node[leader], "LOST", SESSION_TIMEOUT.multipliedBy(4));
		assertThat(node[leader].find((l) -> l.startsWith("started 2 "))).as(node[leader].output()).isEmpty();

		cluster.heal(leader);
		long healed = System.currentTimeMillis();
		long started = at(awaitEvent(node[leader], "started 2 ", START));
		assertThat(ensemble.awaitServing(leader, START)).as("node %d's server, back", leader).isEqualTo(Mode.FOLLOWER);
		StringBuilder summary = new StringBuilder();
		for (int k : others) {
			summary.append(String.format("; node %d: warned after %d ms, not quorate for %d ms, %s", k,
					warned[k] - partitioned, notQuorateFor(node[k]),
					node[k].find((l) -> l.startsWith("recovery 1 ")).isPresent() ? "killed and restarted"
							: "not killed"));
		}
		System.out.printf(
				"ZooKeeper leader cut off, T=%d ms: node %d (the leader): partition -> warn signal %d ms, heal -> "
						+ "start() of instance 2 returned %d ms%s%n",
				INTERVAL_MILLIS, leader, warned[leader] - partitioned, started - healed, summary);
		for (int k = 1; k <= 3; k++) {
			assertThat(warned[k] - partitioned).as("node %d: partition -> warn", k).isBetween(0L, NOTICE.toMillis());
		}
		stopCleanly(node[1], node[2], node[3]);
	}

	/**
	 * Return the node whose server leads.
	 */
	private static int leader() throws IOException, InterruptedException {
		for (int k = 1; k <= 3; k++) {
			if (ensemble.mode(k) == Mode.LEADER) {
				return k;
			}
		}
		throw new AssertionError("no server leads: " + ensemble.logTail(1));
	}

	/**
	 * Assert that the run's latest instance has returned from start() and runs.
	 */
	private static void assertRunningAndStarted(SupervisedRun run) {
		List<String> lines = run.lines();
		for (int i = lines.size() - 1; i >= 0; i--) {
			Matcher matcher = INSTANCE.matcher(lines.get(i));
			if (matcher.matches()) {
				assertThat(run.output()).as("instance %s", matcher.group(1))
					.contains("started " + matcher.group(1) + " ");
				assertThat(SupervisedRun.isRunning(Long.parseLong(matcher.group(2))))
					.as("instance %s runs:%n%s", matcher.group(1), run.output())
					.isTrue();
				return;
			}
		}
		throw new AssertionError("no instance:\n" + run.output());
	}

	/**
	 * Return how long {@code sam.quorate()} was first false, in the instances of a run:
	 * from the first {@code false} to the next {@code true}.
	 */
	private static long notQuorateFor(SupervisedRun run) {
		long from = -1;
		for (String line : run.lines()) {
			if (line.startsWith("quorate ")) {
				boolean quorate = Boolean.parseBoolean(line.split(" ")[2]);
				if (!quorate && from < 0) {
					from = at(line);
				}
				else if (quorate && from >= 0) {
					return at(line) - from;
				}
			}
		}
		throw new AssertionError("not quorate, then quorate, not seen:\n" + run.output());
	}

	/**
	 * Start a {@link ZooKeeperPartitionInstance} supervisor inside a node, connected to
	 * that node's server only.
	 */
	private SupervisedRun supervise(int node) throws IOException {
		List<String> command = new ArrayList<>(cluster.command(node).command());
		command.addAll(SupervisedRun.javaCommand());
		command.addAll(List.of("-XX:+UseSerialGC", "-Xmx64m", INSTANCE_MARKER + cluster.prefix(),
				// Curator's connection states, each on a line; little else of its
				// client's logs
				"-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
				"-Dorg.slf4j.simpleLogger.log.org.apache.curator.framework.state.ConnectionStateManager=info", "-cp",
				SupervisedRun.testClassPath(), ZooKeeperPartitionInstance.class.getName(), ensemble.connectString(node),
				Integer.toString(INTERVAL_MILLIS), Long.toString(SESSION_TIMEOUT.toMillis())));
		SupervisedRun run = SupervisedRun.start(command);
		this.runs.add(run);
		return run;
	}

	/**
	 * Return the connection states Curator reported in a supervisor, in order.
	 */
	private static List<String> stateChanges(SupervisedRun run) {
		List<String> states = new ArrayList<>();
		for (String line : run.lines()) {
			int at = line.indexOf(STATE_CHANGE);
			if (at >= 0) {
				states.add(line.substring(at + STATE_CHANGE.length()).strip());
			}
		}
		return states;
	}

	private static void awaitStateChange(SupervisedRun run, String state, Duration timeout) {
		try {
			await().atMost(timeout).pollInterval(Duration.ofMillis(10)).until(() -> stateChanges(run).contains(state));
		}
		catch (org.awaitility.core.ConditionTimeoutException ex) {
			throw new AssertionError("no " + state + " within " + timeout + ":\n" + run.output(), ex);
		}
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
