package dev.samboot.zookeeper;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
		try {
			this.cluster.close();
		}
		finally {
			removeConfigurationFiles();
		}
	}

	/**
	 * ZooKeeper's embedded server writes each server's configuration to a
	 * {@code zookeeper.configuration*.properties} file in the temporary directory and
	 * leaves it there; remove the ones of this ensemble's servers (told apart by their
	 * client ports), not anyone else's.
	 */
	private void removeConfigurationFiles() throws IOException {
		Path directory = Path.of(System.getProperty("java.io.tmpdir"));
		List<String> ours = this.specs.stream().map((spec) -> "clientPort=" + spec.getPort()).toList();
		try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "zookeeper.configuration*.properties")) {
			for (Path file : files) {
				List<String> lines;
				try {
					lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
				}
				catch (IOException ex) {
					continue;
				}
				if (lines.stream().anyMatch(ours::contains)) {
					Files.deleteIfExists(file);
				}
			}
		}
	}

}
