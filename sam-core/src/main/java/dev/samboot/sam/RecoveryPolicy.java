package dev.samboot.sam;

/**
 * libsam's {@code sam_recovery_policy_t}: what the supervisor does when an instance
 * fails, quit or restart, optionally tied to the cluster's quorum and optionally
 * published in corosync's cmap.
 */
public final class RecoveryPolicy {

	static final int QUIT_BIT = 0x01;

	static final int RESTART_BIT = 0x02;

	static final int QUORUM_BIT = 0x08;

	static final int CMAP_BIT = 0x10;

	private static final int ALL_BITS = QUIT_BIT | RESTART_BIT | QUORUM_BIT | CMAP_BIT;

	/** Quit the supervisor with the failed instance's exit status. */
	public static final RecoveryPolicy QUIT = new RecoveryPolicy(QUIT_BIT);

	/** Start a new instance. */
	public static final RecoveryPolicy RESTART = new RecoveryPolicy(RESTART_BIT);

	/**
	 * Like {@link #QUIT}; {@code start()} waits for quorum and losing quorum is a
	 * failure.
	 */
	public static final RecoveryPolicy QUORUM_QUIT = new RecoveryPolicy(QUORUM_BIT | QUIT_BIT);

	/**
	 * Like {@link #RESTART}; {@code start()} waits for quorum and losing quorum is a
	 * failure.
	 */
	public static final RecoveryPolicy QUORUM_RESTART = new RecoveryPolicy(QUORUM_BIT | RESTART_BIT);

	private final int bits;

	private RecoveryPolicy(int bits) {
		this.bits = bits;
	}

	/**
	 * Return the policy for libsam's numbers: 1 (quit) or 2 (restart), optionally or-ed
	 * with 0x08 (quorum) and 0x10 (cmap).
	 * @param bits a {@code sam_recovery_policy_t} value
	 * @return the policy
	 * @throws SamException with {@link CsError#INVALID_PARAM} for any other value
	 */
	public static RecoveryPolicy fromBits(int bits) {
		int base = bits & (QUIT_BIT | RESTART_BIT);
		if ((bits & ~ALL_BITS) != 0 || (base != QUIT_BIT && base != RESTART_BIT)) {
			throw new SamException(CsError.INVALID_PARAM, "Recovery policy 0x" + Integer.toHexString(bits)
					+ " is neither quit (1) nor restart (2), optionally with quorum (0x08) and cmap (0x10)");
		}
		return new RecoveryPolicy(bits);
	}

	/**
	 * Return this policy with the cmap flag: state published under
	 * {@code resources.process.<pid>.} and {@code markFailed()} allowed.
	 * @return the policy with the cmap flag
	 */
	public RecoveryPolicy withCmap() {
		return new RecoveryPolicy(this.bits | CMAP_BIT);
	}

	/**
	 * Return this policy with the restart action replaced by quit, keeping the flags.
	 * @return the quitting policy
	 */
	public RecoveryPolicy toQuit() {
		return new RecoveryPolicy((this.bits & ~RESTART_BIT) | QUIT_BIT);
	}

	/**
	 * Whether {@code start()} waits for quorum and losing quorum fails the instance.
	 * @return the quorum flag
	 */
	public boolean quorum() {
		return (this.bits & QUORUM_BIT) != 0;
	}

	/**
	 * Whether the state is published in corosync's cmap.
	 * @return the cmap flag
	 */
	public boolean cmap() {
		return (this.bits & CMAP_BIT) != 0;
	}

	/**
	 * Whether a failed instance is replaced by a new one (otherwise the supervisor
	 * quits).
	 * @return whether the action is restart
	 */
	public boolean restart() {
		return (this.bits & RESTART_BIT) != 0;
	}

	/**
	 * Return libsam's number for this policy.
	 * @return the bits
	 */
	public int bits() {
		return this.bits;
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof RecoveryPolicy policy && policy.bits == this.bits;
	}

	@Override
	public int hashCode() {
		return this.bits;
	}

	/**
	 * Return the policy as written in {@code sam.policy}: {@code restart},
	 * {@code quorum-quit}, with {@code +cmap} when the cmap flag is set.
	 */
	@Override
	public String toString() {
		String name = (quorum() ? "quorum-" : "") + (restart() ? "restart" : "quit");
		return cmap() ? name + "+cmap" : name;
	}

}
