package dev.samboot.sam;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import dev.samboot.corosync.CorosyncQuorum;
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
 * thread of this JVM, whose "active process" is this JVM itself: the signals it would
 * send are recorded, not sent. It gives tests a really registered {@link Sam} without
 * starting a second JVM: samboot's own tests, and applications' tests through
 * {@code sam-spring-boot-starter-test}.
 *
 * <p>
 * A supervisor started with {@link #start(SamOptions)} recovers as in production. Its
 * instance ends when the supervisor sends it SIGKILL, or SIGTERM, SIGINT or SIGHUP (which
 * end a JVM), with status 128 + N; {@link #exit(int)} ends it with any status, and
 * {@link #timeOut()} lets the supervisor's clock run as if the instance had stopped
 * sending heartbeats. The supervisor then does what its policy and restart rules say: it
 * records the {@link Recovery} and, when it restarts, launches the next instance, as
 * which the handle from {@link #register()} registers again: with the next id, the stored
 * data and the recoveries the supervisor hands over, as a new process would (listeners of
 * {@link #onNextInstance} then start it, as the application would). When it quits, the
 * handle is finalized and {@link #exitStatus()} says what the supervisor would have
 * exited with. What stays as it was is what a new process would not have kept: the
 * objects of this JVM.
 *
 * <p>
 * Unlike the supervisor process, it takes no thread dumps, tells no systemd and, with the
 * cmap flag, publishes to cmap only through the options' own
 * {@link SamOptions.Builder#statePublisher publisher}, so that a test leaves the node's
 * cmap alone; a quorum policy asks corosync, or the options' quorum source. The instances
 * of the other factory methods never end by a signal: every signal is only recorded, so
 * that a test sees each one the supervisor sends.
 */
public final class InProcessSupervisor implements AutoCloseable {

	/** How long {@link #exit} and {@link #timeOut} wait for the supervisor to act. */
	private static final long ACT_TIMEOUT_SECONDS = 30;

	private final SamOptions options;

	private final boolean endsOnSignals;

	private final ChannelDirectory directory;

	private final byte[] token;

	private final long pid = ProcessHandle.current().pid();

	private final MovableClock clock = new MovableClock();

	private final List<Integer> signals = new CopyOnWriteArrayList<>();

	private final List<Integer> exits = new CopyOnWriteArrayList<>();

	private final List<Consumer<Sam>> nextInstanceListeners = new CopyOnWriteArrayList<>();

	/** Ends instances and registers the next ones, off the supervisor's thread. */
	private final ExecutorService instances = Executors.newSingleThreadExecutor((task) -> {
		Thread thread = new Thread(task, "in-process-instances");
		thread.setDaemon(true);
		return thread;
	});

	private final CompletableFuture<Integer> exitStatus = new CompletableFuture<>();

	private final QuorumSource quorum;

	private final Supervision supervision;

	private final SupervisorLoop loop;

	private final Thread thread;

	private volatile Self current;

	private volatile Sam handle;

	private InProcessSupervisor(SamOptions options, RestartRules rules, StatePublisher publisher, QuorumSource quorum,
			boolean endsOnSignals) throws IOException {
		this.options = options;
		this.endsOnSignals = endsOnSignals;
		this.quorum = quorum;
		this.directory = ChannelDirectory.create();
		this.token = new byte[Codec.TOKEN_BYTES];
		new SecureRandom().nextBytes(this.token);
		SupervisorSettings settings = new SupervisorSettings(options.interval().toNanos(), options.policy(),
				Signals.SIGTERM, null, options.dataMaxSize(), options.shutdownTimeout().toNanos(), this.token,
				this.pid);
		this.supervision = Supervision.assemble(settings, rules, this.clock, (env) -> launch(), publisher,
				this.directory, Codec.maxFrameBytes(options.dataMaxSize()), quorum);
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
		return new InProcessSupervisor(SamOptions.builder(interval, policy).build(), RestartRules.LIBSAM, publisher,
				null, false);
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
		return new InProcessSupervisor(SamOptions.builder(interval, policy).build(), RestartRules.LIBSAM, null, quorum,
				false);
	}

	/**
	 * Start a supervisor that recovers as the supervisor process would with these
	 * options: interval, policy, data limit, shutdown timeout, restart limit and window,
	 * backoff, start retries, restart and quit exit statuses, start-up timeout and quorum
	 * source. Its instances end by the signals that end a JVM.
	 * @param options the options
	 * @return the running supervisor
	 * @throws IOException if the socket cannot be created
	 * @throws SamException {@link CsError#INVALID_PARAM} for options that
	 * {@link Sam#initialize(SamOptions)} refuses
	 */
	public static InProcessSupervisor start(SamOptions options) throws IOException {
		Sam.create(options, SamPlatform.system());
		RestartRules rules = new RestartRules(options.maxRestarts(), options.restartWindow().toNanos(),
				options.backoff(), options.startRetry(), options.restartExitCodes(), options.quitExitCodes(),
				options.startupTimeout().toNanos(), null, null, Math::random);
		StatePublisher publisher = (options.policy().cmap() && options.statePublisher() != null)
				? options.statePublisher().get() : null;
		QuorumSource quorum = null;
		if (options.policy().quorum()) {
			quorum = (options.quorumSource() != null) ? options.quorumSource().get() : new CorosyncQuorum();
		}
		try {
			return new InProcessSupervisor(options, rules, publisher, quorum, true);
		}
		catch (IOException | RuntimeException ex) {
			if (quorum != null) {
				quorum.close();
			}
			throw ex;
		}
	}

	private ActiveProcess launch() {
		Self next = new Self();
		Self previous = this.current;
		this.current = next;
		if (previous != null) {
			previous.successor.complete(next);
		}
		return next;
	}

	private void run() {
		try {
			this.exitStatus.complete(this.loop.run());
		}
		catch (IOException | RuntimeException ex) {
			// closed by the test
		}
		finally {
			this.current.successor.complete(null);
		}
	}

	/**
	 * Create a handle as an active process would and register it with this supervisor;
	 * the instance ends and recovers with this handle, and the handle registers again as
	 * the next. The handle is not this JVM's {@link Sam#current()}.
	 * @return the registered handle, instance 1
	 */
	public Sam register() {
		Map<String, String> env = Map.of(SamEnvironment.SOCKET, this.directory.socket().toString(),
				SamEnvironment.TOKEN, HexFormat.of().formatHex(this.token), SamEnvironment.SUPERVISOR_PID,
				Long.toString(this.pid), SamEnvironment.INSTANCE_ID, "1");
		Sam sam = Sam.create(this.options, new SamPlatform(env, Optional.of(this.pid), List.of(), this.exits::add));
		sam.register();
		this.handle = sam;
		return sam;
	}

	/**
	 * Be told, on samboot's thread, once the handle has registered as the next instance
	 * after a recovery; the listener starts it as the application would.
	 * @param listener receives the handle, registered and not started
	 */
	public void onNextInstance(Consumer<Sam> listener) {
		this.nextInstanceListeners.add(Objects.requireNonNull(listener, "listener"));
	}

	/**
	 * End the current instance as if its process exited with this status (128 + N for
	 * killed by signal N), and wait until the supervisor has recovered: the handle has
	 * registered as the next instance (and the {@link #onNextInstance} listeners have
	 * run), or the supervisor quit. A backoff is waited out.
	 * @param status the exit status, 0 to 255
	 * @throws IllegalStateException if the instance is ending already or the supervisor
	 * does not act in time
	 */
	public void exit(int status) {
		if (status < 0 || status > 255) {
			throw new IllegalArgumentException("Exit status " + status + " is outside 0-255");
		}
		Self self = this.current;
		if (!self.ending.compareAndSet(false, true)) {
			throw new IllegalStateException("Instance is ending already");
		}
		this.instances.execute(() -> end(self, status));
		awaitRecovered(self);
	}

	/**
	 * Let the supervisor's clock run one interval at a time, as if the started instance
	 * had stopped sending heartbeats (or hung), until the supervisor has sent the warn
	 * signal and, unless the warn signal ended it, SIGKILL; then wait until it has
	 * recovered, as {@link #exit(int)} does. Time runs for the supervisor only: the
	 * recorded {@link Recovery#time()} is the wall clock's.
	 * @throws IllegalStateException if the instance's process does not end by signals
	 * (not started with {@link #start(SamOptions)}), the supervisor does not time the
	 * instance (not started, or interval 0), or it does not act in time
	 */
	public void timeOut() {
		if (!this.endsOnSignals) {
			throw new IllegalStateException("Instances of this supervisor never end by a signal");
		}
		if (this.options.interval().isZero()) {
			throw new IllegalStateException("The interval is 0: the supervisor times nothing");
		}
		Self self = this.current;
		long step = this.options.interval().toNanos();
		for (int moves = 0; moves < 3 && !self.ending.get(); moves++) {
			int before = this.signals.size();
			// posted, so that the supervisor's timer runs right after, with no heartbeat
			// heard between
			this.loop.post(() -> this.clock.offset += step);
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
			while (this.signals.size() == before && System.nanoTime() - deadline < 0) {
				pause();
			}
			if (this.signals.size() == before) {
				throw new IllegalStateException("The supervisor sent no signal after " + this.options.interval()
						+ " of silence: is the " + "instance started (state "
						+ ((this.handle != null) ? this.handle.state() : "-") + ")?");
			}
		}
		if (!self.ending.get()) {
			throw new IllegalStateException("The instance did not end after the signals " + this.signals);
		}
		awaitRecovered(self);
	}

	private static void pause() {
		try {
			Thread.sleep(5);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting for the supervisor", ex);
		}
	}

	private void awaitRecovered(Self self) {
		try {
			self.recovered.get(ACT_TIMEOUT_SECONDS + this.options.backoff().max().toSeconds(), TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting for the supervisor", ex);
		}
		catch (ExecutionException | TimeoutException ex) {
			throw new IllegalStateException("The supervisor did not recover the instance", ex);
		}
	}

	/**
	 * On the instances' thread: the process of {@code self} ends with {@code status}. The
	 * handle's channel goes first, as with a real process, so that it does not take the
	 * supervisor's closing it for the supervisor's death.
	 */
	private void end(Self self, int status) {
		try {
			Sam sam = this.handle;
			if (sam == null || (sam.state() != SamState.REGISTERED && sam.state() != SamState.STARTED)) {
				self.exit.complete(status);
				return;
			}
			sam.endInstance(() -> {
				self.exit.complete(status);
				return awaitSuccessor(self);
			});
			if (sam.state() == SamState.REGISTERED) {
				for (Consumer<Sam> listener : this.nextInstanceListeners) {
					listener.accept(sam);
				}
			}
		}
		catch (RuntimeException ex) {
			self.recovered.completeExceptionally(ex);
		}
		finally {
			self.recovered.complete(null);
		}
	}

	private static boolean awaitSuccessor(Self self) {
		try {
			return self.successor.get() != null;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
		catch (ExecutionException ex) {
			return false;
		}
	}

	/**
	 * Return the signals the supervisor sent to its active process (this JVM), to every
	 * instance, in order.
	 * @return the signal numbers
	 */
	public List<Integer> signalsSent() {
		return List.copyOf(this.signals);
	}

	/**
	 * Return the status the supervisor process would have exited with, once it quit.
	 * @return the status, or empty while it supervises
	 */
	public OptionalInt exitStatus() {
		Integer status = this.exitStatus.getNow(null);
		return (status != null) ? OptionalInt.of(status) : OptionalInt.empty();
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

	/**
	 * Stop the supervisor: its thread and socket are gone when this returns. A handle
	 * registered with it is finalized, as its process would end with the supervisor.
	 * @throws InterruptedException if interrupted while waiting for the thread
	 */
	@Override
	public void close() throws InterruptedException {
		// an instance ending now learns that no next one comes
		this.current.successor.complete(null);
		Sam sam = this.handle;
		if (sam != null && this.endsOnSignals) {
			// the handle's channel first, so that it does not log the supervisor's loss
			sam.endInstance(() -> false);
		}
		this.supervision.close();
		this.thread.join(TimeUnit.SECONDS.toMillis(5));
		this.instances.shutdown();
		this.instances.awaitTermination(5, TimeUnit.SECONDS);
		if (this.quorum != null) {
			this.quorum.close();
		}
	}

	/** SIGKILL, and the signals on which a JVM runs its shutdown hooks and exits. */
	private static boolean endsJvm(int signal) {
		return signal == Signals.SIGKILL || signal == Signals.SIGTERM || signal == Signals.SIGINT
				|| signal == Signals.SIGHUP;
	}

	/**
	 * The supervisor's clock: the system's, moved ahead by {@link #timeOut()} on the
	 * loop's thread.
	 */
	private static final class MovableClock implements Clock {

		private volatile long offset;

		@Override
		public long nanoTime() {
			return System.nanoTime() + this.offset;
		}

	}

	/**
	 * One instance's process, which is this JVM: signals are recorded, never sent.
	 */
	private final class Self implements ActiveProcess {

		private final CompletableFuture<Integer> exit = new CompletableFuture<>();

		/** The next instance the supervisor launched, or {@code null} once it quit. */
		private final CompletableFuture<Self> successor = new CompletableFuture<>();

		/** Done once the end of this instance has been recovered from. */
		private final CompletableFuture<Void> recovered = new CompletableFuture<>();

		private final AtomicBoolean ending = new AtomicBoolean();

		@Override
		public long pid() {
			return InProcessSupervisor.this.pid;
		}

		@Override
		public void signal(int signal) {
			InProcessSupervisor.this.signals.add(signal);
			if (InProcessSupervisor.this.endsOnSignals && endsJvm(signal) && this.ending.compareAndSet(false, true)) {
				InProcessSupervisor.this.instances.execute(() -> end(this, 128 + signal));
			}
		}

		@Override
		public CompletableFuture<Integer> onExit() {
			return this.exit;
		}

	}

}
