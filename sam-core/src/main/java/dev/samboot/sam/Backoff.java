package dev.samboot.sam;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * How long the supervisor waits before it starts the next instance, growing with each
 * restart in a row, as systemd's {@code RestartSteps} and Kubernetes' CrashLoopBackOff
 * do. libsam restarts at once: {@link #NONE}.
 *
 * @param initial the wait before the first restart in a row; zero for none
 * @param max the longest wait
 * @param multiplier how much longer each further wait is (at least 1)
 * @param jitter the fraction (0 to 1) by which a wait is randomly shortened or
 * lengthened, so that many nodes do not restart in step
 * @param resetAfter how long an instance must have run after {@code start()} for the next
 * restart to count as the first in a row again
 */
public record Backoff(Duration initial, Duration max, double multiplier, double jitter, Duration resetAfter) {

	/** Restart at once, as libsam. */
	public static final Backoff NONE = new Backoff(Duration.ZERO, Duration.ZERO, 1, 0, Duration.ZERO);

	/**
	 * Check the values.
	 * @throws SamException with {@link CsError#INVALID_PARAM} for a negative wait, a
	 * multiplier below 1 or a jitter outside 0 to 1
	 */
	public Backoff {
		if (initial == null || max == null || resetAfter == null || initial.isNegative() || max.isNegative()
				|| resetAfter.isNegative()) {
			throw new SamException(CsError.INVALID_PARAM, "Backoff waits must be 0 or more");
		}
		if (!(multiplier >= 1) || Double.isInfinite(multiplier)) {
			throw new SamException(CsError.INVALID_PARAM, "Backoff multiplier " + multiplier + " is below 1");
		}
		if (!(jitter >= 0 && jitter <= 1)) {
			throw new SamException(CsError.INVALID_PARAM, "Backoff jitter " + jitter + " is outside 0-1");
		}
	}

	/**
	 * Whether restarts wait at all.
	 * @return whether the initial wait is above zero
	 */
	public boolean enabled() {
		return !this.initial.isZero();
	}

	/**
	 * Return the wait before a restart.
	 * @param inARow how many restarts came right before this one without a healthy run (0
	 * for the first)
	 * @param random a uniform random number from 0 to 1
	 * @return the wait in nanoseconds
	 */
	public long delayNanos(int inARow, DoubleSupplier random) {
		if (!enabled()) {
			return 0;
		}
		double nanos = this.initial.toNanos() * Math.pow(this.multiplier, Math.min(inARow, 1000));
		double capped = Math.min(nanos, (double) Math.max(this.max.toNanos(), this.initial.toNanos()));
		double jittered = capped * (1 + this.jitter * (2 * random.getAsDouble() - 1));
		return Math.max(0, Math.round(Math.min(jittered, (double) Long.MAX_VALUE / 4)));
	}

}
