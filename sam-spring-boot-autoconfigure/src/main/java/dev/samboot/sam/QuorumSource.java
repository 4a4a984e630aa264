package dev.samboot.sam;

import java.util.function.Consumer;

/**
 * Where the supervisor learns whether the cluster is quorate, for policies with the quorum flag.
 * corosync's votequorum is the libsam one; others (ZooKeeper) can be plugged in.
 */
public interface QuorumSource extends AutoCloseable {

	/**
	 * Connect and begin tracking quorum. Called once, in the supervisor, before the first instance
	 * is launched.
	 * @param listener told of every change, on any thread
	 * @throws SamException with {@link CsError#LIBRARY} (or the source's own error) when the quorum
	 * service cannot be reached
	 */
	void start(Consumer<Boolean> listener);

	/**
	 * Whether the cluster is quorate now.
	 * @return the current quorum state
	 */
	boolean isQuorate();

	/**
	 * Stop tracking and release the connection.
	 */
	@Override
	void close();

}
