package dev.samboot.sam;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * What the supervisor counted over its whole lifetime: instances started after the first,
 * recoveries by reason, and the time it waited before restarts. Unlike
 * {@link Sam#recoveries()}, which holds only the most recent ones, these totals only grow
 * while the supervisor runs; the supervisor hands them to every new instance, so that
 * counters built on them (Prometheus' {@code rate()} and {@code increase()}) stay right
 * across restarts.
 *
 * @param restarts instances started after the first
 * @param recoveries recoveries by reason; reasons never seen are absent
 * @param backoff the time waited before restarts, summed
 */
public record RecoveryTotals(long restarts, Map<Recovery.Reason, Long> recoveries, Duration backoff) {

	/** The totals of a supervisor that has not recovered anything yet. */
	public static final RecoveryTotals NONE = new RecoveryTotals(0, Map.of(), Duration.ZERO);

	public RecoveryTotals {
		if (restarts < 0) {
			throw new IllegalArgumentException("restarts must not be negative: " + restarts);
		}
		Objects.requireNonNull(backoff, "backoff");
		if (backoff.isNegative()) {
			throw new IllegalArgumentException("backoff must not be negative: " + backoff);
		}
		EnumMap<Recovery.Reason, Long> copy = new EnumMap<>(Recovery.Reason.class);
		for (Map.Entry<Recovery.Reason, Long> entry : recoveries.entrySet()) {
			long count = Objects.requireNonNull(entry.getValue(), "count");
			if (count < 0) {
				throw new IllegalArgumentException("recoveries must not be negative: " + entry);
			}
			if (count > 0) {
				copy.put(Objects.requireNonNull(entry.getKey(), "reason"), count);
			}
		}
		recoveries = Collections.unmodifiableMap(copy);
	}

	/**
	 * Return how many recoveries had this reason.
	 * @param reason the reason
	 * @return the count, 0 if never seen
	 */
	public long recoveries(Recovery.Reason reason) {
		return this.recoveries.getOrDefault(reason, 0L);
	}

	/**
	 * Return all recoveries, whatever their reason.
	 * @return the count
	 */
	public long recoveryCount() {
		return this.recoveries.values().stream().mapToLong(Long::longValue).sum();
	}

	/**
	 * Return these totals with one more recovery.
	 * @param recovery the recovery
	 * @return the new totals
	 */
	public RecoveryTotals plus(Recovery recovery) {
		EnumMap<Recovery.Reason, Long> counts = new EnumMap<>(Recovery.Reason.class);
		counts.putAll(this.recoveries);
		counts.merge(recovery.reason(), 1L, Long::sum);
		return new RecoveryTotals(this.restarts, counts, this.backoff.plus(recovery.backoff()));
	}

	/**
	 * Return these totals with another restart count.
	 * @param restarts instances started after the first
	 * @return the new totals
	 */
	public RecoveryTotals withRestarts(long restarts) {
		return new RecoveryTotals(restarts, this.recoveries, this.backoff);
	}

}
