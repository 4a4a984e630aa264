package dev.samboot.sam.internal.supervisor;

import java.util.ArrayDeque;
import java.util.Deque;

import dev.samboot.sam.Backoff;

/**
 * What {@link RestartRules} allow of the next restart: whether the restart intensity is
 * reached, and how long to wait first, growing with each restart in a row (and, apart
 * from those, with each recovered instance in a row that failed to start).
 */
final class RestartBudget {

	private final RestartRules rules;

	/** Clock readings of the restarts within the intensity window. */
	private final Deque<Long> restartTimes = new ArrayDeque<>();

	/** Restarts in a row without a run of {@code Backoff.resetAfter()}. */
	private int inARow;

	/** Recovered instances in a row that ended before {@code start()}. */
	private int failedStartsInARow;

	RestartBudget(RestartRules rules) {
		this.rules = rules;
	}

	/**
	 * Whether one more restart now would exceed the restart intensity.
	 * @param now the clock reading
	 * @return whether to give up instead
	 */
	boolean exhausted(long now) {
		if (this.rules.maxRestarts() < 0) {
			return false;
		}
		while (!this.restartTimes.isEmpty() && now - this.restartTimes.peekFirst() >= this.rules.windowNanos()) {
			this.restartTimes.removeFirst();
		}
		return this.restartTimes.size() >= this.rules.maxRestarts();
	}

	/**
	 * Count a restart and return the wait before it.
	 * @param now the clock reading
	 * @param ended the instance that ended
	 * @param failedStart whether it ended before {@code start()} (a start retry)
	 * @return the wait in nanoseconds
	 */
	long restart(long now, Instance ended, boolean failedStart) {
		this.restartTimes.addLast(now);
		if (failedStart) {
			return this.rules.startRetry().delayNanos(this.failedStartsInARow++, this.rules.random());
		}
		Backoff backoff = this.rules.backoff();
		if (ended.runningSince() != 0 && now - ended.runningSince() >= backoff.resetAfter().toNanos()) {
			this.inARow = 0;
		}
		return backoff.delayNanos(this.inARow++, this.rules.random());
	}

	/**
	 * An instance reached {@code start()}: the next failed start is the first in a row
	 * again.
	 */
	void started() {
		this.failedStartsInARow = 0;
	}

}
