package dev.samboot.autoconfigure.cpg;

import java.util.List;

import dev.samboot.corosync.CpgAddress;
import dev.samboot.corosync.CpgMembership;

import org.springframework.context.ApplicationEvent;

/**
 * The CPG group's membership changed: members joined or left (with why, such as
 * {@code PROCDOWN} for an instance that died), or this member joined. Published on the
 * group's dispatch thread, in order with the messages.
 */
public class CpgMembershipEvent extends ApplicationEvent {

	private final CpgMembership membership;

	/**
	 * Create a new instance.
	 * @param source the group that changed
	 * @param membership the members now, and the change
	 */
	public CpgMembershipEvent(SamCpg source, CpgMembership membership) {
		super(source);
		this.membership = membership;
	}

	@Override
	public SamCpg getSource() {
		return (SamCpg) super.getSource();
	}

	/**
	 * Return the membership as corosync delivered it.
	 * @return the members and the change
	 */
	public CpgMembership getMembership() {
		return this.membership;
	}

	/**
	 * Return the group's name.
	 * @return the group
	 */
	public String getGroup() {
		return this.membership.group();
	}

	/**
	 * Return the members now, this one included.
	 * @return the members
	 */
	public List<CpgAddress> getMembers() {
		return this.membership.members();
	}

	/**
	 * Return the members that left, each with its {@link CpgAddress#reason() reason}.
	 * @return those that left
	 */
	public List<CpgAddress> getLeft() {
		return this.membership.left();
	}

	/**
	 * Return the members that joined.
	 * @return those that joined
	 */
	public List<CpgAddress> getJoined() {
		return this.membership.joined();
	}

	@Override
	public String toString() {
		return "CpgMembershipEvent[" + getGroup() + ": members " + getMembers() + ", left " + getLeft() + ", joined "
				+ getJoined() + "]";
	}

}
