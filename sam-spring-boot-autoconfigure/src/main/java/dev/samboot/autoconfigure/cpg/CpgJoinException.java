package dev.samboot.autoconfigure.cpg;

import dev.samboot.sam.CsError;
import dev.samboot.sam.SamException;

/**
 * The group named by {@code sam.cpg.group} could not be joined when the context started.
 * Start-up stops, and a failure analysis says why and what to do.
 */
public class CpgJoinException extends RuntimeException {

	private final String group;

	/**
	 * Create a new instance.
	 * @param group the group's name
	 * @param cause corosync's error
	 */
	public CpgJoinException(String group, SamException cause) {
		super("Cannot join CPG group '" + group + "' (sam.cpg.group): " + cause.getMessage(), cause);
		this.group = group;
	}

	/**
	 * Return the group's name.
	 * @return {@code sam.cpg.group}
	 */
	public String getGroup() {
		return this.group;
	}

	/**
	 * Return corosync's error.
	 * @return such as {@link CsError#LIBRARY} when corosync is not running
	 */
	public CsError getError() {
		return ((SamException) getCause()).error();
	}

}
