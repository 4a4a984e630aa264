package dev.samboot.autoconfigure;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Configuration of samboot's supervision, under {@code sam.*}. Read twice: by
 * {@link SamApplicationListener} before any bean exists (to become the supervisor or
 * register as an active process), and by the auto-configuration in the active process.
 *
 * @param enabled Whether to supervise the application. When false it runs as a plain
 * process.
 * @param interval Health-check interval T. After T without a heartbeat the warn signal is
 * sent, after another T SIGKILL. 0 watches only for the death of the process.
 * @param policy Recovery policy: what the supervisor does when an instance fails.
 * @param warnSignal Signal sent when a heartbeat is missed, as a name (TERM, SIGUSR1) or
 * a number. KILL means no warning.
 * @param start When to call start(), from which point heartbeats are expected.
 * @param shutdownTimeout Time an instance stopped from outside (SIGTERM or SIGINT to the
 * supervisor) has to end before it is killed.
 * @param health Health checking.
 * @param data Data kept by the supervisor across instances.
 * @param cmap Publishing in corosync's cmap.
 * @param supervisor The supervisor process.
 * @param quorum Where the quorum policies learn whether the cluster is quorate.
 * @param restart Limits and waits of restarts.
 * @param quit Exit statuses that quit whatever the policy says.
 * @param startupTimeout Time an instance has to call start(); one that has not is warned
 * and killed like a silent one. 0 for no limit, as libsam.
 * @param threadDump Thread dumps of an instance about to be warned.
 * @param cpg A corosync closed process group every instance joins.
 */
@ConfigurationProperties("sam")
public record SamProperties(@DefaultValue("true") boolean enabled, @DefaultValue("5s") Duration interval,
		@DefaultValue("restart") Policy policy, @DefaultValue("TERM") String warnSignal,
		@DefaultValue("ready") StartMode start, @DefaultValue("30s") Duration shutdownTimeout,
		@DefaultValue Health health, @DefaultValue Data data, @DefaultValue Cmap cmap,
		@DefaultValue Supervisor supervisor, @DefaultValue Quorum quorum, @DefaultValue Restart restart,
		@DefaultValue Quit quit, @DefaultValue("0") Duration startupTimeout, @DefaultValue ThreadDump threadDump,
		@DefaultValue Cpg cpg) {

	/**
	 * The recovery policies, as libsam's {@code SAM_RECOVERY_POLICY_*}.
	 */
	public enum Policy {

		/** The supervisor exits with the failed instance's status. */
		QUIT,

		/** A new instance is started. */
		RESTART,

		/**
		 * As quit; {@code start()} waits for quorum and losing quorum fails the instance.
		 */
		QUORUM_QUIT,

		/**
		 * As restart; {@code start()} waits for quorum and losing quorum fails the
		 * instance.
		 */
		QUORUM_RESTART

	}

	/**
	 * When the application calls {@code start()}.
	 */
	public enum StartMode {

		/** When the application is ready to serve ({@code ApplicationReadyEvent}). */
		READY,

		/**
		 * When the context is refreshed, before runners
		 * ({@code ApplicationStartedEvent}).
		 */
		STARTED,

		/** Never automatically: the application calls {@code Sam.start()} itself. */
		MANUAL

	}

	/**
	 * How heartbeats are driven.
	 *
	 * @param enabled Whether Actuator's health drives the heartbeats (event-driven
	 * checking). When false the application calls Sam.hcSend() at least once per interval
	 * itself.
	 * @param group Health group to check, as defined under
	 * management.endpoint.health.group, or * for every health indicator. Spring Boot's
	 * liveness group when not set: a restart cures only what is wrong inside the process,
	 * so a database or broker must not be checked here.
	 * @param timeout Time one health check may take before it counts as failed. Half the
	 * interval when not set.
	 * @param deadlocks The deadlock check in the liveness group.
	 */
	public record Health(@DefaultValue("true") boolean enabled, String group, Duration timeout,
			@DefaultValue Deadlocks deadlocks) {
	}

	/**
	 * The deadlock check ({@code ThreadMXBean.findDeadlockedThreads}).
	 *
	 * @param enabled Whether the deadlocks health indicator exists and belongs to the
	 * liveness group: DOWN while threads are deadlocked, which a restart cures.
	 */
	public record Deadlocks(@DefaultValue("true") boolean enabled) {
	}

	/**
	 * The data the application keeps in the supervisor with {@code Sam.dataStore}.
	 *
	 * @param maxSize Largest data Sam.dataStore accepts; more is refused with TOO_BIG.
	 */
	public record Data(@DefaultValue("1MB") DataSize maxSize) {
	}

	/**
	 * Publishing the supervisor's state in corosync's cmap (libsam's cmap flag).
	 *
	 * @param enabled Whether to publish the supervisor's state under
	 * resources.process.PID. in corosync's cmap and allow markFailed(). Needs a running
	 * corosync.
	 */
	public record Cmap(@DefaultValue("false") boolean enabled) {
	}

	/**
	 * The supervisor process.
	 *
	 * @param lean Whether the supervisor replaces its JVM, keeping its pid, with a small
	 * one that loads only samboot's core, so that Spring does not stay resident in it.
	 * With the quorum or cmap flag it also loads jnr's jars, for corosync's libraries;
	 * with the ZooKeeper quorum source the supervisor stays in the application's JVM.
	 * Read on the command line, as a system property or as SAM_SUPERVISOR_LEAN before the
	 * configuration files; false in a file costs one more start.
	 * @param jvmOptions JVM options of the lean supervisor. Small heap, serial GC and one
	 * compiler thread when not set.
	 * @param earlyLaunch Whether instance 1 is launched as soon as the application
	 * starts, the process the user started becoming the supervisor at once and instance 1
	 * handing it the settings, rather than after the configuration is read. Read before
	 * configuration files: set it on the command line, as a system property or as
	 * SAM_SUPERVISOR_EARLY_LAUNCH.
	 */
	public record Supervisor(@DefaultValue("true") boolean lean, List<String> jvmOptions,
			@DefaultValue("true") boolean earlyLaunch) {
	}

	/**
	 * Where the quorum policies learn whether the cluster is quorate.
	 *
	 * @param provider Quorum source: corosync's votequorum, as libsam, or a ZooKeeper
	 * ensemble.
	 * @param zookeeper ZooKeeper quorum source.
	 */
	public record Quorum(@DefaultValue("corosync") Provider provider, @DefaultValue ZooKeeper zookeeper) {

		/**
		 * The quorum sources.
		 */
		public enum Provider {

			/** corosync's votequorum on this node. */
			COROSYNC,

			/**
			 * A ZooKeeper ensemble: quorate while connected to a server of a majority.
			 */
			ZOOKEEPER

		}

	}

	/**
	 * A ZooKeeper ensemble as the quorum source (needs
	 * org.apache.curator:curator-framework).
	 *
	 * @param connectString Servers of the ensemble, such as zk1:2181,zk2:2181,zk3:2181.
	 * @param sessionTimeout ZooKeeper session timeout: after it a lost connection is
	 * final.
	 * @param connectionTimeout Time start() and the first connection may take.
	 */
	public record ZooKeeper(String connectString, @DefaultValue("10s") Duration sessionTimeout,
			@DefaultValue("15s") Duration connectionTimeout) {
	}

	/**
	 * Limits and waits of restarts.
	 *
	 * @param maxRestarts Restarts allowed within the window; one more and the supervisor
	 * gives up (quits with the last status). -1 for no limit, as libsam.
	 * @param window Window of the restart limit.
	 * @param backoff Wait before each restart.
	 * @param exitCodes Exit statuses that restart whatever the policy says.
	 * @param startupCache JVM class-data cache that makes restarted instances start
	 * faster.
	 * @param startRetry Retries of a restarted instance that fails to start.
	 */
	public record Restart(@DefaultValue("-1") int maxRestarts, @DefaultValue("60s") Duration window,
			@DefaultValue Backoff backoff, List<Integer> exitCodes, @DefaultValue StartupCache startupCache,
			@DefaultValue StartRetry startRetry) {
	}

	/**
	 * What happens when an instance started as a recovery (instance 2 and later) exits
	 * before it calls start(): what broke the last instance, a database or a file, may
	 * still be away.
	 *
	 * @param enabled Whether an instance started as a recovery that exits before start()
	 * is launched again after a wait instead of quitting. The first instance failing to
	 * start always quits, so that a configuration error does not loop.
	 * @param initial Wait before the first retry.
	 * @param max Longest wait between retries.
	 * @param multiplier Factor by which each further wait grows.
	 * @param jitter Fraction (0 to 1) by which a wait is randomly shortened or
	 * lengthened.
	 */
	public record StartRetry(@DefaultValue("true") boolean enabled, @DefaultValue("1s") Duration initial,
			@DefaultValue("30s") Duration max, @DefaultValue("2") double multiplier,
			@DefaultValue("0.1") double jitter) {
	}

	/**
	 * A JVM class-data cache (AppCDS on Java 17 to 23, the AOT cache on Java 24 and
	 * later) that the supervisor trains once, in the background, and later instances
	 * start with.
	 *
	 * @param enabled Whether to train the cache and launch later instances with it.
	 * @param directory Directory of the cache, used by this application only. A directory
	 * named after spring.application.name (or the jar) under samboot-startup-cache in the
	 * temporary directory when not set.
	 */
	public record StartupCache(@DefaultValue("false") boolean enabled, java.nio.file.Path directory) {
	}

	/**
	 * Wait before each restart, growing with each restart in a row.
	 *
	 * @param initial Wait before the first restart in a row. 0 restarts at once, as
	 * libsam.
	 * @param max Longest wait.
	 * @param multiplier Factor by which each further wait grows.
	 * @param jitter Fraction (0 to 1) by which a wait is randomly shortened or
	 * lengthened.
	 * @param resetAfter Run after start() after which the next restart is the first in a
	 * row again.
	 */
	public record Backoff(@DefaultValue("0") Duration initial, @DefaultValue("5m") Duration max,
			@DefaultValue("2") double multiplier, @DefaultValue("0.1") double jitter,
			@DefaultValue("1m") Duration resetAfter) {
	}

	/**
	 * Exit statuses that quit.
	 *
	 * @param exitCodes Exit statuses that quit whatever the policy says, such as a
	 * configuration error's.
	 */
	public record Quit(List<Integer> exitCodes) {
	}

	/**
	 * Thread dumps of an instance about to be warned.
	 *
	 * @param enabled Whether to take a thread dump (jcmd Thread.print) of an instance
	 * before it is warned.
	 * @param directory Directory of the thread dumps. A samboot-thread-dumps directory in
	 * the temporary directory when not set.
	 * @param maxCount Most thread dumps the directory keeps: beyond them the oldest are
	 * removed, when the supervisor starts and after each dump. For the whole directory,
	 * whichever supervisor wrote them.
	 * @param maxAge Age after which a thread dump is removed, when the supervisor starts
	 * and after each dump.
	 */
	public record ThreadDump(@DefaultValue("true") boolean enabled, java.nio.file.Path directory,
			@DefaultValue("50") int maxCount, @DefaultValue("7d") Duration maxAge) {
	}

	/**
	 * A corosync closed process group (CPG) that every instance joins once it has
	 * registered, and leaves when its context closes.
	 *
	 * @param group Name of the group to join: not blank, at most 127 bytes of UTF-8, no
	 * NUL character. No group when not set. Needs a running corosync on this node.
	 * @param rejoinTimeout Time the group may stay lost (corosync gone, this member
	 * evicted) before the cpg health indicator is DOWN, so that the instance is
	 * restarted. 3 times sam.interval when not set (15s when sam.interval is 0).
	 * @param maxMessageSize Largest message the application may send to the group, from
	 * 1B to 16MB; more is refused with TOO_BIG.
	 * @param sendTimeout How long a send retries while corosync answers TRY_AGAIN (its
	 * queue is full) before it fails with TRY_AGAIN; 0 for no retry.
	 */
	public record Cpg(String group, Duration rejoinTimeout, @DefaultValue("1MB") DataSize maxMessageSize,
			@DefaultValue("5s") Duration sendTimeout) {
	}

}
