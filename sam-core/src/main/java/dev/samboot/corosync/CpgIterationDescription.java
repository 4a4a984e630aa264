package dev.samboot.corosync;

/**
 * {@code struct cpg_iteration_description_t}: one entry of an iteration over the groups
 * of the cluster. With {@link Cpg.IterationType#NAME_ONLY} only the group is set (node id
 * and pid are 0).
 *
 * @param group the group's name
 * @param nodeId the member's node id
 * @param pid the member's process id
 */
public record CpgIterationDescription(String group, int nodeId, int pid) {

	@Override
	public String toString() {
		return "CpgIterationDescription[group=" + this.group + ", nodeId=" + Integer.toUnsignedString(this.nodeId)
				+ ", pid=" + this.pid + "]";
	}

}
