package dev.samboot.sam;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import dev.samboot.sam.internal.channel.ChannelDirectory;
import dev.samboot.sam.internal.channel.Codec;
import dev.samboot.sam.internal.process.SamEnvironment;
import dev.samboot.sam.internal.process.SamPlatform;
import dev.samboot.sam.internal.supervisor.ActiveProcess;
import dev.samboot.sam.internal.supervisor.Clock;
import dev.samboot.sam.internal.supervisor.RestartRules;
import dev.samboot.sam.internal.supervisor.Supervision;
import dev.samboot.sam.internal.supervisor.SupervisorLoop;
import dev.samboot.sam.internal.supervisor.SupervisorSettings;

/**
 * A real supervisor (state machine, selector loop, Unix socket, token) running on a
 * thread of the test JVM, whose "active process" is the test JVM itself: signals it would
 * send are recorded, not sent. It lets tests outside this package hold a really
 * registered {@link Sam} without starting a second JVM.
 */
public final class InProcessSupervisor implements AutoCloseable {

	private final SamOptions options;

	private final ChannelDirectory directory;

	private final byte[] token;

	private final long pid = ProcessHandle.current().pid();

	private final Self self = new Self();

	private final Supervision supervision;

	private final SupervisorLoop loop;

	private final Thread thread;

	private final List<Integer> exits = new CopyOnWriteArrayList<>();

	private InProcessSupervisor(SamOptions options, StatePublisher publisher, QuorumSource quorum) throws IOException {
		this.options = options;
		this.directory = ChannelDirectory.create();
		this.token = new byte[Codec.TOKEN_BYTES];
		new SecureRandom().nextBytes(this.token);
		SupervisorSettings settings = new SupervisorSettings(options.interval().toNanos(), options.policy(),
				Signals.SIGTERM, null, options.dataMaxSize(), options.shutdownTimeout().toNanos(), this.token,
				this.pid);
		this.supervision = Supervision.assemble(settings, RestartRules.LIBSAM, Clock.SYSTEM, (env) -> this.self,
				publisher, this.directory, Codec.maxFrameBytes(options.dataMaxSize()), quorum);
		this.loop = this.supervision.loop();
		this.supervision.launchFirst();
		this.thread = new Thread(this::run, "in-process-supervisor");
		this.thread.setDaemon(true);
		this.thread.start();
	}

	/**
	 * Start a supervisor for these options.
	 * @param interval the interval
	 * @param policy the policy
	 * @return the running supervisor
	 * @throws IOException if the socket cannot be created
	 */
	public static InProcessSupervisor start(Duration interval, RecoveryPolicy policy) throws IOException {
		return start(interval, policy, null);
	}

	/**
	 * Start a supervisor for these options that tells a state publisher of its state and
	 * of every message heard ({@link StatePublisher#lastUpdated()}, right after the clock
	 * was reset).
	 * @param interval the interval
	 * @param policy the policy
	 * @param publisher the publisher, or {@code null}
	 * @return the running supervisor
	 * @throws IOException if the socket cannot be created
	 */
	public static InProcessSupervisor start(Duration interval, RecoveryPolicy policy, StatePublisher publisher)
			throws IOException {
		return new InProcessSupervisor(SamOptions.builder(interval, policy).build(), publisher, null);
	}

	/**
	 * Start a supervisor for a quorum policy that learns of quorum from the given source.
	 * @param interval the interval
	 * @param policy the policy, with the quorum flag
	 * @param quorum the quorum source, started by the supervisor
	 * @return the running supervisor
	 * @throws IOException if the socket cannot be created
	 */
	public static InProcessSupervisor startWithQuorum(Duration interval, RecoveryPolicy policy, QuorumSource quorum)
			throws IOException {
		return new InProcessSupervisor(SamOptions.builder(interval, policy).build(), null, quorum);
	}

	private void run() {
		try {
			this.loop.run();
		}
		catch (IOException | RuntimeException ex) {
			// closed by the test
		}
	}

	/**
	 * Create a handle as an active process would and register it with this supervisor.
	 * The handle is not this JVM's {@link Sam#current()}.
	 * @return the registered handle, instance 1
	 */
	public Sam register() {
		Map<String, String> env = Map.of(SamEnvironment.SOCKET, this.directory.socket().toString(),
				SamEnvironment.TOKEN, HexFormat.of().formatHex(this.token), SamEnvironment.SUPERVISOR_PID,
				Long.toString(this.pid), SamEnvironment.INSTANCE_ID, "1");
		Sam sam = Sam.create(this.options, new SamPlatform(env, Optional.of(this.pid), List.of(), this.exits::add));
		sam.register();
		return sam;
	}

	/**
	 * Return the signals the supervisor sent to its active process (this JVM), in order.
	 * @return the signal numbers
	 */
	public List<Integer> signalsSent() {
		return List.copyOf(this.self.signals);
	}

	/**
	 * Return the stored data as the supervisor holds it.
	 * @return a copy, or {@code null}
	 */
	public byte[] storedData() {
		CompletableFuture<byte[]> data = new CompletableFuture<>();
		this.loop.post(() -> data.complete(this.loop.supervisor().data()));
		return data.orTimeout(5, TimeUnit.SECONDS).join();
	}

	@Override
	public void close() throws InterruptedException {
		this.supervision.close();
		this.thread.join(TimeUnit.SECONDS.toMillis(5));
	}

	/**
	 * The test JVM as the supervisor's active process: signals are recorded, never sent.
	 */
	private final class Self implements ActiveProcess {

		private final List<Integer> signals = new CopyOnWriteArrayList<>();

		private final CompletableFuture<Integer> exit = new CompletableFuture<>();

		@Override
		public long pid() {
			return InProcessSupervisor.this.pid;
		}

		@Override
		public void signal(int signal) {
			this.signals.add(signal);
		}

		@Override
		public CompletableFuture<Integer> onExit() {
			return this.exit;
		}

	}

}
