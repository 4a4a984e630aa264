package dev.samboot.zookeeper;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;

/**
 * A three-server ZooKeeper ensemble in this JVM (Curator's {@link TestingCluster}) with a
 * short tick, so that short session timeouts are granted; two of its servers can be
 * stopped and brought back.
 */
final class ZooKeeperEnsemble implements AutoCloseable {

	private static final int TICK_MILLIS = 500;

	private final TestingCluster cluster;

	private final List<InstanceSpec> specs = new ArrayList<>();

	ZooKeeperEnsemble() throws IOException {
		int[] ports = distinctFreePorts(9);
		for (int id = 1; id <= 3; id++) {
			int first = 3 * (id - 1);
			this.specs.add(new InstanceSpec(null, ports[first], ports[first + 1], ports[first + 2], true, id,
					TICK_MILLIS, -1));
		}
		this.cluster = new TestingCluster(this.specs);
	}

	/**
	 * Free ports, all different: Curator picks each one on its own and can pick the same
	 * port twice, which TestingCluster refuses.
	 */
	private static int[] distinctFreePorts(int count) throws IOException {
		List<ServerSocket> sockets = new ArrayList<>();
		try {
			for (int i = 0; i < count; i++) {
				sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
			}
			return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
		}
		finally {
			for (ServerSocket socket : sockets) {
				socket.close();
			}
		}
	}

	static ZooKeeperEnsemble started() throws Exception {
		ZooKeeperEnsemble ensemble = new ZooKeeperEnsemble();
		ensemble.start();
		return ensemble;
	}

	void start() throws Exception {
		this.cluster.start();
	}

	String connectString() {
		return this.cluster.getConnectString();
	}

	/** Stop two of the three servers: the one left has no majority and stops serving. */
	void takeMajorityAway() throws Exception {
		for (InstanceSpec spec : this.specs.subList(0, 2)) {
			this.cluster.killServer(spec);
		}
	}

	void bringMajorityBack() throws Exception {
		for (InstanceSpec spec : this.specs.subList(0, 2)) {
			this.cluster.restartServer(spec);
		}
	}

	@Override
	public void close() throws Exception {
		this.cluster.close();
	}

}
