package dev.samboot.corosync;

import java.util.List;

/**
 * The members of a group after a configuration change, and the change.
 *
 * @param group the group
 * @param members the members now
 * @param left those that left, with why
 * @param joined those that joined
 */
public record CpgMembership(String group, List<CpgAddress> members, List<CpgAddress> left, List<CpgAddress> joined) {

	public CpgMembership {
		members = List.copyOf(members);
		left = List.copyOf(left);
		joined = List.copyOf(joined);
	}

	/**
	 * Whether a process is a member.
	 * @param nodeId its node id
	 * @param pid its pid
	 * @return {@code true} when it is among the members
	 */
	public boolean contains(int nodeId, int pid) {
		return this.members.stream().anyMatch((member) -> member.is(nodeId, pid));
	}

}
