package dev.samboot.sam;

import java.util.function.Consumer;

import dev.samboot.corosync.CorosyncQuorum;
import dev.samboot.zookeeper.ZooKeeperQuorum;

/**
 * Where the supervisor learns whether the cluster is quorate, for policies with the
 * quorum flag. corosync's votequorum ({@link CorosyncQuorum}) is the libsam one; a
 * ZooKeeper ensemble ({@link ZooKeeperQuorum}) is another, and others can be plugged in.
 */
public interface QuorumSource extends AutoCloseable {

	/**
	 * Connect and begin tracking quorum. Called once, in the supervisor, before the first
	 * instance is launched.
	 * @param listener told of every change, on any thread
	 * @throws SamException with {@link CsError#LIBRARY} (or the source's own error) when
	 * the quorum service cannot be reached
	 */
	void start(Consumer<Boolean> listener);

	/**
	 * Whether the cluster is quorate now. The supervisor asks on its own thread when an
	 * instance calls {@code start()} and after every change reported to the listener (so
	 * that a change reported late is not acted on), so the answer should come quickly.
	 * @return the current quorum state
	 */
	boolean isQuorate();

	/**
	 * Stop tracking and release the connection.
	 */
	@Override
	void close();

}
