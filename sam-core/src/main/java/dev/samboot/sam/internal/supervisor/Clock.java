package dev.samboot.sam.internal.supervisor;

/**
 * The monotonic clock the supervisor measures silence with, and the wall clock its
 * recoveries are stamped with. A seam, so the timing rules can be tested with a clock
 * that only moves when a test moves it.
 */
@FunctionalInterface
public interface Clock {

	Clock SYSTEM = System::nanoTime;

	/**
	 * Return monotonic nanoseconds; only differences mean anything.
	 * @return the current reading
	 */
	long nanoTime();

	/**
	 * Return the wall-clock time, for what is shown to people (a recovery's time).
	 * @return the instant
	 */
	default java.time.Instant now() {
		return java.time.Instant.now();
	}

}
