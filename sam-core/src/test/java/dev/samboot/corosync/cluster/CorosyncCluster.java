package dev.samboot.corosync.cluster;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.awaitility.core.ConditionTimeoutException;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A corosync cluster of several nodes on this machine, made by
 * {@code corosync/cluster.sh} (one network namespace and one daemon per node, linked by a
 * bridge), with a prefix and a directory of its own so that it never meets another
 * cluster. {@link #close()} takes it down and checks that nothing of it is left: no
 * namespace with its prefix, no corosync it started.
 */
public final class CorosyncCluster implements AutoCloseable {

	private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(120);

	/** {@code node 1: corosync started (pid 4242) in namespace ...}. */
	private static final Pattern STARTED = Pattern.compile("node (\\d+): corosync started \\(pid (\\d+)\\).*");

	private static final String[] TOOLS = { "ip", "unshare", "corosync", "corosync-quorumtool", "corosync-cmapctl" };

	private final Path script;

	private final String prefix;

	private final Path directory;

	/** Every corosync pid this cluster started, by node: checked to be gone at close. */
	private final Map<Integer, Set<Long>> daemons = new HashMap<>();

	private final Set<Integer> partitioned = new TreeSet<>();

	private final Set<Integer> stopped = new TreeSet<>();

	private int nodes;

	private Duration upTime = Duration.ZERO;

	private CorosyncCluster(Path script, String prefix, Path directory) {
		this.script = script;
		this.prefix = prefix;
		this.directory = directory;
	}

	/**
	 * Prepare a cluster with a random prefix ({@code sbq<4 hex>-}) and a new temporary
	 * directory; nothing runs before {@link #up(int)}. Skips the calling test, saying
	 * why, when this machine cannot have one: not root, a tool missing, no network
	 * namespaces.
	 * @return the cluster, not yet up
	 */
	public static CorosyncCluster prepare() throws IOException, InterruptedException {
		Path script = Path.of(System.getProperty("user.dir")).resolve("../corosync/cluster.sh").normalize();
		assumeTrue(Files.isRegularFile(script), () -> "no " + script + ": cluster tests skipped");
		int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
		assumeTrue(uid == 0, () -> "not root (uid " + uid + "): a corosync cluster needs network namespaces");
		for (String tool : TOOLS) {
			assumeTrue(onPath(tool), () -> tool + " is not installed: corosync cluster tests skipped");
		}
		String prefix = "sbq" + Integer.toHexString(0x1000 + ThreadLocalRandom.current().nextInt(0xf000)) + "-";
		String probe = prefix + "probe";
		Result added = run(List.of("ip", "netns", "add", probe), Duration.ofSeconds(10));
		if (added.status() == 0) {
			run(List.of("ip", "netns", "delete", probe), Duration.ofSeconds(10));
		}
		assumeTrue(added.status() == 0,
				() -> "cannot make a network namespace (" + added.output().strip() + "): cluster tests skipped");
		return new CorosyncCluster(script, prefix, Files.createTempDirectory("samboot-cluster-"));
	}

	private static boolean onPath(String tool) {
		String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin";
		for (String entry : path.split(File.pathSeparator)) {
			if (!entry.isEmpty() && Files.isExecutable(Path.of(entry, tool))) {
				return true;
			}
		}
		return false;
	}

	/**
	 * {@code cluster.sh up N}: make the nodes, start their daemons and wait until every
	 * node is a member and quorate.
	 * @param count the number of nodes
	 */
	public void up(int count) throws IOException, InterruptedException {
		long began = System.nanoTime();
		this.nodes = count;
		String output = script("up", Integer.toString(count));
		this.upTime = Duration.ofNanos(System.nanoTime() - began);
		recordDaemons(output);
	}

	private void recordDaemons(String output) {
		for (String line : output.split("\n")) {
			Matcher matcher = STARTED.matcher(line);
			if (matcher.matches()) {
				this.daemons.computeIfAbsent(Integer.parseInt(matcher.group(1)), (k) -> new TreeSet<>())
					.add(Long.parseLong(matcher.group(2)));
			}
		}
	}

	/**
	 * Return how long {@link #up(int)} took, until all nodes were members and quorate.
	 * @return the time
	 */
	public Duration upTime() {
		return this.upTime;
	}

	/**
	 * Cut a node off the others: its link to the bridge goes down.
	 * @param node the node, from 1
	 */
	public void partition(int node) throws IOException, InterruptedException {
		script("partition", Integer.toString(node));
		this.partitioned.add(node);
	}

	/**
	 * Link a node to the others again.
	 * @param node the node, from 1
	 */
	public void heal(int node) throws IOException, InterruptedException {
		script("heal", Integer.toString(node));
		this.partitioned.remove(node);
	}

	/**
	 * Stop a node's daemon.
	 * @param node the node, from 1
	 */
	public void stop(int node) throws IOException, InterruptedException {
		script("stop", Integer.toString(node));
		this.stopped.add(node);
	}

	/**
	 * Start a node's daemon again.
	 * @param node the node, from 1
	 */
	public void start(int node) throws IOException, InterruptedException {
		recordDaemons(script("start", Integer.toString(node)));
		this.stopped.remove(node);
	}

	/**
	 * Wait until a node's corosync says it is, or is not, quorate.
	 * @param node the node, from 1
	 * @param quorate the state to wait for
	 * @param timeout how long at most (whole seconds, rounded up)
	 * @throws IllegalStateException when it did not come
	 */
	public void waitQuorate(int node, boolean quorate, Duration timeout) throws IOException, InterruptedException {
		long seconds = Math.max(1, (timeout.toMillis() + 999) / 1000);
		script(timeout.plusSeconds(10), "wait-quorate", Integer.toString(node), quorate ? "yes" : "no",
				Long.toString(seconds));
	}

	/**
	 * Undo every partition and stop made through this object, and wait until every node
	 * is quorate and sees all the others: for the next test, after one that failed half
	 * way.
	 * @param timeout how long to wait for each node
	 */
	public void restore(Duration timeout) throws IOException, InterruptedException {
		for (int node : List.copyOf(this.partitioned)) {
			heal(node);
		}
		for (int node : List.copyOf(this.stopped)) {
			start(node);
		}
		for (int node = 1; node <= this.nodes; node++) {
			waitQuorate(node, true, timeout);
		}
		long deadline = System.nanoTime() + timeout.toNanos();
		for (int node = 1; node <= this.nodes; node++) {
			while (quorumStatus(node).members() != this.nodes) {
				if (System.nanoTime() - deadline > 0) {
					throw new IllegalStateException("node " + node + " does not see all " + this.nodes + " nodes after "
							+ timeout + ":\n" + quorumStatus(node).output());
				}
				Thread.sleep(50);
			}
		}
	}

	/**
	 * A command to run inside a node: {@code ip netns exec <namespace> cmd...}, so that
	 * corosync's client libraries reach that node's daemon.
	 * @param node the node, from 1
	 * @param command the command and its arguments
	 * @return the process builder, not started
	 */
	public ProcessBuilder command(int node, String... command) {
		List<String> words = new ArrayList<>(List.of("ip", "netns", "exec", namespace(node)));
		words.addAll(List.of(command));
		return new ProcessBuilder(words).redirectErrorStream(true);
	}

	/**
	 * Return a node's network namespace.
	 * @param node the node, from 1
	 * @return its name
	 */
	public String namespace(int node) {
		if (node < 1 || node > this.nodes) {
			throw new IllegalArgumentException("no node " + node + ": the cluster has nodes 1 to " + this.nodes);
		}
		// as cluster.sh names them
		return this.prefix + node;
	}

	/**
	 * Run a command inside a node and return what it printed.
	 * @param node the node, from 1
	 * @param command the command and its arguments
	 * @return its status and output
	 */
	public Result exec(int node, String... command) throws IOException, InterruptedException {
		return run(command(node, command), Duration.ofSeconds(30));
	}

	/**
	 * {@code corosync-quorumtool -s} on a node, as an operator reads it.
	 * @param node the node, from 1
	 * @return what it says
	 */
	public QuorumStatus quorumStatus(int node) throws IOException, InterruptedException {
		Result result = exec(node, "corosync-quorumtool", "-s");
		return QuorumStatus.parse(result);
	}

	/**
	 * Return the number of nodes.
	 * @return the count given to {@link #up(int)}
	 */
	public int nodes() {
		return this.nodes;
	}

	/**
	 * Return this cluster's namespace prefix.
	 * @return the prefix
	 */
	public String prefix() {
		return this.prefix;
	}

	/**
	 * {@code cluster.sh down}, then check that no namespace with this cluster's prefix
	 * and no corosync it started is left; anything left is removed (by name, by pid) and
	 * reported as an {@link AssertionError}.
	 */
	@Override
	public void close() throws IOException, InterruptedException {
		stopAllAtOnce();
		String down = script("down");
		List<String> left = new ArrayList<>();
		for (String namespace : namespaces()) {
			left.add("namespace " + namespace);
			run(List.of("ip", "netns", "delete", namespace), Duration.ofSeconds(10));
		}
		for (Map.Entry<Integer, Set<Long>> node : this.daemons.entrySet()) {
			for (long pid : node.getValue()) {
				ProcessHandle.of(pid).filter(ProcessHandle::isAlive).ifPresent((process) -> {
					left.add("corosync of node " + node.getKey() + " (pid " + pid + ")");
					process.destroyForcibly();
				});
			}
		}
		for (long pid : killProcessesMentioning(this.directory.toString())) {
			left.add("process " + pid + " using " + this.directory);
		}
		if (Files.exists(this.directory)) {
			left.add("directory " + this.directory);
		}
		if (!left.isEmpty()) {
			throw new AssertionError("cluster.sh down left " + left + ":\n" + down);
		}
	}

	/**
	 * Stop every node's daemon at the same time: corosync takes about 3 s to exit after
	 * SIGTERM, and {@code cluster.sh down} stops one node after the other. Each stop
	 * touches its own node's files only.
	 */
	private void stopAllAtOnce() throws InterruptedException {
		List<Thread> stops = new ArrayList<>();
		for (int node = 1; node <= this.nodes; node++) {
			String name = Integer.toString(node);
			Thread stop = new Thread(() -> {
				try {
					script("stop", name);
				}
				catch (IOException | InterruptedException | IllegalStateException ex) {
					// cluster.sh down stops what is left, and close() reports it
				}
			}, "cluster-stop-" + node);
			stop.start();
			stops.add(stop);
		}
		for (Thread stop : stops) {
			stop.join(SCRIPT_TIMEOUT.toMillis());
		}
	}

	/**
	 * Return the network namespaces whose names start with this cluster's prefix.
	 * @return their names
	 */
	public List<String> namespaces() throws IOException, InterruptedException {
		List<String> found = new ArrayList<>();
		for (String line : run(List.of("ip", "netns", "list"), Duration.ofSeconds(10)).output().split("\n")) {
			String name = line.strip().split(" ")[0];
			if (name.startsWith(this.prefix)) {
				found.add(name);
			}
		}
		return found;
	}

	/**
	 * Return the processes whose command line contains a text.
	 * @param text what to look for
	 * @return their pids, this JVM's excepted
	 */
	public static List<Long> processesMentioning(String text) throws IOException {
		List<Long> found = new ArrayList<>();
		long self = ProcessHandle.current().pid();
		try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
			for (Path entry : (Iterable<Path>) entries::iterator) {
				String name = entry.getFileName().toString();
				if (!name.chars().allMatch(Character::isDigit) || Long.parseLong(name) == self) {
					continue;
				}
				try {
					String cmdline = new String(Files.readAllBytes(entry.resolve("cmdline")), StandardCharsets.UTF_8);
					if (cmdline.contains(text)) {
						found.add(Long.parseLong(name));
					}
				}
				catch (IOException ex) {
					// gone meanwhile
				}
			}
		}
		return found;
	}

	/**
	 * SIGKILL the processes whose command line contains a text: what a test or a cluster
	 * left behind.
	 * @param text what to look for
	 * @return the pids killed, this JVM's excepted
	 */
	public static List<Long> killProcessesMentioning(String text) throws IOException {
		List<Long> killed = processesMentioning(text);
		for (long pid : killed) {
			ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
		}
		return killed;
	}

	/**
	 * Wait up to a grace for the processes whose command line contains a text to end,
	 * then SIGKILL those still there.
	 * @param text what to look for
	 * @param grace how long they may take
	 * @return the pids that had to be killed
	 */
	public static List<Long> endProcessesMentioning(String text, Duration grace) throws IOException {
		try {
			await().atMost(grace).pollInterval(Duration.ofMillis(50)).until(() -> processesMentioning(text).isEmpty());
		}
		catch (ConditionTimeoutException ex) {
			// killed below, and reported
		}
		return killProcessesMentioning(text);
	}

	private String script(String... args) throws IOException, InterruptedException {
		return script(SCRIPT_TIMEOUT, args);
	}

	private String script(Duration timeout, String... args) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(List.of("bash", this.script.toString()));
		command.addAll(List.of(args));
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
		builder.environment().put("SAMBOOT_CLUSTER_PREFIX", this.prefix);
		builder.environment().put("SAMBOOT_CLUSTER_DIR", this.directory.toString());
		Result result = run(builder, timeout);
		if (result.status() != 0) {
			throw new IllegalStateException(
					"cluster.sh " + String.join(" ", args) + " failed (" + result.status() + "):\n" + result.output());
		}
		return result.output();
	}

	private static Result run(List<String> command, Duration timeout) throws IOException, InterruptedException {
		return run(new ProcessBuilder(command).redirectErrorStream(true), timeout);
	}

	private static Result run(ProcessBuilder builder, Duration timeout) throws IOException, InterruptedException {
		Path output = Files.createTempFile("samboot-cluster-", ".out");
		try {
			Process process = builder.redirectErrorStream(true).redirectOutput(output.toFile()).start();
			if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				process.descendants().forEach(ProcessHandle::destroyForcibly);
				process.destroyForcibly();
				process.waitFor(5, TimeUnit.SECONDS);
				throw new IllegalStateException(builder.command() + " still ran after " + timeout + ":\n"
						+ Files.readString(output, StandardCharsets.UTF_8));
			}
			return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
		}
		finally {
			Files.deleteIfExists(output);
		}
	}

	/**
	 * What a command run on a node answered.
	 *
	 * @param status its exit status
	 * @param output what it printed (standard output and error)
	 */
	public record Result(int status, String output) {
	}

	/**
	 * {@code corosync-quorumtool -s} as read by an operator: its exit status (0 quorate,
	 * 2 not quorate, anything else no daemon answering) and the figures it prints.
	 *
	 * @param status the exit status
	 * @param members {@code Nodes:}, or -1
	 * @param totalVotes {@code Total votes:}, or -1
	 * @param expectedVotes {@code Expected votes:}, or -1
	 * @param output the whole output
	 */
	public record QuorumStatus(int status, int members, int totalVotes, int expectedVotes, String output) {

		static QuorumStatus parse(Result result) {
			return new QuorumStatus(result.status(), figure(result.output(), "Nodes"),
					figure(result.output(), "Total votes"), figure(result.output(), "Expected votes"), result.output());
		}

		private static int figure(String output, String name) {
			Matcher matcher = Pattern.compile("(?m)^" + name + ":\\s+(\\d+)").matcher(output);
			return matcher.find() ? Integer.parseInt(matcher.group(1)) : -1;
		}

		/**
		 * Whether corosync answered at all.
		 * @return whether the daemon runs and answered
		 */
		public boolean answered() {
			return this.status == 0 || this.status == 2;
		}

		/**
		 * Whether corosync says the node is quorate.
		 * @return whether quorate
		 */
		public boolean quorate() {
			return this.status == 0;
		}

	}

}
