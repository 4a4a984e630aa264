package dev.samboot.sam;

import java.util.ArrayList;
import java.util.List;

import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;

/**
 * A three-server ZooKeeper ensemble in this JVM (Curator's {@link TestingCluster}) with a short
 * tick, so that short session timeouts are granted; two of its servers can be stopped and brought
 * back.
 */
final class ZooKeeperEnsemble implements AutoCloseable {

	private static final int TICK_MILLIS = 500;

	private final TestingCluster cluster;

	private final List<InstanceSpec> specs = new ArrayList<>();

	ZooKeeperEnsemble() {
		for (int id = 1; id <= 3; id++) {
			this.specs.add(new InstanceSpec(null, -1, -1, -1, true, id, TICK_MILLIS, -1));
		}
		this.cluster = new TestingCluster(this.specs);
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
