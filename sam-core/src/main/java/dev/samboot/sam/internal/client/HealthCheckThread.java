package dev.samboot.sam.internal.client;

import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;

import dev.samboot.sam.HealthCheckCallback;
import dev.samboot.sam.Sam;
import dev.samboot.sam.internal.process.LazyLogger;

/**
 * Event-driven checking, as libsam's {@code hc_callback_thread}: while started, a
 * heartbeat every T/4 and the callback after every fourth one, so once per T. The first
 * unhealthy answer (false or an exception) stops the heartbeats for the rest of this
 * instance, and the supervisor's warn signal follows within about T.
 */
public final class HealthCheckThread {

	private static final System.Logger logger = LazyLogger.of(HealthCheckThread.class);

	/** What the thread needs from {@link Sam}. */
	public interface Target {

		/**
		 * Send a heartbeat if started.
		 * @return whether one was sent
		 */
		boolean heartbeat();

		/**
		 * Tell the supervisor why heartbeats stop.
		 * @param detail what the check answered
		 */
		void unhealthy(String detail);

	}

	private final long tickNanos;

	private final Target target;

	private final Thread thread;

	private volatile HealthCheckCallback callback;

	private boolean started;

	private boolean failed;

	private boolean shutdown;

	private boolean checkRequested;

	/**
	 * A turn of the thread: a heartbeat tick at {@code time}, or a check asked for out of
	 * turn.
	 */
	private record Turn(long time, boolean checkNow) {
	}

	public HealthCheckThread(long intervalNanos, Target target, HealthCheckCallback callback) {
		this.tickNanos = Math.max(1, intervalNanos / 4);
		this.target = target;
		this.callback = callback;
		this.thread = new Thread(this::run, "sam-health-check");
		this.thread.setDaemon(true);
		this.thread.start();
	}

	public void callback(HealthCheckCallback callback) {
		this.callback = callback;
	}

	public synchronized void started(boolean started) {
		this.started = started;
		notifyAll();
	}

	public synchronized boolean failed() {
		return this.failed;
	}

	/**
	 * Run the check at once rather than at its turn, for example because the application
	 * just reported that it is broken. Ignored while not started or once failed.
	 */
	public synchronized void checkNow() {
		if (this.started && !this.failed) {
			this.checkRequested = true;
			notifyAll();
		}
	}

	/**
	 * Stop the thread for good and wait briefly for it to end.
	 */
	public void shutdown() {
		synchronized (this) {
			this.shutdown = true;
			notifyAll();
		}
		if (Thread.currentThread() != this.thread) {
			try {
				this.thread.join(TimeUnit.SECONDS.toMillis(1));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	private void run() {
		int counter = 0;
		long next = System.nanoTime() + this.tickNanos;
		Turn turn;
		while ((turn = awaitTick(next)) != null) {
			if (turn.checkNow()) {
				counter = 0;
				check();
				continue;
			}
			next = turn.time() + this.tickNanos;
			if (this.target.heartbeat()) {
				counter++;
			}
			if (counter >= 4) {
				counter = 0;
				check();
			}
		}
	}

	/**
	 * Wait until the tick (put off while not started) or a check asked for; null once
	 * shut down.
	 */
	private synchronized Turn awaitTick(long tick) {
		long next = tick;
		while (!this.shutdown) {
			if (!this.started || this.failed) {
				this.checkRequested = false;
				waitQuietly(0);
				next = System.nanoTime() + this.tickNanos;
				continue;
			}
			if (this.checkRequested) {
				this.checkRequested = false;
				return new Turn(next, true);
			}
			long remaining = next - System.nanoTime();
			if (remaining <= 0) {
				return new Turn(next, false);
			}
			// rounded up: a wait that ends a fraction of a millisecond early would wake
			// the thread twice
			waitQuietly((remaining + 999_999) / 1_000_000);
		}
		return null;
	}

	private void waitQuietly(long millis) {
		try {
			wait(millis);
		}
		catch (InterruptedException ex) {
			this.shutdown = true;
		}
	}

	private void check() {
		String detail;
		try {
			if (this.callback.isHealthy()) {
				return;
			}
			detail = "health check answered unhealthy";
		}
		catch (Exception ex) {
			detail = "health check failed: " + ex;
		}
		synchronized (this) {
			this.failed = true;
		}
		logger.log(Level.WARNING, detail + "; heartbeats stop and the supervisor will recover this instance");
		this.target.unhealthy(detail);
	}

}
