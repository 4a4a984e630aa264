package dev.samboot.sam;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import dev.samboot.sam.internal.channel.Codec;
import dev.samboot.sam.internal.channel.Message;
import dev.samboot.sam.internal.channel.Message.DataStore;
import dev.samboot.sam.internal.channel.Message.HealthFailed;
import dev.samboot.sam.internal.channel.Message.MarkFailed;
import dev.samboot.sam.internal.channel.Message.RestartRequest;
import dev.samboot.sam.internal.channel.Message.Start;
import dev.samboot.sam.internal.channel.Message.Stop;
import dev.samboot.sam.internal.channel.Message.WarnSignalSet;
import dev.samboot.sam.internal.channel.Message.Welcome;
import dev.samboot.sam.internal.client.ActiveClient;
import dev.samboot.sam.internal.client.HealthCheckThread;
import dev.samboot.sam.internal.lean.LeanSupervisor;
import dev.samboot.sam.internal.process.LazyLogger;
import dev.samboot.sam.internal.process.PosixSignals;
import dev.samboot.sam.internal.process.SamEnvironment;
import dev.samboot.sam.internal.process.SamPlatform;
import dev.samboot.sam.internal.supervisor.Supervisor;

/**
 * corosync's Simple Availability Manager for the JVM, call for call and error for error.
 *
 * <pre>
 * Sam sam = Sam.initialize(Duration.ofSeconds(1), RecoveryPolicy.RESTART);
 * int instance = sam.register();   // the supervisor never returns from here
 * sam.start();
 * while (working) { doWork(); sam.hcSend(); }
 * </pre>
 *
 * <p>
 * The process that calls {@link #register()} first becomes the supervisor: it launches
 * this program again as the active process, watches it, and exits when the policy says
 * quit. In the active process {@code main} runs again and {@code register()} returns the
 * instance id; what ran before it is replaced by the state the supervisor hands over
 * (stored data, warn signal), as after libsam's {@code fork()}. Every failed call throws
 * a {@link SamException} whose {@link SamException#error()} is libsam's
 * {@code cs_error_t}.
 *
 * <p>
 * This class is the facade only: one method per libsam call with its state checks and
 * errors, documented as libsam documents them, which is most of its length. The
 * supervisor it becomes is put together by {@code SupervisorComposition}; the active
 * process's side lives in {@code dev.samboot.sam.internal.client}.
 */
public final class Sam implements AutoCloseable {

	/** Exit status of an active process whose supervisor is gone. */
	public static final int SUPERVISOR_LOST_STATUS = 1;

	private static final System.Logger logger = LazyLogger.of(Sam.class);

	private static final AtomicReference<Sam> current = new AtomicReference<>();

	private final SamOptions options;

	private final SamPlatform platform;

	private final long intervalNanos;

	private volatile SamState state = SamState.INITIALIZED;

	/**
	 * Volatile, as every field a reader needs: reads never wait for a call that blocks.
	 */
	private volatile RecoveryPolicy policy;

	private volatile int warnSignal = Signals.SIGTERM;

	private volatile byte[] data;

	private volatile int instanceId;

	private volatile long supervisorPid = -1;

	private volatile List<Recovery> recoveries = List.of();

	private volatile RecoveryTotals totals = RecoveryTotals.NONE;

	private ActiveClient client;

	private volatile HealthCheckThread healthCheck;

	private final List<Consumer<String>> recoveryPendingListeners = new CopyOnWriteArrayList<>();

	private final AtomicBoolean recoveryPending = new AtomicBoolean();

	private Sam(SamOptions options, SamPlatform platform) {
		this.options = options;
		this.platform = platform;
		this.policy = options.policy();
		this.intervalNanos = options.interval().toNanos();
	}

	/**
	 * {@code sam_initialize}: create this process's SAM handle.
	 * @param timeIntervalMillis the health-check interval in milliseconds; 0 for none
	 * (only the death of the active process is noticed)
	 * @param policy the recovery policy
	 * @return the handle
	 * @throws SamException {@link CsError#BAD_HANDLE} if this process already initialized
	 * (even if it closed since), {@link CsError#INVALID_PARAM} for a negative interval or
	 * no policy
	 */
	public static Sam initialize(int timeIntervalMillis, RecoveryPolicy policy) {
		if (timeIntervalMillis < 0) {
			checkNotInitialized();
			throw new SamException(CsError.INVALID_PARAM, "Interval " + timeIntervalMillis + " ms is negative");
		}
		return initialize(Duration.ofMillis(timeIntervalMillis), policy);
	}

	/**
	 * {@code sam_initialize} with the interval as a {@link Duration}.
	 * @param interval the health-check interval; zero for none
	 * @param policy the recovery policy
	 * @return the handle
	 * @see #initialize(int, RecoveryPolicy)
	 */
	public static Sam initialize(Duration interval, RecoveryPolicy policy) {
		return initialize(SamOptions.builder(interval, policy).build());
	}

	/**
	 * {@code sam_initialize} with samboot's further settings.
	 * @param options the options
	 * @return the handle
	 * @see #initialize(int, RecoveryPolicy)
	 */
	public static Sam initialize(SamOptions options) {
		checkNotInitialized();
		Sam sam = create(options, SamPlatform.system());
		if (!current.compareAndSet(null, sam)) {
			throw new SamException(CsError.BAD_HANDLE, "Sam is already initialized in this process");
		}
		return sam;
	}

	private static void checkNotInitialized() {
		Sam existing = current.get();
		if (existing != null) {
			throw new SamException(CsError.BAD_HANDLE,
					"Sam is already initialized in this process (state " + existing.state + ")");
		}
	}

	/**
	 * Create a handle without claiming this process's single slot, on a platform of the
	 * caller's choosing: for the lean supervisor, tests and benchmarks. Applications call
	 * {@link #initialize(SamOptions)}.
	 * @param options the options
	 * @param platform the environment, parent, command and exit to use
	 * @return the handle
	 */
	public static Sam create(SamOptions options, SamPlatform platform) {
		validate(options);
		return new Sam(options, platform);
	}

	private static void validate(SamOptions options) {
		if (options.policy() == null) {
			throw new SamException(CsError.INVALID_PARAM, "Recovery policy is null; use quit or restart");
		}
		if (options.interval() == null || options.interval().isNegative()) {
			throw new SamException(CsError.INVALID_PARAM, "Interval " + options.interval() + " is negative");
		}
		if (options.interval().toMillis() > Integer.MAX_VALUE) {
			throw new SamException(CsError.INVALID_PARAM,
					"Interval " + options.interval() + " exceeds libsam's limit of " + Integer.MAX_VALUE + " ms");
		}
		if (options.dataMaxSize() < 0 || options.dataMaxSize() > SamOptions.MAX_DATA_MAX_SIZE) {
			throw new SamException(CsError.INVALID_PARAM,
					"Data limit " + options.dataMaxSize() + " bytes is outside 0-" + SamOptions.MAX_DATA_MAX_SIZE);
		}
		if (options.shutdownTimeout().isNegative()) {
			throw new SamException(CsError.INVALID_PARAM,
					"Shutdown timeout " + options.shutdownTimeout() + " is negative");
		}
		if (options.maxRestarts() >= 0 && !(options.restartWindow().compareTo(Duration.ZERO) > 0)) {
			throw new SamException(CsError.INVALID_PARAM,
					"Restart window " + options.restartWindow() + " must be above 0 with a restart limit");
		}
		if (options.startupTimeout().isNegative()) {
			throw new SamException(CsError.INVALID_PARAM,
					"Start-up timeout " + options.startupTimeout() + " is negative");
		}
		for (int code : options.restartExitCodes()) {
			if (code < 0 || code > 255 || options.quitExitCodes().contains(code)) {
				throw new SamException(CsError.INVALID_PARAM,
						"Exit status " + code + " is outside 0-255 or both a restart and a quit status");
			}
		}
		for (int code : options.quitExitCodes()) {
			if (code < 0 || code > 255) {
				throw new SamException(CsError.INVALID_PARAM, "Exit status " + code + " is outside 0-255");
			}
		}
		if (options.threadDumpMaxCount() < 1) {
			throw new SamException(CsError.INVALID_PARAM,
					"Thread dumps kept " + options.threadDumpMaxCount() + " is below 1");
		}
		if (!(options.threadDumpMaxAge().compareTo(Duration.ZERO) > 0)) {
			throw new SamException(CsError.INVALID_PARAM,
					"Thread dump age " + options.threadDumpMaxAge() + " must be above 0");
		}
	}

	/**
	 * Return this process's handle, once {@link #initialize} has created it.
	 * @return the handle, or empty
	 */
	public static Optional<Sam> current() {
		return Optional.ofNullable(current.get());
	}

	/**
	 * Whether this process was launched by a samboot supervisor, so that
	 * {@link #register()} will return rather than supervise.
	 * @return whether this is an active process
	 */
	public static boolean isActiveProcess() {
		SamPlatform platform = SamPlatform.system();
		return SamEnvironment.activeProcess(platform.environment(), platform.parentPid()).isPresent();
	}

	/**
	 * Whether this platform has the POSIX signals and Unix domain sockets samboot needs.
	 * @return whether supervision is possible here
	 */
	public static boolean isSupported() {
		return PosixSignals.supported();
	}

	/**
	 * {@code sam_register}. In the process the user started, launch the active process
	 * and supervise it: this never returns, the process exits with the last instance's
	 * status. In an active process, connect to the supervisor and return this instance's
	 * id (1, 2, 3 ...).
	 * @return the instance id
	 * @throws SamException {@link CsError#BAD_HANDLE} unless initialized and not yet
	 * registered, {@link CsError#LIBRARY} when the active process cannot be launched or
	 * the supervisor reached
	 */
	public int register() {
		synchronized (this) {
			requireState("register", SamState.INITIALIZED);
			Optional<SamEnvironment.Coordinates> coordinates = SamEnvironment.activeProcess(this.platform.environment(),
					this.platform.parentPid());
			if (coordinates.isPresent()) {
				return registerActive(coordinates.get());
			}
			if (SamEnvironment.orphaned(this.platform.environment(), this.platform.parentPid(),
					SamPlatform::isAncestor)) {
				this.supervisorPid = Long.parseLong(this.platform.environment().get(SamEnvironment.SUPERVISOR_PID));
				this.instanceId = parseOrZero(this.platform.environment().get(SamEnvironment.INSTANCE_ID));
				supervisorLost();
				throw new SamException(CsError.LIBRARY, "The supervisor is gone");
			}
		}
		LeanSupervisor.exec(this.options, this.warnSignal, this.data, this.platform.commandOrCurrent());
		supervise();
		throw new SamException(CsError.LIBRARY, "The supervisor did not exit");
	}

	private int registerActive(SamEnvironment.Coordinates coordinates) {
		try {
			this.client = ActiveClient.connect(coordinates, Codec.maxFrameBytes(this.options.dataMaxSize()),
					this::supervisorLost);
		}
		catch (SamException ex) {
			if (!ProcessHandle.of(coordinates.supervisorPid()).map(ProcessHandle::isAlive).orElse(false)) {
				// launched early, its supervisor died before listening
				this.supervisorPid = coordinates.supervisorPid();
				this.instanceId = parseOrZero(this.platform.environment().get(SamEnvironment.INSTANCE_ID));
				supervisorLost();
			}
			throw ex;
		}
		this.client.onQuorumState((quorate) -> {
			if (!quorate && this.state == SamState.STARTED && this.policy.quorum()) {
				recoveryPending("quorum lost");
			}
		});
		Welcome welcome = this.client.welcome();
		this.instanceId = welcome.instanceId();
		this.warnSignal = welcome.warnSignal();
		this.data = welcome.data();
		this.recoveries = welcome.recoveries();
		this.totals = welcome.totals();
		this.supervisorPid = welcome.supervisorPid();
		this.state = SamState.REGISTERED;
		return this.instanceId;
	}

	/**
	 * End this instance as the death of its process would (its channel and health-check
	 * thread go) and, if the supervisor launches the next one, register again as it, with
	 * what the supervisor hands over; otherwise finalize. For
	 * {@link InProcessSupervisor}, whose instances are all this JVM.
	 * @param next reports the end to the supervisor; whether it launched the next
	 * instance
	 */
	synchronized void endInstance(BooleanSupplier next) {
		if (this.healthCheck != null) {
			this.healthCheck.shutdown();
			this.healthCheck = null;
		}
		if (this.client != null) {
			this.client.close();
		}
		this.state = next.getAsBoolean() ? SamState.INITIALIZED : SamState.FINALIZED;
		if (this.state == SamState.INITIALIZED) {
			this.recoveryPending.set(false);
			register();
		}
	}

	private static int parseOrZero(String number) {
		try {
			return (number != null) ? Integer.parseInt(number) : 0;
		}
		catch (NumberFormatException ex) {
			return 0;
		}
	}

	private void supervisorLost() {
		logger.log(Level.ERROR,
				"The supervisor (pid {0}) is gone: instance {1} exits so that nothing runs " + "unsupervised",
				Long.toString(this.supervisorPid), Integer.toString(this.instanceId));
		this.platform.exit().accept(SUPERVISOR_LOST_STATUS);
	}

	private void supervise() {
		int status = SupervisorComposition.run(this.options, this.platform, this.policy, this.warnSignal, this.data);
		logger.log(Level.INFO, "Supervisor exits with status {0}", Integer.toString(status));
		this.platform.exit().accept(status);
	}

	/**
	 * {@code sam_start}: from now on the supervisor expects a heartbeat every interval.
	 * With the quorum flag this blocks until the cluster is quorate.
	 * @throws SamException {@link CsError#BAD_HANDLE} unless registered and not started
	 */
	public synchronized void start() {
		requireState("start", SamState.REGISTERED);
		requireOk("start", this.client.request(new Start(), this.policy.quorum()));
		this.state = SamState.STARTED;
		if (this.healthCheck != null) {
			this.healthCheck.started(true);
		}
	}

	/**
	 * {@code sam_stop}: the supervisor stops expecting heartbeats.
	 * @throws SamException {@link CsError#BAD_HANDLE} unless started
	 */
	public synchronized void stop() {
		requireState("stop", SamState.STARTED);
		if (this.healthCheck != null) {
			this.healthCheck.started(false);
		}
		requireOk("stop", this.client.request(new Stop(), false));
		this.state = SamState.REGISTERED;
	}

	/**
	 * {@code sam_hc_send}: tell the supervisor this instance is alive.
	 * @throws SamException {@link CsError#BAD_HANDLE} unless started
	 */
	public void hcSend() {
		requireState("hcSend", SamState.STARTED);
		this.client.heartbeat();
	}

	/**
	 * {@code sam_hc_callback_register}: switch to event-driven checking, where a thread
	 * sends the heartbeats and runs the callback once per interval; {@code null} switches
	 * back to application-driven checking.
	 * @param callback the health check, or {@code null}
	 * @throws SamException {@link CsError#BAD_HANDLE} unless registered and not started,
	 * {@link CsError#INVALID_PARAM} with interval 0 or {@code null} as the first callback
	 */
	public synchronized void hcCallbackRegister(HealthCheckCallback callback) {
		requireState("hcCallbackRegister", SamState.REGISTERED);
		if (this.intervalNanos == 0) {
			throw new SamException(CsError.INVALID_PARAM, "Event-driven checking needs an interval, and it is 0");
		}
		if (this.healthCheck != null) {
			if (callback == null) {
				this.healthCheck.shutdown();
				this.healthCheck = null;
			}
			else {
				this.healthCheck.callback(callback);
			}
			return;
		}
		if (callback == null) {
			throw new SamException(CsError.INVALID_PARAM, "The first health-check callback is null");
		}
		this.healthCheck = new HealthCheckThread(this.intervalNanos, new HealthCheckThread.Target() {

			@Override
			public boolean heartbeat() {
				return sendHeartbeatIfStarted();
			}

			@Override
			public void unhealthy(String detail) {
				recoveryPending(detail);
				sendQuietly(new HealthFailed(detail));
			}

		}, callback);
	}

	private boolean sendHeartbeatIfStarted() {
		if (this.state != SamState.STARTED) {
			return false;
		}
		try {
			this.client.heartbeat();
			return true;
		}
		catch (SamException ex) {
			return false;
		}
	}

	private void sendQuietly(Message message) {
		try {
			this.client.send(message);
		}
		catch (SamException ex) {
			logger.log(Level.DEBUG, ex.getMessage());
		}
	}

	/**
	 * {@code sam_warn_signal_set}: the signal sent when a heartbeat is missed (default
	 * SIGTERM; SIGKILL means no warning). It reaches the supervisor before this returns
	 * and is kept for later instances.
	 * @param signal the POSIX signal number
	 * @throws SamException {@link CsError#BAD_HANDLE} unless initialized, registered or
	 * started, {@link CsError#INVALID_PARAM} for a number that is not a signal
	 */
	public synchronized void warnSignalSet(int signal) {
		requireState("warnSignalSet", SamState.INITIALIZED, SamState.REGISTERED, SamState.STARTED);
		if (!Signals.isValid(signal)) {
			throw new SamException(CsError.INVALID_PARAM,
					"Warn signal " + signal + " is not a signal (1-" + Signals.MAX_SIGNAL + ")");
		}
		if (this.client != null) {
			requireOk("warnSignalSet", this.client.request(new WarnSignalSet(signal), false));
		}
		this.warnSignal = signal;
	}

	/**
	 * {@code sam_data_store}: keep data in the supervisor for later instances. It returns
	 * once the supervisor holds the bytes.
	 * @param bytes the data (copied), or {@code null} to delete it
	 * @throws SamException {@link CsError#BAD_HANDLE} unless initialized, registered or
	 * started, {@link CsError#TOO_BIG} above the data limit, {@link CsError#LIBRARY} when
	 * the supervisor cannot be reached
	 */
	public synchronized void dataStore(byte[] bytes) {
		requireState("dataStore", SamState.INITIALIZED, SamState.REGISTERED, SamState.STARTED);
		if (bytes != null && bytes.length > this.options.dataMaxSize()) {
			throw new SamException(CsError.TOO_BIG,
					bytes.length + " bytes exceed the data limit of " + this.options.dataMaxSize() + " bytes");
		}
		byte[] copy = (bytes == null || bytes.length == 0) ? null : bytes.clone();
		if (this.client != null) {
			requireOk("dataStore", this.client.request(new DataStore(copy), false));
		}
		this.data = copy;
	}

	/**
	 * {@code sam_data_restore}: copy the stored data into a buffer.
	 * @param buffer where to copy it; at least {@link #dataGetSize()} bytes
	 * @return the number of bytes copied
	 * @throws SamException {@link CsError#BAD_HANDLE} unless initialized, registered or
	 * started, {@link CsError#INVALID_PARAM} for a {@code null} or too small buffer
	 */
	public int dataRestore(byte[] buffer) {
		requireState("dataRestore", SamState.INITIALIZED, SamState.REGISTERED, SamState.STARTED);
		if (buffer == null) {
			throw new SamException(CsError.INVALID_PARAM, "The restore buffer is null");
		}
		byte[] stored = this.data;
		int size = (stored != null) ? stored.length : 0;
		if (buffer.length < size) {
			throw new SamException(CsError.INVALID_PARAM,
					"The restore buffer holds " + buffer.length + " bytes, the stored data " + size);
		}
		if (size > 0) {
			System.arraycopy(stored, 0, buffer, 0, size);
		}
		return size;
	}

	/**
	 * {@code sam_data_restore} into a new array.
	 * @return a copy of the stored data, empty when nothing is stored
	 * @throws SamException {@link CsError#BAD_HANDLE} unless initialized, registered or
	 * started
	 */
	public byte[] dataRestore() {
		requireState("dataRestore", SamState.INITIALIZED, SamState.REGISTERED, SamState.STARTED);
		byte[] stored = this.data;
		return (stored != null) ? stored.clone() : new byte[0];
	}

	/**
	 * {@code sam_data_getsize}.
	 * @return the size of the stored data, 0 when nothing is stored
	 * @throws SamException {@link CsError#BAD_HANDLE} unless initialized, registered or
	 * started
	 */
	public int dataGetSize() {
		requireState("dataGetSize", SamState.INITIALIZED, SamState.REGISTERED, SamState.STARTED);
		byte[] stored = this.data;
		return (stored != null) ? stored.length : 0;
	}

	/**
	 * {@code sam_mark_failed}: the supervisor kills this instance at once (no warn
	 * signal), the policy becomes quit and the published state {@code failed}.
	 * @throws SamException {@link CsError#BAD_HANDLE} unless registered or started,
	 * {@link CsError#INVALID_PARAM} without the cmap flag
	 */
	public synchronized void markFailed() {
		requireState("markFailed", SamState.REGISTERED, SamState.STARTED);
		if (!this.policy.cmap()) {
			throw new SamException(CsError.INVALID_PARAM, "markFailed needs the cmap flag; policy is " + this.policy);
		}
		recoveryPending("marked failed");
		this.client.send(new MarkFailed());
		this.policy = this.policy.toQuit();
	}

	/**
	 * Ask the supervisor for an orderly restart of this instance, for a planned restart
	 * (the way a service wrapper's restart request works): the supervisor sends the warn
	 * signal at once, SIGKILLs the instance if it is still silent T later, and starts the
	 * next instance without a backoff, whatever the policy; the recovery's reason is
	 * {@link Recovery.Reason#REQUESTED} and it does not count towards the restart limit.
	 * The recovery-pending listeners run first, so the instance stops taking traffic
	 * before the warn signal.
	 * @throws SamException {@link CsError#BAD_HANDLE} unless started,
	 * {@link CsError#BUSY} when the supervisor is already recovering or stopping this
	 * instance, {@link CsError#LIBRARY} when the supervisor cannot be reached
	 */
	public synchronized void requestRestart() {
		requireState("requestRestart", SamState.STARTED);
		recoveryPending("restart requested");
		requireOk("requestRestart", this.client.request(new RestartRequest(), false));
	}

	/**
	 * Run the event-driven health check at once instead of at its next turn, for example
	 * because the application has just found itself broken: an unhealthy answer reaches
	 * the supervisor within moments rather than within T. Does nothing unless started
	 * with a callback.
	 */
	public void healthCheckNow() {
		HealthCheckThread check = this.healthCheck;
		if (check != null && this.state == SamState.STARTED) {
			check.checkNow();
		}
	}

	/**
	 * Be told, once per instance and before the supervisor acts, that this instance is
	 * going to be recovered: its health check failed, it marked itself failed, or quorum
	 * was lost while started. An application stops taking traffic here (Spring Boot's
	 * starter publishes {@code ReadinessState.REFUSING_TRAFFIC}), so that load balancers
	 * turn away before the warn signal or SIGKILL. The listener runs on samboot's thread
	 * and must not block.
	 * @param listener receives what made the recovery certain
	 */
	public void onRecoveryPending(Consumer<String> listener) {
		this.recoveryPendingListeners.add(Objects.requireNonNull(listener, "listener"));
	}

	private void recoveryPending(String reason) {
		if (!this.recoveryPending.compareAndSet(false, true)) {
			return;
		}
		for (Consumer<String> listener : this.recoveryPendingListeners) {
			try {
				listener.accept(reason);
			}
			catch (RuntimeException ex) {
				logger.log(Level.WARNING, "A recovery-pending listener failed: " + ex);
			}
		}
	}

	/**
	 * {@code sam_finalize}: stop if started and end the handle; no call but none is
	 * allowed after. The channel stays open, so the supervisor still sees this instance
	 * and it still notices a lost supervisor.
	 * @throws SamException {@link CsError#BAD_HANDLE} unless initialized, registered or
	 * started
	 */
	@Override
	public synchronized void close() {
		requireState("close", SamState.INITIALIZED, SamState.REGISTERED, SamState.STARTED);
		if (this.state == SamState.STARTED) {
			stop();
		}
		if (this.healthCheck != null) {
			this.healthCheck.shutdown();
			this.healthCheck = null;
		}
		this.state = SamState.FINALIZED;
	}

	private void requireState(String call, SamState... allowed) {
		SamState now = this.state;
		for (SamState state : allowed) {
			if (state == now) {
				return;
			}
		}
		throw new SamException(CsError.BAD_HANDLE,
				call + " is not allowed in state " + now + " (allowed: " + List.of(allowed) + ")");
	}

	private static void requireOk(String call, CsError error) {
		if (error != CsError.OK) {
			throw new SamException(error, call + " failed in the supervisor");
		}
	}

	/**
	 * Return this instance's id: 1 for the first, one more for each recovery; 0 before
	 * {@link #register()}.
	 * @return the instance id
	 */
	public int instanceId() {
		return this.instanceId;
	}

	/**
	 * Return how many times the supervisor has started a new instance.
	 * @return the restart count
	 */
	public int restarts() {
		return Math.max(0, this.instanceId - 1);
	}

	public SamState state() {
		return this.state;
	}

	public RecoveryPolicy policy() {
		return this.policy;
	}

	public Duration interval() {
		return Duration.ofNanos(this.intervalNanos);
	}

	public int warnSignal() {
		return this.warnSignal;
	}

	public int dataMaxSize() {
		return this.options.dataMaxSize();
	}

	/**
	 * Whether a health-check callback drives the heartbeats.
	 * @return whether checking is event-driven
	 */
	public boolean eventDriven() {
		return this.healthCheck != null;
	}

	/**
	 * Whether the event-driven check has answered unhealthy in this instance.
	 * @return whether heartbeats have stopped for good
	 */
	public boolean healthCheckFailed() {
		HealthCheckThread check = this.healthCheck;
		return check != null && check.failed();
	}

	public long pid() {
		return ProcessHandle.current().pid();
	}

	/**
	 * Return the supervisor's pid, once registered.
	 * @return the pid, or -1 before {@link #register()}
	 */
	public long supervisorPid() {
		return this.supervisorPid;
	}

	/**
	 * Return whether the cluster is quorate, as the supervisor last told this instance.
	 * @return the quorum state; empty without the quorum flag or before
	 * {@link #register()}
	 */
	public Optional<Boolean> quorate() {
		ActiveClient active = this.client;
		return (active != null && this.policy.quorum()) ? Optional.ofNullable(active.quorate()) : Optional.empty();
	}

	/**
	 * Return the most recent recoveries, oldest first, as the supervisor handed them
	 * over.
	 * @return the recoveries
	 */
	public List<Recovery> recoveries() {
		return this.recoveries;
	}

	/**
	 * Return the supervisor's totals since it started (restarts, recoveries by reason,
	 * time waited before restarts), as it handed them to this instance: unlike
	 * {@link #recoveries()}, they only grow, whatever number of recoveries the supervisor
	 * keeps. {@link RecoveryTotals#NONE} before {@link #register()}.
	 * @return the totals
	 */
	public RecoveryTotals totals() {
		return this.totals;
	}

}
