package dev.samboot.benchmarks;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import dev.samboot.sam.Sam;
import dev.samboot.sam.internal.supervisor.SupervisorLoop;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The channel between an active process and its supervisor, both in this JVM: a
 * registered, started {@link Sam} against a real {@link SupervisorLoop} on its own
 * thread, over the real Unix socket. The interval is ten minutes, so no warn signal is
 * due while measuring.
 */
@State(Scope.Benchmark)
public class ChannelBenchmarks {

	static final int DATA_BYTES = 64 * 1024;

	private BenchSupervisor supervisor;

	private Sam sam;

	private byte[] data;

	@Setup(Level.Trial)
	public void setUp() throws IOException {
		this.supervisor = BenchSupervisor.start(Duration.ofMinutes(10));
		this.sam = this.supervisor.register();
		this.sam.start();
		this.data = new byte[DATA_BYTES];
		new SplittableRandom(42).nextBytes(this.data);
	}

	@TearDown(Level.Trial)
	public void tearDown() throws InterruptedException {
		this.sam.dataStore(this.data);
		if (!Arrays.equals(this.supervisor.storedData(), this.data)) {
			throw new IllegalStateException("The supervisor does not hold the stored data");
		}
		this.sam.close();
		this.supervisor.close();
	}

	/** Sustained {@code hcSend()} calls: the heartbeat is written and not answered. */
	@Benchmark
	@BenchmarkMode(Mode.Throughput)
	@OutputTimeUnit(TimeUnit.SECONDS)
	public void hcSend() {
		this.sam.hcSend();
	}

	/**
	 * From {@code hcSend()} until the supervisor has reset its clock on that heartbeat.
	 */
	@Benchmark
	@BenchmarkMode(Mode.SampleTime)
	@OutputTimeUnit(TimeUnit.MICROSECONDS)
	public long hcRoundTrip() {
		long before = this.supervisor.resets();
		this.sam.hcSend();
		return this.supervisor.awaitResetAfter(before);
	}

	/**
	 * {@code dataStore} of 64 KiB: returns once the supervisor has acknowledged the
	 * bytes.
	 */
	@Benchmark
	@BenchmarkMode(Mode.SampleTime)
	@OutputTimeUnit(TimeUnit.MILLISECONDS)
	public void dataStore64k() {
		this.sam.dataStore(this.data);
	}

}
