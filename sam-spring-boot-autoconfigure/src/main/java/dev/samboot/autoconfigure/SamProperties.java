package dev.samboot.autoconfigure;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Configuration of samboot's supervision, under {@code sam.*}. Read twice: by
 * {@link SamApplicationListener} before any bean exists (to become the supervisor or register as
 * an active process), and by the auto-configuration in the active process.
 *
 * @param enabled whether to supervise the application; false runs it as a plain process
 * @param interval the health-check interval T: after T without a heartbeat the warn signal is
 * sent, after another T SIGKILL; 0 watches only for the process's death
 * @param policy what the supervisor does when an instance fails
 * @param warnSignal the signal sent when a heartbeat is missed, as a name (TERM, SIGUSR1) or a
 * number; KILL means no warning
 * @param start when to call {@code start()}, from which point heartbeats are expected
 * @param shutdownTimeout how long an instance stopped from outside (SIGTERM or SIGINT to the
 * supervisor) has to end before it is killed
 * @param health how the heartbeats are driven
 * @param data the data kept by the supervisor across instances
 * @param cmap corosync cmap publishing
 */
@ConfigurationProperties("sam")
public record SamProperties(@DefaultValue("true") boolean enabled, @DefaultValue("5s") Duration interval,
		@DefaultValue("restart") Policy policy, @DefaultValue("TERM") String warnSignal,
		@DefaultValue("ready") StartMode start, @DefaultValue("30s") Duration shutdownTimeout,
		@DefaultValue Health health, @DefaultValue Data data, @DefaultValue Cmap cmap) {

	/**
	 * The recovery policies, as libsam's {@code SAM_RECOVERY_POLICY_*}.
	 */
	public enum Policy {

		/** The supervisor exits with the failed instance's status. */
		QUIT,

		/** A new instance is started. */
		RESTART,

		/** As quit; {@code start()} waits for quorum and losing quorum fails the instance. */
		QUORUM_QUIT,

		/** As restart; {@code start()} waits for quorum and losing quorum fails the instance. */
		QUORUM_RESTART

	}

	/**
	 * When the application calls {@code start()}.
	 */
	public enum StartMode {

		/** When the application is ready to serve ({@code ApplicationReadyEvent}). */
		READY,

		/** When the context is refreshed, before runners ({@code ApplicationStartedEvent}). */
		STARTED,

		/** Never automatically: the application calls {@code Sam.start()} itself. */
		MANUAL

	}

	/**
	 * How heartbeats are driven.
	 *
	 * @param enabled whether Actuator's health drives the heartbeats (event-driven checking); false
	 * leaves them to the application, which calls {@code Sam.hcSend()} at least once per interval
	 * @param group the health group to check, as configured under
	 * {@code management.endpoint.health.group}; all indicators when not set
	 * @param timeout how long one health check may take before it counts as failed; half the
	 * interval when not set
	 */
	public record Health(@DefaultValue("true") boolean enabled, String group, Duration timeout) {
	}

	/**
	 * The data the application keeps in the supervisor with {@code Sam.dataStore}.
	 *
	 * @param maxSize the largest data {@code dataStore} accepts; more is refused with TOO_BIG
	 */
	public record Data(@DefaultValue("1MB") DataSize maxSize) {
	}

	/**
	 * Publishing the supervisor's state in corosync's cmap (libsam's cmap flag).
	 *
	 * @param enabled whether to publish the state under {@code resources.process.<pid>.} and allow
	 * {@code markFailed()}; needs a running corosync
	 */
	public record Cmap(@DefaultValue("false") boolean enabled) {
	}

}
