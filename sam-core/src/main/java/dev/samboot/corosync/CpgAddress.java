package dev.samboot.corosync;

import java.util.Objects;

/**
 * {@code struct cpg_address}: a group member, the process {@code pid} on node
 * {@code nodeId}, and why it is listed.
 *
 * @param nodeId the corosync node id (an unsigned 32-bit number, as an {@code int})
 * @param pid the process id on that node
 * @param reason why it is listed; {@link CpgReason#UNDEFINED} in a membership
 */
public record CpgAddress(int nodeId, int pid, CpgReason reason) {

	public CpgAddress {
		Objects.requireNonNull(reason, "reason");
	}

	/**
	 * Whether this is the member {@code pid} on {@code nodeId}, whatever the reason.
	 * @param nodeId a node id
	 * @param pid a process id
	 * @return {@code true} when both match
	 */
	public boolean is(int nodeId, int pid) {
		return this.nodeId == nodeId && this.pid == pid;
	}

	@Override
	public String toString() {
		return Integer.toUnsignedString(this.nodeId) + "/" + this.pid + ((this.reason != CpgReason.UNDEFINED)
				? " " + this.reason.name().toLowerCase(java.util.Locale.ROOT) : "");
	}

}
