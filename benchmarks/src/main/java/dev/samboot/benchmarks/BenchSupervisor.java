package dev.samboot.benchmarks;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.samboot.sam.RecoveryPolicy;
import dev.samboot.sam.Sam;
import dev.samboot.sam.SamOptions;
import dev.samboot.sam.Signals;
import dev.samboot.sam.StatePublisher;
import dev.samboot.sam.internal.channel.ChannelDirectory;
import dev.samboot.sam.internal.channel.Codec;
import dev.samboot.sam.internal.process.SamEnvironment;
import dev.samboot.sam.internal.process.SamPlatform;
import dev.samboot.sam.internal.supervisor.ActiveProcess;
import dev.samboot.sam.internal.supervisor.Clock;
import dev.samboot.sam.internal.supervisor.Supervisor;
import dev.samboot.sam.internal.supervisor.SupervisorLoop;
import dev.samboot.sam.internal.supervisor.SupervisorSettings;

/**
 * A real supervisor (state machine, selector loop, Unix socket, token) on a thread of the benchmark
 * JVM, whose active process is this JVM: signals it would send are dropped. Every reset of the
 * supervisor's clock (a message heard from the active process) is counted through the
 * {@link StatePublisher} seam, which the supervisor tells right after it resets the clock, so a
 * benchmark can wait for the reset its own heartbeat caused.
 */
public final class BenchSupervisor implements AutoCloseable {

	private final SamOptions options;

	private final ChannelDirectory directory;

	private final byte[] token;

	private final long pid = ProcessHandle.current().pid();

	private final AtomicLong resets = new AtomicLong();

	private final SupervisorLoop loop;

	private final Thread thread;

	private BenchSupervisor(SamOptions options) throws IOException {
		this.options = options;
		this.directory = ChannelDirectory.create();
		this.token = new byte[Codec.TOKEN_BYTES];
		new SecureRandom().nextBytes(this.token);
		SupervisorSettings settings = new SupervisorSettings(options.interval().toNanos(), options.policy(),
				Signals.SIGTERM, null, options.dataMaxSize(), options.shutdownTimeout().toNanos(), this.token, this.pid);
		Self self = new Self();
		this.loop = new SupervisorLoop((watcher) -> new Supervisor(settings, Clock.SYSTEM, (env) -> {
			watcher.watch(self);
			return self;
		}, new ResetCounter()), this.directory, Clock.SYSTEM, Codec.maxFrameBytes(options.dataMaxSize()));
		this.loop.supervisor().launchFirst();
		this.thread = new Thread(this::run, "bench-supervisor");
		this.thread.setDaemon(true);
		this.thread.start();
	}

	/**
	 * Start a supervisor with the restart policy and the default data limit.
	 * @param interval the interval; make it long, so that no warn signal is due while measuring
	 * @return the running supervisor
	 * @throws IOException if the socket cannot be created
	 */
	public static BenchSupervisor start(Duration interval) throws IOException {
		return new BenchSupervisor(SamOptions.builder(interval, RecoveryPolicy.RESTART).build());
	}

	private void run() {
		try {
			this.loop.run();
		}
		catch (IOException | RuntimeException ex) {
			// closed at tear-down
		}
	}

	/**
	 * Create a handle as an active process would and register it with this supervisor.
	 * @return the registered handle, instance 1
	 */
	public Sam register() {
		Map<String, String> env = Map.of(SamEnvironment.SOCKET, this.directory.socket().toString(),
				SamEnvironment.TOKEN, HexFormat.of().formatHex(this.token), SamEnvironment.SUPERVISOR_PID,
				Long.toString(this.pid), SamEnvironment.INSTANCE_ID, "1");
		Sam sam = Sam.create(this.options, new SamPlatform(env, Optional.of(this.pid), List.of(), (status) -> {
		}));
		sam.register();
		return sam;
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
		CompletableFuture<byte[]> data = new CompletableFuture<>();
		this.loop.post(() -> data.complete(this.loop.supervisor().data()));
		return data.orTimeout(5, TimeUnit.SECONDS).join();
	}

	@Override
	public void close() throws InterruptedException {
		this.loop.close();
		this.thread.join(TimeUnit.SECONDS.toMillis(5));
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

	/** This JVM as the supervisor's active process: signals are dropped, it never exits. */
	private final class Self implements ActiveProcess {

		private final CompletableFuture<Integer> exit = new CompletableFuture<>();

		@Override
		public long pid() {
			return BenchSupervisor.this.pid;
		}

		@Override
		public void signal(int signal) {
		}

		@Override
		public CompletableFuture<Integer> onExit() {
			return this.exit;
		}

	}

}
