package dev.samboot.zookeeper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.samboot.corosync.cluster.CorosyncCluster;
import dev.samboot.sam.SupervisedRun;
import org.apache.zookeeper.server.quorum.QuorumPeerMain;

/**
 * A three-server ZooKeeper ensemble spread over the nodes of a {@link CorosyncCluster},
 * one server per node: each a JVM of its own ({@link QuorumPeerMain}) run inside its
 * node's network namespace, listening on that node's address only, so that cutting a node
 * off the bridge cuts its server off the other two as a real network would. The servers
 * are asked how they are through ZooKeeper's {@code srvr} command, from inside their
 * nodes. {@link #close()} ends every server by pid and checks that none is left.
 */
final class ZooKeeperPartitionEnsemble implements AutoCloseable {

	static final int CLIENT_PORT = 2181;

	private static final int PEER_PORT = 2888;

	private static final int ELECTION_PORT = 3888;

	/**
	 * A short tick, so that a follower notices a lost leader within a second (syncLimit
	 * ticks) and a session timeout of a few seconds is granted (2 to 20 ticks).
	 */
	private static final int TICK_MILLIS = 500;

	/** {@code inet 10.213.22.1/24 brd ...} in {@code ip -o -4 addr show dev eth0}. */
	private static final Pattern INET = Pattern.compile("inet (\\d+\\.\\d+\\.\\d+\\.\\d+)/");

	private static final Pattern MODE = Pattern.compile("(?m)^Mode: (\\w+)");

	private final CorosyncCluster cluster;

	private final Path directory;

	private final String marker;

	private final String[] addresses;

	private final Process[] servers;

	private ZooKeeperPartitionEnsemble(CorosyncCluster cluster, Path directory, String marker) {
		this.cluster = cluster;
		this.directory = directory;
		this.marker = marker;
		this.addresses = new String[cluster.nodes() + 1];
		this.servers = new Process[cluster.nodes() + 1];
	}

	/**
	 * Start one server on each node of the cluster, all at once, and wait until every one
	 * serves.
	 * @param cluster the cluster, up
	 * @param marker a system property (without value) that marks every server's command
	 * line
	 * @param timeout how long to wait for all of them to serve
	 * @return the ensemble, serving
	 */
	static ZooKeeperPartitionEnsemble start(CorosyncCluster cluster, String marker, Duration timeout)
			throws IOException, InterruptedException {
		ZooKeeperPartitionEnsemble ensemble = new ZooKeeperPartitionEnsemble(cluster,
				Files.createTempDirectory("samboot-zk-partition-"), marker);
		try {
			ensemble.startServers();
			for (int node = 1; node <= cluster.nodes(); node++) {
				ensemble.awaitServing(node, timeout);
			}
			return ensemble;
		}
		catch (IOException | InterruptedException | RuntimeException | Error ex) {
			try {
				ensemble.close();
			}
			catch (AssertionError cleanup) {
				ex.addSuppressed(cleanup);
			}
			throw ex;
		}
	}

	private void startServers() throws IOException, InterruptedException {
		int count = this.cluster.nodes();
		for (int node = 1; node <= count; node++) {
			this.addresses[node] = readAddress(node);
		}
		for (int node = 1; node <= count; node++) {
			Path data = Files.createDirectories(nodeDirectory(node).resolve("data"));
			Files.writeString(data.resolve("myid"), Integer.toString(serverId(node)) + "\n");
			Files.writeString(nodeDirectory(node).resolve("zoo.cfg"), config(node, data), StandardCharsets.UTF_8);
		}
		// started one after the other without waiting: the JVMs come up side by side
		for (int node = 1; node <= count; node++) {
			List<String> command = new ArrayList<>(SupervisedRun.javaCommand());
			command.addAll(List.of("-XX:+UseSerialGC", "-Xms16m", "-Xmx64m", this.marker,
					// a server that lost its peers tries again every second at most, not
					// backing off to a minute: a healed node rejoins within seconds
					"-Dzookeeper.fastleader.maxNotificationInterval=1000", "-cp", SupervisedRun.testClassPath(),
					QuorumPeerMain.class.getName(), nodeDirectory(node).resolve("zoo.cfg").toString()));
			ProcessBuilder builder = this.cluster.command(node, command.toArray(String[]::new));
			builder.redirectOutput(log(node).toFile());
			this.servers[node] = builder.start();
		}
	}

	/**
	 * The node cut off in the tests, the last, has the lowest server id: at equal
	 * transaction ids an election goes to the highest id, so it never leads the first
	 * time round, and cutting it off costs the others no election.
	 */
	private int serverId(int node) {
		return this.cluster.nodes() + 1 - node;
	}

	private String config(int node, Path data) {
		StringBuilder config = new StringBuilder();
		config.append("tickTime=").append(TICK_MILLIS).append('\n');
		config.append("initLimit=10\n");
		config.append("syncLimit=2\n");
		config.append("dataDir=").append(data).append('\n');
		config.append("clientPort=").append(CLIENT_PORT).append('\n');
		config.append("clientPortAddress=").append(this.addresses[node]).append('\n');
		config.append("admin.enableServer=false\n");
		config.append("4lw.commands.whitelist=srvr\n");
		// a test's data: no fsync, no 64 MB preallocated transaction log
		config.append("forceSync=no\n");
		config.append("preAllocSize=1024\n");
		for (int other = 1; other <= this.cluster.nodes(); other++) {
			config.append("server.")
				.append(serverId(other))
				.append('=')
				.append(this.addresses[other])
				.append(':')
				.append(PEER_PORT)
				.append(':')
				.append(ELECTION_PORT)
				.append('\n');
		}
		return config.toString();
	}

	private String readAddress(int node) throws IOException, InterruptedException {
		CorosyncCluster.Result result = this.cluster.exec(node, "ip", "-o", "-4", "addr", "show", "dev", "eth0");
		Matcher matcher = INET.matcher(result.output());
		if (result.status() != 0 || !matcher.find()) {
			throw new IllegalStateException("node " + node + " has no address on eth0: " + result.output());
		}
		return matcher.group(1);
	}

	private Path nodeDirectory(int node) {
		return this.directory.resolve("node" + node);
	}

	private Path log(int node) {
		return nodeDirectory(node).resolve("server.log");
	}

	/**
	 * Return a node's address, on which its server listens.
	 * @param node the node, from 1
	 * @return the address
	 */
	String address(int node) {
		return this.addresses[node];
	}

	/**
	 * Return the connect string of the server on a node, and of that server only.
	 * @param node the node, from 1
	 * @return {@code address:port}
	 */
	String connectString(int node) {
		return this.addresses[node] + ":" + CLIENT_PORT;
	}

	/**
	 * Return the pid of a node's server.
	 * @param node the node, from 1
	 * @return its pid ({@code ip netns exec} execs the JVM)
	 */
	long pid(int node) {
		return this.servers[node].pid();
	}

	/**
	 * Whether a node's server process runs.
	 * @param node the node, from 1
	 * @return whether it runs
	 */
	boolean isRunning(int node) {
		return this.servers[node] != null && this.servers[node].isAlive();
	}

	/**
	 * Ask a node's server what it is, from inside the node: ZooKeeper's {@code srvr}.
	 * @param node the node, from 1
	 * @return its mode
	 */
	Mode mode(int node) throws IOException, InterruptedException {
		CorosyncCluster.Result result = this.cluster.exec(node, "timeout", "3", "bash", "-c",
				"exec 3<>/dev/tcp/$0/$1 && echo srvr >&3 && cat <&3", this.addresses[node],
				Integer.toString(CLIENT_PORT));
		Matcher matcher = MODE.matcher(result.output());
		if (matcher.find()) {
			return switch (matcher.group(1)) {
				case "leader" -> Mode.LEADER;
				case "follower" -> Mode.FOLLOWER;
				default -> Mode.OTHER;
			};
		}
		return result.output().contains("not currently serving") ? Mode.NOT_SERVING : Mode.UNREACHABLE;
	}

	/**
	 * Wait until a node's server serves, as leader or follower.
	 * @param node the node, from 1
	 * @param timeout how long at most
	 * @return its mode
	 * @throws IllegalStateException when it does not
	 */
	Mode awaitServing(int node, Duration timeout) throws IOException, InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		Mode mode = mode(node);
		while (mode != Mode.LEADER && mode != Mode.FOLLOWER) {
			if (!isRunning(node) || System.nanoTime() - deadline > 0) {
				throw new IllegalStateException("node " + node + "'s ZooKeeper server is " + mode + " after " + timeout
						+ (isRunning(node) ? "" : ", its process gone") + ":\n" + logTail(node));
			}
			Thread.sleep(100);
			mode = mode(node);
		}
		return mode;
	}

	/**
	 * Return the end of a node's server log, for a failure's message.
	 * @param node the node, from 1
	 * @return its last lines
	 */
	String logTail(int node) {
		try {
			List<String> lines = Files.readAllLines(log(node), StandardCharsets.UTF_8);
			return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
		}
		catch (IOException ex) {
			return "(no log: " + ex + ")";
		}
	}

	/**
	 * End every server by pid, remove the directory, and check that no server is left;
	 * anything left is reported as an {@link AssertionError}.
	 */
	@Override
	public void close() throws IOException, InterruptedException {
		List<String> left = new ArrayList<>();
		for (int node = 1; node < this.servers.length; node++) {
			Process server = this.servers[node];
			if (server != null) {
				// a test's data: nothing to shut down cleanly for
				server.destroyForcibly();
			}
		}
		for (int node = 1; node < this.servers.length; node++) {
			Process server = this.servers[node];
			if (server != null && !server.waitFor(10, TimeUnit.SECONDS)) {
				left.add("server of node " + node + " (pid " + server.pid() + ")");
			}
		}
		for (long pid : CorosyncCluster.killProcessesMentioning(this.marker)) {
			left.add("process " + pid + " with " + this.marker);
		}
		try (Stream<Path> files = Files.walk(this.directory)) {
			for (Path file : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
				Files.deleteIfExists(file);
			}
		}
		if (!left.isEmpty()) {
			throw new AssertionError("ZooKeeper servers left running: " + left);
		}
	}

	/** What a server says it is. */
	enum Mode {

		/** It leads the ensemble, and serves. */
		LEADER,

		/** It follows a leader, and serves. */
		FOLLOWER,

		/** Another mode it serves in (observer, standalone). */
		OTHER,

		/** It answers, but has no majority: "not currently serving requests". */
		NOT_SERVING,

		/** It does not answer. */
		UNREACHABLE

	}

}
