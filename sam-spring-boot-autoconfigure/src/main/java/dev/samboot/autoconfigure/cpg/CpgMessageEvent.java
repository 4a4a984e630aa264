package dev.samboot.autoconfigure.cpg;

import dev.samboot.corosync.CpgMessage;

import org.springframework.context.ApplicationEvent;

/**
 * A message delivered to the CPG group, this member's own included, published on the
 * group's dispatch thread in the order every member delivers.
 */
public class CpgMessageEvent extends ApplicationEvent {

	private final CpgMessage message;

	/**
	 * Create a new instance.
	 * @param source the group that delivered it
	 * @param message the message
	 */
	public CpgMessageEvent(SamCpg source, CpgMessage message) {
		super(source);
		this.message = message;
	}

	@Override
	public SamCpg getSource() {
		return (SamCpg) super.getSource();
	}

	/**
	 * Return the message as corosync delivered it.
	 * @return the message
	 */
	public CpgMessage getMessage() {
		return this.message;
	}

	/**
	 * Return the group's name.
	 * @return the group
	 */
	public String getGroup() {
		return this.message.group();
	}

	/**
	 * Return the sender's node id.
	 * @return the corosync node id (an unsigned 32-bit number, as an {@code int})
	 */
	public int getNodeId() {
		return this.message.nodeId();
	}

	/**
	 * Return the sender's process id.
	 * @return the pid on its node
	 */
	public int getPid() {
		return this.message.pid();
	}

	/**
	 * Return the message's bytes.
	 * @return a copy
	 */
	public byte[] getPayload() {
		return this.message.payload();
	}

	/**
	 * Return the message read as UTF-8.
	 * @return the text (bytes that are not UTF-8 become U+FFFD)
	 */
	public String getText() {
		return this.message.text();
	}

	@Override
	public String toString() {
		return "CpgMessageEvent[" + this.message + "]";
	}

}
