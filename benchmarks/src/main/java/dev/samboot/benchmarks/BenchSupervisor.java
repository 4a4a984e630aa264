package dev.samboot.benchmarks;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.samboot.sam.InProcessSupervisor;
import dev.samboot.sam.RecoveryPolicy;
import dev.samboot.sam.Sam;
import dev.samboot.sam.StatePublisher;

/**
 * A real supervisor on a thread of the benchmark JVM (the core's
 * {@link InProcessSupervisor}), whose active process is this JVM. Every reset of the
 * supervisor's clock (a message heard from the active process) is counted through the
 * {@link StatePublisher} seam, which the supervisor tells right after it resets the
 * clock, so a benchmark can wait for the reset its own heartbeat caused.
 */
public final class BenchSupervisor implements AutoCloseable {

	private final AtomicLong resets = new AtomicLong();

	private final InProcessSupervisor supervisor;

	private BenchSupervisor(Duration interval) throws IOException {
		this.supervisor = InProcessSupervisor.start(interval, RecoveryPolicy.RESTART, new ResetCounter());
	}

	/**
	 * Start a supervisor with the restart policy and the default data limit.
	 * @param interval the interval; make it long, so that no warn signal is due while
	 * measuring
	 * @return the running supervisor
	 * @throws IOException if the socket cannot be created
	 */
	public static BenchSupervisor start(Duration interval) throws IOException {
		return new BenchSupervisor(interval);
	}

	/**
	 * Create a handle as an active process would and register it with this supervisor.
	 * @return the registered handle, instance 1
	 */
	public Sam register() {
		return this.supervisor.register();
	}

	/**
	 * Return how many times the supervisor has reset its clock on a message.
	 * @return the count
	 */
	public long resets() {
		return this.resets.get();
	}

	/**
	 * Spin until the clock has been reset since {@code before} was read.
	 * @param before a value of {@link #resets()}
	 * @return the new count
	 * @throws IllegalStateException if no reset comes within a second
	 */
	public long awaitResetAfter(long before) {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
		long now;
		int spins = 0;
		while ((now = this.resets.get()) == before) {
			Thread.onSpinWait();
			if ((++spins & 0x3ff) == 0 && System.nanoTime() - deadline > 0) {
				throw new IllegalStateException("The supervisor did not hear the heartbeat within a second");
			}
		}
		return now;
	}

	/**
	 * Return the stored data as the supervisor holds it.
	 * @return the data, or {@code null}
	 */
	public byte[] storedData() {
		return this.supervisor.storedData();
	}

	@Override
	public void close() throws InterruptedException {
		this.supervisor.close();
	}

	private final class ResetCounter implements StatePublisher {

		@Override
		public void register(RecoveryPolicy policy, long pollPeriodMillis) {
		}

		@Override
		public void state(String state) {
		}

		@Override
		public void lastUpdated() {
			BenchSupervisor.this.resets.incrementAndGet();
		}

		@Override
		public void remove() {
		}

	}

}
