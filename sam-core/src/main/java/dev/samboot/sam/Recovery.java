package dev.samboot.sam;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

/**
 * One recovery action the supervisor took: which instance ended, when, why and with what
 * status. The supervisor keeps the most recent ones and hands them to every new instance.
 *
 * @param time when the supervisor saw the instance end
 * @param instance the instance id that ended
 * @param pid the process id of that instance
 * @param reason why it ended
 * @param exitStatus its exit status, 128 + N when killed by signal N
 * @param action what the supervisor did next
 * @param backoff how long the supervisor waited before it started the next instance
 * @param threadDump where the thread dump taken before the warn signal went (a file, or
 * {@code stdout}), or {@code null}
 * @param detail why the supervisor chose this action when it was not the policy's
 * (restart intensity, exit status), or {@code null}
 */
public record Recovery(Instant time, int instance, long pid, Reason reason, int exitStatus, Action action,
		Duration backoff, String threadDump, String detail) {

	/**
	 * Create a recovery without a wait, thread dump or detail, as libsam makes them.
	 * @param time when the supervisor saw the instance end
	 * @param instance the instance id that ended
	 * @param pid the process id of that instance
	 * @param reason why it ended
	 * @param exitStatus its exit status
	 * @param action what the supervisor did next
	 */
	public Recovery(Instant time, int instance, long pid, Reason reason, int exitStatus, Action action) {
		this(time, instance, pid, reason, exitStatus, action, Duration.ZERO, null, null);
	}

	/**
	 * Why an instance ended.
	 */
	public enum Reason {

		/** No heartbeat within the interval: warned, then killed. */
		HC_TIMEOUT("hc-timeout", 1),

		/** The event-driven health check answered unhealthy: warned, then killed. */
		UNHEALTHY("unhealthy", 2),

		/** Quorum was lost while started: warned, then killed. */
		QUORUM_LOST("quorum-lost", 3),

		/** The process exited by itself while started. */
		EXITED("exited", 4),

		/** The process was killed by a signal the supervisor did not send. */
		KILLED("killed", 5),

		/** The process called {@code markFailed()}. */
		MARKED_FAILED("marked-failed", 6),

		/**
		 * The process did not call {@code start()} within the start-up timeout: warned,
		 * then killed.
		 */
		STARTUP_TIMEOUT("startup-timeout", 7),

		/**
		 * The process, started as a recovery, ended before it called {@code start()}:
		 * launched again after a wait (only with
		 * {@link SamOptions.Builder#retryFailedStarts}).
		 */
		START_FAILED("start-failed", 8),

		/**
		 * The process asked for an orderly restart ({@link Sam#requestRestart()}):
		 * warned, then killed if it outlives T, and the next instance started at once
		 * whatever the policy.
		 */
		REQUESTED("requested", 9);

		private final String value;

		private final int code;

		Reason(String value, int code) {
			this.value = value;
			this.code = code;
		}

		/**
		 * Return the number that stands for this reason on the channel.
		 * @return the code
		 */
		public int code() {
			return this.code;
		}

		public static Reason fromCode(int code) {
			return Arrays.stream(values()).filter((reason) -> reason.code == code).findFirst().orElse(null);
		}

		/**
		 * Return the name used in logs and in {@code /actuator/sam}.
		 * @return the name, such as {@code hc-timeout}
		 */
		public String value() {
			return this.value;
		}

	}

	/**
	 * What the supervisor did after the instance ended.
	 */
	public enum Action {

		RESTART(1), QUIT(2);

		private final int code;

		Action(int code) {
			this.code = code;
		}

		/**
		 * Return the number that stands for this action on the channel.
		 * @return the code
		 */
		public int code() {
			return this.code;
		}

		public static Action fromCode(int code) {
			return Arrays.stream(values()).filter((action) -> action.code == code).findFirst().orElse(null);
		}

	}

}
