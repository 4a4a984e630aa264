package dev.samboot.zookeeper;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.samboot.sam.CsError;
import dev.samboot.sam.QuorumSource;
import dev.samboot.sam.SamException;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.curator.retry.ExponentialBackoffRetry;

/**
 * A ZooKeeper ensemble as the quorum source, through Apache Curator (an optional
 * dependency: add {@code org.apache.curator:curator-framework} to use it). The cluster
 * counts as quorate while Curator's connection is {@link ConnectionState#CONNECTED} or
 * {@link ConnectionState#RECONNECTED}: a ZooKeeper server answers only while it belongs
 * to a majority of its ensemble. It is not quorate once the connection is
 * {@link ConnectionState#SUSPENDED} (the server went away or lost its majority) or
 * {@link ConnectionState#LOST} (the session expired), nor in
 * {@link ConnectionState#READ_ONLY} mode, which a partitioned minority offers.
 *
 * <pre>
 * Sam.initialize(SamOptions.builder(Duration.ofSeconds(5), RecoveryPolicy.QUORUM_RESTART)
 * 	.quorumSource(() -&gt; new ZooKeeperQuorum("zk1:2181,zk2:2181,zk3:2181", Duration.ofSeconds(10)))
 * 	.build());
 * </pre>
 */
public final class ZooKeeperQuorum implements QuorumSource {

	/** Curator's default connection timeout. */
	public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(15);

	private static final System.Logger logger = System.getLogger(ZooKeeperQuorum.class.getName());

	private final String connectString;

	private final Duration sessionTimeout;

	private final Duration connectionTimeout;

	private volatile ConnectionState state;

	private volatile boolean quorate;

	private CuratorFramework client;

	private volatile boolean closed;

	/**
	 * Track an ensemble with Curator's default connection timeout (15 s).
	 * @param connectString the ensemble, such as {@code zk1:2181,zk2:2181,zk3:2181}
	 * @param sessionTimeout the ZooKeeper session timeout: how long after the connection
	 * is suspended it is {@link ConnectionState#LOST}
	 */
	public ZooKeeperQuorum(String connectString, Duration sessionTimeout) {
		this(connectString, sessionTimeout, DEFAULT_CONNECTION_TIMEOUT);
	}

	/**
	 * Track an ensemble.
	 * @param connectString the ensemble, such as {@code zk1:2181,zk2:2181,zk3:2181}
	 * @param sessionTimeout the ZooKeeper session timeout: how long after the connection
	 * is suspended it is {@link ConnectionState#LOST}
	 * @param connectionTimeout how long one connection attempt may take; also how long
	 * {@link #start(Consumer)} waits for the first connection
	 * @throws SamException with {@link CsError#INVALID_PARAM} for an empty connect string
	 * or a timeout that is not positive
	 */
	public ZooKeeperQuorum(String connectString, Duration sessionTimeout, Duration connectionTimeout) {
		if (connectString == null || connectString.isBlank()) {
			throw new SamException(CsError.INVALID_PARAM, "The ZooKeeper connect string is empty");
		}
		this.connectString = connectString;
		this.sessionTimeout = positive(sessionTimeout, "session timeout");
		this.connectionTimeout = positive(connectionTimeout, "connection timeout");
	}

	private static Duration positive(Duration timeout, String what) {
		if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.toMillis() > Integer.MAX_VALUE) {
			throw new SamException(CsError.INVALID_PARAM, "The ZooKeeper " + what + " must be positive: " + timeout);
		}
		return timeout;
	}

	/**
	 * Connect and track the connection; wait up to the connection timeout for the first
	 * connection. An ensemble that cannot be reached by then is not quorate, and Curator
	 * keeps trying.
	 * @throws SamException with {@link CsError#BAD_HANDLE} when started twice
	 */
	@Override
	public synchronized void start(Consumer<Boolean> listener) {
		Objects.requireNonNull(listener, "listener");
		if (this.client != null) {
			throw new SamException(CsError.BAD_HANDLE, "The ZooKeeper quorum source was already started");
		}
		CountDownLatch firstState = new CountDownLatch(1);
		this.client = CuratorFrameworkFactory.builder()
			.connectString(this.connectString)
			.sessionTimeoutMs((int) this.sessionTimeout.toMillis())
			.connectionTimeoutMs((int) this.connectionTimeout.toMillis())
			.retryPolicy(new ExponentialBackoffRetry(100, 29, 1000))
			.build();
		// Curator calls this on one thread, in the order the states occur
		ConnectionStateListener stateListener = (client, newState) -> {
			changed(newState, listener);
			firstState.countDown();
		};
		this.client.getConnectionStateListenable().addListener(stateListener);
		long startedAt = System.nanoTime();
		this.client.start();
		try {
			if (!firstState.await(this.connectionTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
				logger.log(Level.WARNING, "ZooKeeper ({0}) not reached within {1} ms: not quorate until it is",
						this.connectString, Long.toString(this.connectionTimeout.toMillis()));
			}
			else {
				logger.log(Level.DEBUG, "ZooKeeper connection state {0} after {1} ms", this.state,
						Long.toString(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt)));
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private void changed(ConnectionState newState, Consumer<Boolean> listener) {
		if (this.closed) {
			return;
		}
		boolean now = newState == ConnectionState.CONNECTED || newState == ConnectionState.RECONNECTED;
		boolean before = this.quorate;
		this.state = newState;
		this.quorate = now;
		logger.log(now ? Level.INFO : Level.WARNING, "ZooKeeper connection {0}: {1}", newState,
				now ? "quorate" : "not quorate");
		if (now != before) {
			listener.accept(now);
		}
	}

	@Override
	public boolean isQuorate() {
		return this.quorate;
	}

	/**
	 * Return the last connection state Curator reported.
	 * @return the state, or {@code null} before the first one
	 */
	public ConnectionState state() {
		return this.state;
	}

	@Override
	public synchronized void close() {
		this.closed = true;
		if (this.client != null) {
			this.client.close();
		}
		this.quorate = false;
	}

}
