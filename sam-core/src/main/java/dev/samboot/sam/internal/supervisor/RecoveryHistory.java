package dev.samboot.sam.internal.supervisor;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import dev.samboot.sam.Recovery;

/**
 * The most recent recoveries, oldest first, which the supervisor hands to every new
 * instance.
 */
final class RecoveryHistory {

	private final int limit;

	private final Deque<Recovery> recoveries = new ArrayDeque<>();

	/**
	 * Create a new instance.
	 * @param limit how many recoveries are kept
	 */
	RecoveryHistory(int limit) {
		this.limit = limit;
	}

	void add(Recovery recovery) {
		this.recoveries.addLast(recovery);
		while (this.recoveries.size() > this.limit) {
			this.recoveries.removeFirst();
		}
	}

	List<Recovery> recent() {
		return List.copyOf(this.recoveries);
	}

}
