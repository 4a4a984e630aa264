package dev.samboot.zookeeper;

import java.time.Duration;

import dev.samboot.corosync.cluster.ClusterInstance;
import dev.samboot.sam.RecoveryPolicy;
import dev.samboot.sam.Sam;
import dev.samboot.sam.SamOptions;

/**
 * The supervised program {@link ZooKeeperPartitionTests} runs on each node of a cluster:
 * {@link RecoveryPolicy#QUORUM_RESTART} with a {@link ZooKeeperQuorum} as the quorum
 * source, connected to one server only (the one on its own node), so that its quorum is
 * what that server says. It prints what {@link ClusterInstance} prints. Arguments: the
 * connect string, the interval T in milliseconds and the ZooKeeper session timeout in
 * milliseconds. A started instance sends heartbeats every T/4 until it reads {@code stop}
 * on its standard input.
 */
public final class ZooKeeperPartitionInstance {

	/**
	 * How long the supervisor's quorum source waits for its first connection: no longer
	 * than the tests' session timeout, which Curator warns of.
	 */
	private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(3);

	private ZooKeeperPartitionInstance() {
	}

	public static void main(String[] args) throws Exception {
		String connectString = args[0];
		int interval = Integer.parseInt(args[1]);
		Duration sessionTimeout = Duration.ofMillis(Long.parseLong(args[2]));
		Sam sam = Sam.initialize(SamOptions.builder(Duration.ofMillis(interval), RecoveryPolicy.QUORUM_RESTART)
			.shutdownTimeout(Duration.ofSeconds(5))
			.quorumSource(() -> new ZooKeeperQuorum(connectString, sessionTimeout, CONNECTION_TIMEOUT))
			.build());
		ClusterInstance.run(sam, interval);
	}

}
