package dev.samboot.sam;

/**
 * Where the supervisor publishes its state for policies with the cmap flag: corosync's
 * cmap keys under {@code resources.process.<supervisor pid>.}.
 */
public interface StatePublisher {

	/** State written while registered but not started. */
	String STOPPED = "stopped";

	/** State written while started. */
	String RUNNING = "running";

	/** State written after {@code markFailed()} or a recovery under a quit policy. */
	String FAILED = "failed";

	/** State written while {@code start()} waits for quorum. */
	String WAITING_FOR_QUORUM = "waiting for quorum";

	/**
	 * Publish the policy and poll period, and the state {@link #STOPPED}.
	 * @param policy the recovery policy ({@code recovery} key: quit or restart)
	 * @param pollPeriodMillis the interval ({@code poll_period} key)
	 * @throws SamException when the state cannot be published
	 */
	void register(RecoveryPolicy policy, long pollPeriodMillis);

	/**
	 * Publish the state.
	 * @param state one of the constants above
	 */
	void state(String state);

	/**
	 * Publish that the active process was heard from just now.
	 */
	void lastUpdated();

	/**
	 * Remove every key, after a clean stop.
	 */
	void remove();

}
