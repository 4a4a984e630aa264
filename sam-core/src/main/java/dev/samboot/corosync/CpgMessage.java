package dev.samboot.corosync;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A message delivered to a group.
 *
 * @param group the group
 * @param nodeId the sender's node id
 * @param pid the sender's process id
 * @param payload the message's bytes
 */
public record CpgMessage(String group, int nodeId, int pid, byte[] payload) {

	public CpgMessage {
		payload = payload.clone();
	}

	/**
	 * Return the message's bytes.
	 * @return a copy
	 */
	@Override
	public byte[] payload() {
		return this.payload.clone();
	}

	/**
	 * Return the message's length.
	 * @return its bytes
	 */
	public int length() {
		return this.payload.length;
	}

	/**
	 * Return the message read as UTF-8.
	 * @return the text (bytes that are not UTF-8 become U+FFFD)
	 */
	public String text() {
		return new String(this.payload, StandardCharsets.UTF_8);
	}

	/**
	 * Whether the message came from a member.
	 * @param member a member
	 * @return {@code true} when node id and pid match
	 */
	public boolean isFrom(CpgAddress member) {
		return member.is(this.nodeId, this.pid);
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof CpgMessage that && this.group.equals(that.group) && this.nodeId == that.nodeId
				&& this.pid == that.pid && Arrays.equals(this.payload, that.payload);
	}

	@Override
	public int hashCode() {
		return 31 * (31 * (31 * this.group.hashCode() + this.nodeId) + this.pid) + Arrays.hashCode(this.payload);
	}

	@Override
	public String toString() {
		return "CpgMessage[" + this.group + " from " + Integer.toUnsignedString(this.nodeId) + "/" + this.pid + ", "
				+ this.payload.length + " bytes]";
	}

}
