package dev.samboot.sam;

/**
 * A failed libsam call. {@link #error()} is the {@code cs_error_t} libsam would have
 * returned; the message says what was wrong and in which state.
 */
public class SamException extends RuntimeException {

	private final CsError error;

	public SamException(CsError error, String message) {
		super(message + " (CS_ERR_" + error.name() + ")");
		this.error = error;
	}

	public SamException(CsError error, String message, Throwable cause) {
		super(message + " (CS_ERR_" + error.name() + ")", cause);
		this.error = error;
	}

	/**
	 * Return the corosync error of this failure.
	 * @return the error, never {@link CsError#OK}
	 */
	public CsError error() {
		return this.error;
	}

}
