package dev.samboot.autoconfigure;

/**
 * A {@code sam.*} property has a value samboot cannot use. Start-up stops, and
 * {@link InvalidSamPropertyFailureAnalyzer} reports the property, the value and what is
 * allowed.
 */
public class InvalidSamPropertyException extends RuntimeException {

	private final String property;

	private final Object value;

	private final String allowed;

	/**
	 * Create a new instance.
	 * @param property the full property name, such as {@code sam.policy}
	 * @param value the value found
	 * @param allowed what the property accepts
	 * @param cause the failure, if any
	 */
	public InvalidSamPropertyException(String property, Object value, String allowed, Throwable cause) {
		super("Invalid value '" + value + "' for property '" + property + "': allowed are " + allowed, cause);
		this.property = property;
		this.value = value;
		this.allowed = allowed;
	}

	public String getProperty() {
		return this.property;
	}

	public Object getValue() {
		return this.value;
	}

	public String getAllowed() {
		return this.allowed;
	}

}
