package dev.samboot.sam.internal.supervisor;

import java.util.concurrent.CompletableFuture;

/**
 * One launched instance, as the supervisor sees it. A seam: the real one wraps a
 * {@link java.lang.Process}; tests use fakes that exit when told.
 */
public interface ActiveProcess {

	/**
	 * Return the process id.
	 * @return the pid
	 */
	long pid();

	/**
	 * Send a POSIX signal to this process only.
	 * @param signal the signal number
	 */
	void signal(int signal);

	/**
	 * Get ready to send a signal later without delay (the real process loads native code
	 * for signals other than SIGTERM and SIGKILL).
	 * @param signal the signal number
	 */
	default void prepare(int signal) {
	}

	/**
	 * Return a future completed with the exit status (128 + N when killed by signal N)
	 * once the process has ended and been reaped.
	 * @return the exit status
	 */
	CompletableFuture<Integer> onExit();

}
