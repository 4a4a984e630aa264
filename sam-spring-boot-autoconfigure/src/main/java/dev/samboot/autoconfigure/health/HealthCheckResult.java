package dev.samboot.autoconfigure.health;

import java.time.Duration;
import java.time.Instant;

/**
 * The outcome of one health check run by {@link ActuatorHealthCheck}.
 *
 * @param outcome up, down or error
 * @param status the aggregated Actuator status, such as {@code UP} or {@code DOWN};
 * {@code null} when the check did not answer
 * @param time when the check started
 * @param duration how long it took
 * @param detail what was not up, or why the check failed; {@code null} when up
 */
public record HealthCheckResult(Outcome outcome, String status, Instant time, Duration duration, String detail) {

	/**
	 * Whether a check counts as healthy.
	 */
	public enum Outcome {

		/** The status was UP: a heartbeat follows. */
		UP("up"),

		/** Any other status: heartbeats stop and the supervisor recovers the instance. */
		DOWN("down"),

		/** The check threw or did not answer within its timeout: counted as unhealthy. */
		ERROR("error");

		private final String value;

		Outcome(String value) {
			this.value = value;
		}

		/**
		 * Return the name used as the {@code outcome} tag and in {@code /actuator/sam}.
		 * @return {@code up}, {@code down} or {@code error}
		 */
		public String value() {
			return this.value;
		}

	}

}
