package dev.samboot.sam;

/**
 * corosync's {@code cs_error_t}, with the same names and numbers, so that an error seen
 * in samboot reads the same as in libsam's documentation.
 */
public enum CsError {

	OK(1), LIBRARY(2), VERSION(3), INIT(4), TIMEOUT(5), TRY_AGAIN(6), INVALID_PARAM(7), NO_MEMORY(8), BAD_HANDLE(9),
	BUSY(10), ACCESS(11), NOT_EXIST(12), NAME_TOO_LONG(13), EXIST(14), NO_SPACE(15), INTERRUPT(16), NAME_NOT_FOUND(17),
	NO_RESOURCES(18), NOT_SUPPORTED(19), BAD_OPERATION(20), FAILED_OPERATION(21), MESSAGE_ERROR(22), QUEUE_FULL(23),
	QUEUE_NOT_AVAILABLE(24), BAD_FLAGS(25), TOO_BIG(26), NO_SECTION(27), CONTEXT_NOT_FOUND(28), TOO_MANY_GROUPS(30),
	SECURITY(100);

	private final int code;

	CsError(int code) {
		this.code = code;
	}

	/**
	 * Return corosync's number for this error ({@code CS_ERR_BAD_HANDLE} is 9).
	 * @return the numeric code
	 */
	public int code() {
		return this.code;
	}

	/**
	 * Return the error with the given corosync number.
	 * @param code a {@code cs_error_t} value
	 * @return the error
	 * @throws IllegalArgumentException if no error has that number
	 */
	public static CsError fromCode(int code) {
		for (CsError error : values()) {
			if (error.code == code) {
				return error;
			}
		}
		throw new IllegalArgumentException("No cs_error_t has the code " + code);
	}

}
