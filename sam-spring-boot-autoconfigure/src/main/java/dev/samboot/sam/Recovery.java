package dev.samboot.sam;

import java.time.Instant;

/**
 * One recovery action the supervisor took: which instance ended, when, why and with what status.
 * The supervisor keeps the most recent ones and hands them to every new instance.
 *
 * @param time when the supervisor saw the instance end
 * @param instance the instance id that ended
 * @param pid the process id of that instance
 * @param reason why it ended
 * @param exitStatus its exit status, 128 + N when killed by signal N
 * @param action what the supervisor did next
 */
public record Recovery(Instant time, int instance, long pid, Reason reason, int exitStatus, Action action) {

	/**
	 * Why an instance ended.
	 */
	public enum Reason {

		/** No heartbeat within the interval: warned, then killed. */
		HC_TIMEOUT("hc-timeout"),

		/** The event-driven health check answered unhealthy: warned, then killed. */
		UNHEALTHY("unhealthy"),

		/** Quorum was lost while started: warned, then killed. */
		QUORUM_LOST("quorum-lost"),

		/** The process exited by itself while started. */
		EXITED("exited"),

		/** The process was killed by a signal the supervisor did not send. */
		KILLED("killed"),

		/** The process called {@code markFailed()}. */
		MARKED_FAILED("marked-failed");

		private final String value;

		Reason(String value) {
			this.value = value;
		}

		/**
		 * Return the name used in logs and in {@code /actuator/sam}.
		 * @return the name, such as {@code hc-timeout}
		 */
		public String value() {
			return this.value;
		}

		static Reason fromValue(String value) {
			for (Reason reason : values()) {
				if (reason.value.equals(value)) {
					return reason;
				}
			}
			throw new IllegalArgumentException("Unknown recovery reason '" + value + "'");
		}

	}

	/**
	 * What the supervisor did after the instance ended.
	 */
	public enum Action {

		RESTART, QUIT

	}

}
