package dev.samboot.sample;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.samboot.corosync.cluster.CorosyncCluster;
import dev.samboot.corosync.cluster.CorosyncCluster.QuorumStatus;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The sample jar on a real corosync cluster of three nodes ({@link CorosyncCluster}: one
 * network namespace and one daemon per node), one supervisor per node, all three in one
 * closed process group of this run's own, under {@code quorum-restart} with T = 1 s. Each
 * sample runs inside its node, so that its CPG and its quorum are that node's, and is
 * read over HTTP from inside its node too ({@code ip netns exec ... curl}). The tests run
 * in order on the same cluster and samples:
 * <ol>
 * <li>the three instances are one group of three members on three nodes, and a message
 * sent on node 1 is delivered on all three, as are messages sent on nodes 1 and 2 at the
 * same time, in one order;</li>
 * <li>node 3 is cut off: nodes 1 and 2 see its member leave with {@code nodedown} and
 * stay quorate with their first instance; node 3 loses quorum, its instance is warned and
 * ends, and the next one serves, alone in the group, and waits for quorum; messages sent
 * on nodes 1 and 2 meanwhile are delivered on both in one order;</li>
 * <li>node 3 is linked again: its waiting instance, a new pid, starts and joins the
 * others ({@code nodeup}), and all three see three members again; messages sent on nodes
 * 1 and 2 meanwhile are delivered in one order on both, and node 3 delivers the end of
 * that order.</li>
 * </ol>
 * Skipped, saying why, where no cluster can be made (not root, no corosync, no network
 * namespaces) or curl is missing.
 */
@ExtendWith(PrintOutputOnFailure.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {

	/** Three JVMs and their supervisors start at once on a busy 2-core machine. */
	private static final Duration START_UP = Duration.ofSeconds(100);

	/** A membership change takes seconds (token 1000 ms, consensus 1200 ms). */
	private static final Duration MEMBERSHIP = Duration.ofSeconds(20);

	/** Partition to the next instance serving: quorum lost, SIGTERM, a new JVM. */
	private static final Duration RESTART = Duration.ofSeconds(60);

	private static final Duration DELIVERY = Duration.ofSeconds(20);

	/**
	 * Messages each of nodes 1 and 2 sends in a batch: the two senders' messages together
	 * stay within the 100 that the sample keeps.
	 */
	private static final int PER_NODE = 45;

	/**
	 * Messages a second, plus 3 per node, while the membership changes: the senders go on
	 * for 4-6 s, before, while and after the change (some 3.5 s after a partition, 2 s
	 * after a heal).
	 */
	private static final int SLOW = 5;

	private static final int[] NODES = { 1, 2, 3 };

	private static final JsonMapper json = JsonMapper.builder().build();

	private static final NodeSample[] sample = new NodeSample[4];

	/** The pid of each node's first instance. */
	private static final long[] first = new long[4];

	private static CorosyncCluster cluster;

	private static String group;

	private static long classStarted;

	/** Set once node 3 is cut off, its next instance waiting for quorum. */
	private static long partitionedAt;

	private static long secondOnNode3;

	private static final Map<String, Long> timings = new LinkedHashMap<>();

	@BeforeAll
	@Timeout(180)
	static void clusterAndSamplesUp() throws Exception {
		classStarted = System.nanoTime();
		cluster = CorosyncCluster.prepare();
		assumeTrue(onPath("curl"),
				"curl is not installed (apt-get install curl): the cluster test reads the samples inside their nodes with it");
		cluster.up(3);
		group = "samboot-cluster-it-" + UUID.randomUUID().toString().substring(0, 8);
		long starting = System.nanoTime();
		// all three at once: each JVM takes some 15 s to serve on this machine
		for (int k : NODES) {
			sample[k] = NodeSample.start(k, "--sam.cpg.group=" + group, "--sam.policy=quorum-restart",
					"--sam.interval=1s");
		}
		for (int k : NODES) {
			JsonNode sam = sample[k].awaitSam("instance 1 serving", START_UP,
					(s) -> s.path("instanceId").asInt() == 1 && "STARTED".equals(s.path("state").asString()));
			first[k] = sam.path("pid").asLong();
		}
		System.out.printf(
				"corosync cluster of 3 (prefix %s) up in %d ms; the three samples served %d ms after they were launched%n",
				cluster.prefix(), cluster.upTime().toMillis(),
				TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - starting));
	}

	@AfterAll
	@Timeout(120)
	static void samplesAndClusterDown() throws Exception {
		long down = System.nanoTime();
		List<String> problems = new ArrayList<>();
		for (int k : NODES) {
			if (sample[k] != null) {
				try {
					sample[k].close();
				}
				catch (AssertionError ex) {
					problems.add("node " + k + ": " + ex.getMessage());
				}
				sample[k] = null;
			}
		}
		if (group != null) {
			for (long pid : CorosyncCluster.killProcessesMentioning("--sam.cpg.group=" + group)) {
				problems.add("process " + pid + " of group " + group + " still ran");
			}
		}
		if (cluster != null) {
			try {
				cluster.close();
			}
			finally {
				cluster = null;
			}
		}
		System.out.printf("samples and cluster down in %d ms; the class took %d ms in all%n",
				TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - down),
				TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - classStarted));
		assertThat(problems).as("left behind").isEmpty();
	}

	@BeforeEach
	void printTheSamplesOutputOnFailure() {
		for (int k : NODES) {
			if (sample[k] != null) {
				SampleAppProcess.addOutputOfThisTest(sample[k].output);
			}
		}
	}

	@Test
	@Order(1)
	@Timeout(60)
	void theSamplesOnThreeNodesAreOneGroupAndDeliverTheSameMessagesInTheSameOrder() throws Exception {
		for (int k : NODES) {
			JsonNode sam = sample[k].awaitSam("three members", MEMBERSHIP,
					(s) -> s.path("cpg").path("members").size() == 3);
			assertThat(sam.path("quorate").asBoolean()).as("node %d: %s", k, sam).isTrue();
			JsonNode cpg = sam.path("cpg");
			assertThat(cpg.path("group").asString()).isEqualTo(group);
			assertThat(cpg.path("joined").asBoolean()).isTrue();
			assertThat(cpg.path("self").path("nodeId").asLong()).as("node %d's own member", k).isEqualTo(k);
			assertThat(cpg.path("self").path("pid").asLong()).isEqualTo(first[k]);
			assertThat(members(cpg)).as("node %d's members", k)
				.containsExactlyInAnyOrder("1/" + first[1], "2/" + first[2], "3/" + first[3]);
		}
		String hello = "hello from node 1, " + group;
		sample[1].post("/demo/cpg/messages", hello);
		for (int k : NODES) {
			awaitDelivered(k, hello, 1, first[1]);
		}
		Batch steady = Batch.start("steady", 40, 10, 1, 2);
		steady.awaitSent();
		List<String> order = steady.awaitDelivered(1);
		assertThat(steady.awaitDelivered(2)).as("node 2's order against node 1's").isEqualTo(order);
		assertThat(steady.awaitDelivered(3)).as("node 3's order against node 1's").isEqualTo(order);
		steady.report(order);
	}

	@Test
	@Order(2)
	@Timeout(120)
	void aPartitionedNodesMemberLeavesWithNodedownAndItsNextInstanceWaitsForQuorumAlone() throws Exception {
		NodeObserver node3 = NodeObserver.start(3);
		long partitioned;
		Batch batch;
		try {
			cluster.partition(3);
			partitioned = System.currentTimeMillis();
			batch = Batch.start("partition", PER_NODE, SLOW, 1, 2);
			// nodes 1 and 2: node 3's member leaves with nodedown
			for (int k = 1; k <= 2; k++) {
				JsonNode members = sample[k].awaitJson("/demo/cpg/members", "node 3's member to leave", MEMBERSHIP,
						(m) -> members(m).size() == 2);
				assertThat(members(members)).containsExactlyInAnyOrder("1/" + first[1], "2/" + first[2]);
				JsonNode change = change(members, "left", 3, first[3]);
				assertThat(change).as("node %d saw node 3's member leave: %s", k, members).isNotNull();
				assertThat(reason(change, "left", 3, first[3])).isEqualTo("nodedown");
				if (k == 1) {
					long nodedown = Instant.parse(change.path("time").asString()).toEpochMilli() - partitioned;
					timings.put("partition -> nodedown seen on node 1", nodedown);
					// corosync needs the token timeout (1000 ms) at least to notice a
					// lost
					// node
					assertThat(nodedown).as("partition -> nodedown").isBetween(500L, MEMBERSHIP.toMillis());
				}
			}
			// node 3: instance 1 is warned and ends; instance 2 serves and waits for
			// quorum
			JsonNode waiting = sample[3].awaitSam("instance 2 waiting for quorum", RESTART,
					(s) -> s.path("instanceId").asInt() >= 2 && !s.path("quorate").asBoolean(true));
			NodeObserver.Observation quorateFalse = node3.awaitFirst((s) -> !s.path("quorate").asBoolean(true));
			node3.stop();
			assertThat(waiting.path("instanceId").asInt()).as("node 3: %s", waiting).isEqualTo(2);
			assertThat(waiting.path("state").asString()).as("start() waits for quorum").isEqualTo("REGISTERED");
			assertThat(waiting.path("quorate").asBoolean(true)).isFalse();
			secondOnNode3 = waiting.path("pid").asLong();
			assertThat(secondOnNode3).isNotIn(first[3], sample[3].supervisor.pid());
			JsonNode recovery = waiting.path("recoveries").get(0);
			assertThat(recovery.path("instance").asInt()).as("%s", waiting).isEqualTo(1);
			assertThat(recovery.path("pid").asLong()).isEqualTo(first[3]);
			assertThat(recovery.path("reason").asString()).isEqualTo("quorum-lost");
			assertThat(recovery.path("action").asString()).isEqualTo("restart");
			// ended on the warn signal (SIGTERM), or killed T later
			assertThat(recovery.path("exitStatus").asInt()).isIn(128 + 15, 128 + 9);
			assertThat(ProcessHandle.of(first[3]).filter(ProcessHandle::isAlive)).as("node 3's instance 1").isEmpty();
			// alone in the group, on its side of the partition
			JsonNode cpg = waiting.path("cpg");
			assertThat(cpg.path("joined").asBoolean()).isTrue();
			assertThat(members(cpg)).containsExactly("3/" + secondOnNode3);
			assertThat(cluster.quorumStatus(3).quorate()).as("node 3's corosync, cut off").isFalse();
			// the supervisor's log tells what HTTP could not
			sample[3].awaitLine("Instance 2 waits for quorum", RESTART);
			long quorumLost = sample[3].timeOf("[supervisor]", "The corosync cluster lost quorum");
			sample[3].timeOf("[supervisor]", "Quorum lost while instance 1 is started");
			sample[3].timeOf("[supervisor]", "Instance 1 (pid " + first[3] + ") lost quorum: sending SIGTERM");
			sample[3].timeOf("[supervisor]", "Instance 1 ended (quorum-lost, status ");
			sample[3].timeOf("[supervisor]", "Launched instance 2 of the active process (pid " + secondOnNode3 + ")");
			// instance 1 of node 3 saw the other two leave with nodedown before it ended
			assertThat(sample[3].line((line) -> line.contains("CpgDemoController")
					&& line.contains("members [3/" + first[3] + "], left [")
					&& line.contains("1/" + first[1] + " nodedown") && line.contains("2/" + first[2] + " nodedown")))
				.as("node 3's instance 1 saw nodes 1 and 2 leave with nodedown:\n%s", sample[3].tail())
				.isPresent();
			timings.put("partition -> quorum lost (node 3's supervisor log)", quorumLost - partitioned);
			timings.put("partition -> quorate false in node 3's /actuator/sam (instance "
					+ quorateFalse.sam().path("instanceId").asInt() + ")", quorateFalse.at() - partitioned);
			System.out.println("node 3's /actuator/sam after the partition: " + node3.summary(partitioned));
			// nodes 1 and 2: quorate, still their first instance
			for (int k = 1; k <= 2; k++) {
				assertStillFirstInstance(k);
				QuorumStatus status = cluster.quorumStatus(k);
				assertThat(status.quorate()).as("node %d's corosync: %s", k, status.output()).isTrue();
				assertThat(status.members()).isEqualTo(2);
			}
		}
		finally {
			node3.stop();
		}
		batch.awaitSent();
		List<String> order = batch.awaitDelivered(1);
		assertThat(batch.awaitDelivered(2)).as("node 2's order against node 1's").isEqualTo(order);
		batch.report(order);
		partitionedAt = partitioned;
	}

	@Test
	@Order(3)
	@Timeout(90)
	void healedTheWaitingInstanceStartsAndJoinsTheOthers() throws Exception {
		assumeTrue(partitionedAt != 0, "the partition test did not get to node 3's waiting instance");
		cluster.heal(3);
		long healed = System.currentTimeMillis();
		Batch batch = Batch.start("heal", PER_NODE, SLOW, 1, 2);
		JsonNode started = sample[3].awaitSam("instance 2 started", MEMBERSHIP,
				(s) -> "STARTED".equals(s.path("state").asString()));
		long serving = System.currentTimeMillis();
		assertThat(started.path("instanceId").asInt()).as("node 3: %s", started).isEqualTo(2);
		assertThat(started.path("pid").asLong()).isEqualTo(secondOnNode3);
		assertThat(started.path("quorate").asBoolean()).isTrue();
		String[] all = { "1/" + first[1], "2/" + first[2], "3/" + secondOnNode3 };
		for (int k : NODES) {
			JsonNode sam = sample[k].awaitSam("three members", MEMBERSHIP,
					(s) -> members(s.path("cpg")).equals(Set.of(all)));
			assertThat(sam.path("quorate").asBoolean()).as("node %d: %s", k, sam).isTrue();
		}
		long threeMembers = System.currentTimeMillis();
		long quorateAgain = sample[3].timeOf("[supervisor]", "Quorate again: instance 2 starts");
		for (int k = 1; k <= 2; k++) {
			JsonNode members = json.readTree(sample[k].getBody("/demo/cpg/members"));
			JsonNode change = change(members, "joined", 3, secondOnNode3);
			assertThat(change).as("node %d saw node 3's new member join: %s", k, members).isNotNull();
			// a partition merged, not a process joining afresh
			assertThat(reason(change, "joined", 3, secondOnNode3)).isEqualTo("nodeup");
			assertStillFirstInstance(k);
		}
		assertThat(cluster.quorumStatus(3).quorate()).as("node 3's corosync").isTrue();
		assertThat(sample[3].line("[supervisor]", "Launched instance 3")).as("node 3, still instance 2").isEmpty();
		batch.awaitSent();
		List<String> order = batch.awaitDelivered(1);
		assertThat(batch.awaitDelivered(2)).as("node 2's order against node 1's").isEqualTo(order);
		// node 3 delivers what was ordered after it was a member again, in the same
		// order:
		// once it has a message sent after nodes 1 and 2 delivered the whole batch, it
		// has
		// delivered all of the batch that it ever will
		String end = "end of the heal batch, " + group;
		sample[1].post("/demo/cpg/messages", end);
		awaitDelivered(3, end, 1, first[1]);
		List<String> onNode3 = batch.delivered(3);
		assertThat(order.subList(order.size() - onNode3.size(), order.size())).as("the end of node 1's order")
			.isEqualTo(onNode3);
		batch.report(order);
		System.out.printf("node 3 delivered the last %d of the %d messages sent while it merged%n", onNode3.size(),
				order.size());
		timings.put("heal -> quorate again (node 3's supervisor log)", quorateAgain - healed);
		timings.put("heal -> node 3's instance 2 started and serving", serving - healed);
		timings.put("heal -> three members on every node", threeMembers - healed);
		StringBuilder report = new StringBuilder("cluster timings:");
		timings.forEach((name, millis) -> report.append(String.format("%n  %s: %d ms", name, millis)));
		System.out.println(report);
		assertThat(threeMembers - healed).as("heal -> three members").isLessThan(MEMBERSHIP.toMillis());
	}

	private static void assertStillFirstInstance(int node) {
		JsonNode sam = json.readTree(sample[node].getBody("/actuator/sam"));
		assertThat(sam.path("quorate").asBoolean()).as("node %d: %s", node, sam).isTrue();
		assertThat(sam.path("instanceId").asInt()).isEqualTo(1);
		assertThat(sam.path("pid").asLong()).isEqualTo(first[node]);
		assertThat(sam.path("restarts").asInt()).isZero();
		assertThat(sam.path("state").asString()).isEqualTo("STARTED");
		assertThat(sample[node].line("[supervisor]", "Launched instance 2")).as("node %d never restarted", node)
			.isEmpty();
		assertThat(sample[node].line("[supervisor]", "Quorum lost")).isEmpty();
	}

	/** The members of a CPG description as {@code nodeId/pid}. */
	private static Set<String> members(JsonNode described) {
		Set<String> members = new TreeSet<>();
		described.path("members").forEach((m) -> members.add(m.path("nodeId").asLong() + "/" + m.path("pid").asLong()));
		return members;
	}

	/** The last change whose {@code left} or {@code joined} lists a member. */
	private static JsonNode change(JsonNode members, String field, long nodeId, long pid) {
		JsonNode found = null;
		for (JsonNode change : members.path("changes")) {
			if (reason(change, field, nodeId, pid) != null) {
				found = change;
			}
		}
		return found;
	}

	private static String reason(JsonNode change, String field, long nodeId, long pid) {
		for (JsonNode member : change.path(field)) {
			if (member.path("nodeId").asLong() == nodeId && member.path("pid").asLong() == pid) {
				return member.path("reason").asString();
			}
		}
		return null;
	}

	private static void awaitDelivered(int node, String text, long nodeId, long pid) {
		sample[node].awaitJson("/demo/cpg/messages", "'" + text + "' delivered", DELIVERY,
				(messages) -> messages.valueStream()
					.anyMatch((m) -> m.path("text").asString().equals(text) && m.path("nodeId").asLong() == nodeId
							&& m.path("pid").asLong() == pid));
	}

	private static boolean onPath(String tool) {
		for (String entry : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
			if (!entry.isEmpty() && Files.isExecutable(Path.of(entry, tool))) {
				return true;
			}
		}
		return false;
	}

	/**
	 * What curl inside a node got.
	 *
	 * @param status the HTTP status
	 * @param body the body
	 */
	private record Answer(int status, String body) {
	}

	/**
	 * The sample jar started inside a node ({@code ip netns exec <node> java -jar ...}):
	 * that JVM is the node's supervisor and launches the instances. Read over HTTP with
	 * curl inside the node, and through its output,
	 * {@code target/e2e/cluster-node<k>.log}, which its instances share.
	 */
	private static final class NodeSample implements AutoCloseable {

		private static final Pattern LAUNCHED = Pattern
			.compile("Launched instance (\\d+) of the active process \\(pid (\\d+)\\)");

		private final int node;

		private final Process supervisor;

		private final Path output;

		private NodeSample(int node, Process supervisor, Path output) {
			this.node = node;
			this.supervisor = supervisor;
			this.output = output;
		}

		static NodeSample start(int node, String... args) throws IOException {
			List<String> command = new ArrayList<>();
			command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
			// each JVM, supervisor and instances, starts sooner on a busy machine
			command.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
			command.addAll(List.of("-jar", SampleAppProcess.jar().toString(), "--server.port=8080"));
			command.addAll(List.of(args));
			Path output = Files
				.createDirectories(Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("target/e2e"))
				.resolve("cluster-node" + node + ".log");
			ProcessBuilder builder = cluster.command(node, command.toArray(String[]::new))
				.redirectOutput(output.toFile());
			builder.environment().keySet().removeIf((variable) -> variable.startsWith("SAM_"));
			// ip netns exec execs the command: the process is the supervisor
			return new NodeSample(node, builder.start(), output);
		}

		/**
		 * GET a path with curl inside the node.
		 * @return the answer, empty when none came (nothing listens, a timeout)
		 */
		Optional<Answer> get(String path) throws IOException, InterruptedException {
			CorosyncCluster.Result result = cluster.exec(this.node, "curl", "-s", "-m", "5", "-w", "\\n%{http_code}",
					"http://127.0.0.1:8080" + path);
			if (result.status() != 0) {
				return Optional.empty();
			}
			String output = result.output();
			int newline = output.lastIndexOf('\n');
			return Optional
				.of(new Answer(Integer.parseInt(output.substring(newline + 1).strip()), output.substring(0, newline)));
		}

		String getBody(String path) {
			try {
				Answer answer = get(path).orElseThrow(
						() -> new AssertionError("node " + this.node + ": GET " + path + " got no answer\n" + tail()));
				assertThat(answer.status()).as("node %d: GET %s: %s", this.node, path, answer.body()).isEqualTo(200);
				return answer.body();
			}
			catch (IOException | InterruptedException ex) {
				throw new AssertionError("node " + this.node + ": GET " + path + " failed", ex);
			}
		}

		void post(String path, String text) throws IOException, InterruptedException {
			CorosyncCluster.Result result = cluster.exec(this.node, "curl", "-s", "-m", "10", "-o", "/dev/null", "-w",
					"%{http_code}", "-H", "Content-Type: text/plain", "--data-binary", text,
					"http://127.0.0.1:8080" + path);
			assertThat(result.output().strip()).as("node %d: POST %s", this.node, path).isEqualTo("202");
		}

		/** Read {@code /actuator/sam} once; empty when no instance answers. */
		Optional<JsonNode> sam() throws IOException, InterruptedException {
			return get("/actuator/sam").filter((answer) -> answer.status() == 200)
				.map((answer) -> json.readTree(answer.body()));
		}

		JsonNode awaitSam(String what, Duration timeout, Predicate<JsonNode> condition) {
			return awaitJson("/actuator/sam", what, timeout, condition);
		}

		/** Wait until GET path answers 200 with JSON that meets a condition. */
		JsonNode awaitJson(String path, String what, Duration timeout, Predicate<JsonNode> condition) {
			JsonNode[] last = new JsonNode[1];
			try {
				await(what).atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> {
					Optional<Answer> answer = get(path).filter((a) -> a.status() == 200);
					if (answer.isEmpty()) {
						if (!this.supervisor.isAlive()) {
							throw new AssertionError("node " + this.node + ": the supervisor exited with status "
									+ this.supervisor.exitValue() + "\n" + tail());
						}
						return false;
					}
					last[0] = json.readTree(answer.get().body());
					return condition.test(last[0]);
				});
				return last[0];
			}
			catch (ConditionTimeoutException ex) {
				throw new AssertionError("node " + this.node + ": no " + what + " (GET " + path + ") within " + timeout
						+ "; last answer " + last[0] + "\n" + tail(), ex);
			}
		}

		List<String> lines() {
			try {
				return Files.readAllLines(this.output, StandardCharsets.UTF_8);
			}
			catch (IOException ex) {
				throw new AssertionError("cannot read " + this.output, ex);
			}
		}

		/** The first line holding both texts. */
		Optional<String> line(String text, String other) {
			return line((line) -> line.contains(text) && line.contains(other));
		}

		Optional<String> line(Predicate<String> condition) {
			return lines().stream().filter(condition).findFirst();
		}

		void awaitLine(String text, Duration timeout) {
			try {
				await().atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> line(text, text).isPresent());
			}
			catch (ConditionTimeoutException ex) {
				throw new AssertionError("node " + this.node + ": no '" + text + "' within " + timeout + "\n" + tail(),
						ex);
			}
		}

		/** When the first line holding both texts was logged, ms since the epoch. */
		long timeOf(String text, String other) {
			String line = line(text, other).orElseThrow(() -> new AssertionError(
					"node " + this.node + ": no line with '" + text + "' and '" + other + "'\n" + tail()));
			return OffsetDateTime.parse(line.substring(0, line.indexOf(' '))).toInstant().toEpochMilli();
		}

		String tail() {
			List<String> all = lines();
			return "--- last lines of " + this.output + " ---\n"
					+ String.join("\n", all.subList(Math.max(0, all.size() - 60), all.size()));
		}

		/** The pids of the instances the supervisor launched. */
		List<Long> launched() {
			List<Long> pids = new ArrayList<>();
			for (String line : lines()) {
				Matcher matcher = LAUNCHED.matcher(line);
				if (matcher.find()) {
					pids.add(Long.parseLong(matcher.group(2)));
				}
			}
			return pids;
		}

		/**
		 * SIGTERM to the supervisor, which stops its instance and quits; then SIGKILL, by
		 * pid, to whatever of them still runs, and check that nothing is left. Runs to
		 * the end even when the test was interrupted by its timeout.
		 */
		@Override
		public void close() {
			boolean interrupted = Thread.interrupted();
			try {
				List<ProcessHandle> ours = new ArrayList<>(this.supervisor.descendants().toList());
				this.supervisor.destroy();
				try {
					if (!this.supervisor.waitFor(20, TimeUnit.SECONDS)) {
						System.out.println("node " + this.node + ": the supervisor " + this.supervisor.pid()
								+ " still ran 20 s after SIGTERM: SIGKILL");
					}
				}
				catch (InterruptedException ex) {
					interrupted = true;
				}
				ours.addAll(this.supervisor.descendants().toList());
				for (long pid : launched()) {
					ProcessHandle.of(pid).ifPresent(ours::add);
				}
				this.supervisor.destroyForcibly();
				ours.forEach(ProcessHandle::destroyForcibly);
				List<Long> left = new ArrayList<>();
				try {
					await().atMost(Duration.ofSeconds(10))
						.pollInterval(Duration.ofMillis(50))
						.until(() -> !this.supervisor.isAlive() && ours.stream().noneMatch(ProcessHandle::isAlive));
				}
				catch (ConditionTimeoutException ex) {
					ours.stream().filter(ProcessHandle::isAlive).forEach((p) -> left.add(p.pid()));
				}
				assertThat(left).as("node %d: still running after SIGKILL", this.node).isEmpty();
			}
			finally {
				if (interrupted) {
					Thread.currentThread().interrupt();
				}
			}
		}

	}

	/**
	 * Reads a node's {@code /actuator/sam} every 100 ms or so on a thread of its own, to
	 * tell when which instance answered and what it said.
	 */
	private static final class NodeObserver {

		private final int node;

		private final List<Observation> seen = new CopyOnWriteArrayList<>();

		private final Thread thread;

		private volatile boolean running = true;

		private NodeObserver(int node) {
			this.node = node;
			this.thread = new Thread(this::observe, "observe-node-" + node);
			this.thread.setDaemon(true);
		}

		static NodeObserver start(int node) {
			NodeObserver observer = new NodeObserver(node);
			observer.thread.start();
			return observer;
		}

		private void observe() {
			while (this.running) {
				try {
					JsonNode sam = sample[this.node].sam().orElse(null);
					// when the answer was there
					this.seen.add(new Observation(System.currentTimeMillis(), sam));
					Thread.sleep(100);
				}
				catch (InterruptedException ex) {
					return;
				}
				catch (IOException | RuntimeException ex) {
					this.seen.add(new Observation(System.currentTimeMillis(), null));
				}
			}
		}

		void stop() throws InterruptedException {
			this.running = false;
			this.thread.join(10_000);
		}

		/**
		 * Wait until an answer meets a condition.
		 * @return the first such answer, and when it came
		 */
		Observation awaitFirst(Predicate<JsonNode> condition) {
			try {
				return await().atMost(Duration.ofSeconds(10))
					.pollInterval(Duration.ofMillis(50))
					.until(() -> this.seen.stream()
						.filter((o) -> o.sam() != null && condition.test(o.sam()))
						.findFirst(), Optional::isPresent)
					.get();
			}
			catch (ConditionTimeoutException ex) {
				throw new AssertionError("node " + this.node + ": no such answer in " + summary(0), ex);
			}
		}

		/**
		 * The answers, one entry per run of like answers, with times relative to a time.
		 */
		String summary(long since) {
			StringBuilder summary = new StringBuilder();
			String previous = null;
			for (Observation observation : this.seen) {
				JsonNode sam = observation.sam();
				String now = (sam != null) ? "instance " + sam.path("instanceId").asInt() + " (pid "
						+ sam.path("pid").asLong() + ") " + sam.path("state").asString() + " quorate "
						+ sam.path("quorate").asBoolean() + " members " + members(sam.path("cpg")).size() : "no answer";
				if (!now.equals(previous)) {
					summary.append(String.format("%n  from %+d ms: %s", observation.at() - since, now));
					previous = now;
				}
			}
			return summary.toString();
		}

		/**
		 * One answer.
		 *
		 * @param at when it came, ms since the epoch
		 * @param sam what {@code /actuator/sam} said, {@code null} when nothing answered
		 */
		record Observation(long at, JsonNode sam) {
		}

	}

	/**
	 * Numbered messages, {@code <tag>-<node>-<n>}, posted on several nodes at the same
	 * time: one curl per node, inside it, posting one message after the other at a rate
	 * of its own ({@code rate + 3 * node} a second), so that the senders interleave.
	 */
	private static final class Batch {

		private final String tag;

		private final int perNode;

		private final int[] nodes;

		private final Map<Integer, FutureTask<CorosyncCluster.Result>> sends = new LinkedHashMap<>();

		private Batch(String tag, int perNode, int[] nodes) {
			this.tag = tag;
			this.perNode = perNode;
			this.nodes = nodes;
		}

		static Batch start(String tag, int perNode, int rate, int... nodes) {
			Batch batch = new Batch(tag, perNode, nodes);
			for (int k : nodes) {
				List<String> curl = new ArrayList<>(List.of("curl", "--rate", (rate + 3 * k) + "/s"));
				for (int n = 1; n <= perNode; n++) {
					if (n > 1) {
						curl.add("--next");
					}
					curl.addAll(List.of("-s", "-m", "10", "-o", "/dev/null", "-w", "%{http_code}\\n", "-H",
							"Content-Type: text/plain", "--data-binary", tag + "-" + k + "-" + n,
							"http://127.0.0.1:8080/demo/cpg/messages"));
				}
				FutureTask<CorosyncCluster.Result> send = new FutureTask<>(
						() -> cluster.exec(k, curl.toArray(String[]::new)));
				Thread thread = new Thread(send, "send-" + tag + "-" + k);
				thread.setDaemon(true);
				thread.start();
				batch.sends.put(k, send);
			}
			return batch;
		}

		/** Wait for every post to be answered, each 202 Accepted. */
		void awaitSent() throws InterruptedException, ExecutionException, TimeoutException {
			for (Map.Entry<Integer, FutureTask<CorosyncCluster.Result>> send : this.sends.entrySet()) {
				CorosyncCluster.Result result = send.getValue().get(60, TimeUnit.SECONDS);
				List<String> statuses = Arrays.asList(result.output().strip().split("\n"));
				assertThat(statuses).as("node %d's posts of batch '%s'", send.getKey(), this.tag)
					.hasSize(this.perNode)
					.containsOnly("202");
			}
		}

		/** This batch's messages a node delivered, in its order. */
		List<String> delivered(int node) {
			List<String> texts = new ArrayList<>();
			json.readTree(sample[node].getBody("/demo/cpg/messages"))
				.forEach((m) -> texts.add(m.path("text").asString()));
			texts.removeIf((text) -> !text.startsWith(this.tag + "-"));
			return texts;
		}

		/**
		 * Wait until a node has delivered the whole batch; check that each sender's
		 * messages come in the order sent, each once.
		 */
		List<String> awaitDelivered(int node) {
			int all = this.perNode * this.nodes.length;
			List<String> texts;
			try {
				texts = await("batch '" + this.tag + "' on node " + node).atMost(DELIVERY)
					.pollInterval(Duration.ofMillis(200))
					.until(() -> delivered(node), (t) -> t.size() >= all);
			}
			catch (ConditionTimeoutException ex) {
				throw new AssertionError("node " + node + " did not deliver the " + all + " messages of batch '"
						+ this.tag + "': " + delivered(node), ex);
			}
			assertThat(texts).as("node %d, batch '%s'", node, this.tag).hasSize(all).doesNotHaveDuplicates();
			for (int k : this.nodes) {
				List<String> fromK = texts.stream().filter((t) -> t.startsWith(this.tag + "-" + k + "-")).toList();
				List<String> sent = new ArrayList<>();
				for (int n = 1; n <= this.perNode; n++) {
					sent.add(this.tag + "-" + k + "-" + n);
				}
				assertThat(fromK).as("node %d delivers node %d's messages in the order sent", node, k).isEqualTo(sent);
			}
			return texts;
		}

		/**
		 * Say how the senders interleave along the agreed order: runs of one sender's
		 * messages, as {@code node x count}.
		 */
		void report(List<String> order) {
			List<String> runs = new ArrayList<>();
			int run = 0;
			for (int i = 0; i < order.size(); i++) {
				run++;
				if (i == order.size() - 1 || sender(order.get(i + 1)) != sender(order.get(i))) {
					runs.add(sender(order.get(i)) + "x" + run);
					run = 0;
				}
			}
			System.out.printf("batch '%s': %d messages from nodes %s delivered in one order, in %d runs: %s%n",
					this.tag, order.size(), Arrays.toString(this.nodes), runs.size(), String.join(" ", runs));
		}

		private int sender(String text) {
			return Integer.parseInt(text.substring(this.tag.length() + 1, text.lastIndexOf('-')));
		}

	}

}
