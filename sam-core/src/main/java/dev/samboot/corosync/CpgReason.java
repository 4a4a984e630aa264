package dev.samboot.corosync;

/**
 * {@code cpg_reason_t}: why a member appears in a configuration change, with corosync's
 * numbers.
 */
public enum CpgReason {

	/**
	 * {@code CPG_REASON_UNDEFINED}: members listed without a change, as in a membership.
	 */
	UNDEFINED(0),

	/** {@code CPG_REASON_JOIN}: the process joined the group. */
	JOIN(1),

	/** {@code CPG_REASON_LEAVE}: the process left the group ({@code cpg_leave}). */
	LEAVE(2),

	/** {@code CPG_REASON_NODEDOWN}: the process's node left the cluster. */
	NODEDOWN(3),

	/** {@code CPG_REASON_NODEUP}: the process's node joined the cluster. */
	NODEUP(4),

	/**
	 * {@code CPG_REASON_PROCDOWN}: the process ended (or closed its connection) without
	 * leaving.
	 */
	PROCDOWN(5);

	private final int code;

	CpgReason(int code) {
		this.code = code;
	}

	/**
	 * Return corosync's number for this reason.
	 * @return such as 5 for {@code CPG_REASON_PROCDOWN}
	 */
	public int code() {
		return this.code;
	}

	/**
	 * Return the reason with corosync's number.
	 * @param code a {@code cpg_reason_t}
	 * @return the reason; an unknown number is {@link #UNDEFINED}
	 */
	public static CpgReason fromCode(int code) {
		for (CpgReason reason : values()) {
			if (reason.code == code) {
				return reason;
			}
		}
		return UNDEFINED;
	}

}
