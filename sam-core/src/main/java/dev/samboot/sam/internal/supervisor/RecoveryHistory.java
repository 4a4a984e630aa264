package dev.samboot.sam.internal.supervisor;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import dev.samboot.sam.Recovery;
import dev.samboot.sam.RecoveryTotals;

/**
 * The most recent recoveries, oldest first, and the totals since the supervisor started,
 * which the supervisor hands to every new instance.
 */
final class RecoveryHistory {

	private final int limit;

	private final Deque<Recovery> recoveries = new ArrayDeque<>();

	private RecoveryTotals totals = RecoveryTotals.NONE;

	/**
	 * Create a new instance.
	 * @param limit how many recoveries are kept
	 */
	RecoveryHistory(int limit) {
		this.limit = limit;
	}

	void add(Recovery recovery) {
		this.recoveries.addLast(recovery);
		this.totals = this.totals.plus(recovery);
		while (this.recoveries.size() > this.limit) {
			this.recoveries.removeFirst();
		}
	}

	List<Recovery> recent() {
		return List.copyOf(this.recoveries);
	}

	/**
	 * Return every recovery's count by reason and the backoff summed, since the
	 * supervisor started, whatever {@link #recent()} still holds.
	 * @param restarts the instances started after the first
	 * @return the totals
	 */
	RecoveryTotals totals(long restarts) {
		return this.totals.withRestarts(restarts);
	}

}
