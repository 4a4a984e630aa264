package dev.samboot.sam.internal.supervisor;

import java.util.Set;
import java.util.function.DoubleSupplier;

import dev.samboot.sam.Backoff;
import dev.samboot.sam.internal.systemd.SystemdNotifier;

/**
 * What samboot adds to libsam's recovery: a limit on restarts in a window, a growing wait
 * between them, exit statuses that always restart or always quit, a limit on the time to
 * {@code start()}, thread dumps of silent instances and systemd notification.
 * {@link #LIBSAM} has none of it.
 *
 * @param maxRestarts more restarts than this within the window make the supervisor give
 * up (quit); negative for no limit
 * @param windowNanos the window
 * @param backoff the wait before each restart
 * @param startRetry the wait before a recovered instance that ended before
 * {@code start()} is launched again, or {@code null} to quit then, as libsam
 * @param restartExitCodes exit statuses that restart whatever the policy says
 * @param quitExitCodes exit statuses that quit whatever the policy says
 * @param startupTimeoutNanos an instance that has not called {@code start()} by then is
 * warned and killed like a silent one; 0 for no limit
 * @param threadDumps takes a thread dump of a silent instance before it is warned, or
 * {@code null}
 * @param notifier tells systemd, or {@code null}
 * @param random the source of the backoff's jitter
 */
public record RestartRules(int maxRestarts, long windowNanos, Backoff backoff, Backoff startRetry,
		Set<Integer> restartExitCodes, Set<Integer> quitExitCodes, long startupTimeoutNanos, ThreadDumps threadDumps,
		SystemdNotifier notifier, DoubleSupplier random) {

	public static final RestartRules LIBSAM = new RestartRules(-1, 0, Backoff.NONE, null, Set.of(), Set.of(), 0, null,
			null, Math::random);

	RestartRules withThreadDumps(ThreadDumps dumps) {
		return new RestartRules(this.maxRestarts, this.windowNanos, this.backoff, this.startRetry,
				this.restartExitCodes, this.quitExitCodes, this.startupTimeoutNanos, dumps, this.notifier, this.random);
	}

}
