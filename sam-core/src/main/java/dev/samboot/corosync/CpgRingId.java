package dev.samboot.corosync;

/**
 * {@code struct cpg_ring_id}: the totem ring a configuration belongs to.
 *
 * @param nodeId the node that formed the ring
 * @param seq the ring's sequence number
 */
public record CpgRingId(int nodeId, long seq) {

	@Override
	public String toString() {
		return "CpgRingId[nodeId=" + Integer.toUnsignedString(this.nodeId) + ", seq=" + Long.toUnsignedString(this.seq)
				+ "]";
	}

}
