package dev.samboot.sam;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import dev.samboot.sam.Message.DataStore;
import dev.samboot.sam.Message.HealthFailed;
import dev.samboot.sam.Message.Hello;
import dev.samboot.sam.Message.MarkFailed;
import dev.samboot.sam.Message.QuorumState;
import dev.samboot.sam.Message.Reply;
import dev.samboot.sam.Message.Start;
import dev.samboot.sam.Message.Stop;
import dev.samboot.sam.Message.WarnSignalSet;
import dev.samboot.sam.Message.Welcome;

/**
 * The supervisor's state machine: libsam's {@code sam_parent_handler} and the recovery loop of
 * {@code sam_register}. It owns no thread and no socket; {@link SupervisorLoop} feeds it events
 * (messages, process exits, quorum changes, stop requests, the passing of time) and it acts
 * through its seams: the launcher, the process's signals, the clock and the state publisher.
 */
final class Supervisor {

	/** Exit status when an instance cannot be launched after a recovery. */
	static final int LAUNCH_FAILED_STATUS = 70;

	static final int RECOVERIES_KEPT = 32;

	/** Thread dumps of one instance, at most (activity that resumes discards an early one). */
	static final int MAX_THREAD_DUMPS = 3;

	/**
	 * A thread dump is started this long before the warn signal is due, at most a quarter of the
	 * limit: with heartbeats every T/4, after two of them are missed.
	 */
	static final long THREAD_DUMP_LEAD_NANOS = TimeUnit.SECONDS.toNanos(2);

	private static final System.Logger logger = System.getLogger(Supervisor.class.getName());

	private final Clock clock;

	private final ProcessLauncher launcher;

	private final SupervisorSettings settings;

	private final StatePublisher publisher;

	private final Deque<Recovery> recoveries = new ArrayDeque<>();

	private RecoveryPolicy policy;

	private int warnSignal;

	private byte[] data;

	private int instanceId;

	private ActiveProcess process;

	private Peer peer;

	private boolean started;

	/** Whether this instance ever called {@code start()}; {@code stop()} does not undo it. */
	private boolean startCalled;

	private boolean waitingForQuorum;

	private boolean warned;

	private boolean killed;

	private boolean markedFailed;

	private boolean healthFailed;

	/** When the instance reported its health check failed. */
	private long healthFailedAt;

	private boolean quorumLost;

	private boolean quorate;

	private boolean stopping;

	private long lastActivity;

	private long stopDeadline;

	private OptionalInt exitStatus = OptionalInt.empty();

	private BooleanSupplier quorumCheck = () -> this.quorate;

	/** Why {@link #onHello} last refused a connection; the loop logs it, rate-limited. */
	private String refusal;

	private final RestartRules rules;

	/** Clock readings of the restarts within the intensity window. */
	private final Deque<Long> restartTimes = new ArrayDeque<>();

	/** Restarts in a row without a run of {@code Backoff.resetAfter()}. */
	private int inARow;

	/** Recovered instances in a row that ended before {@code start()}. */
	private int failedStartsInARow;

	/** Instances launched so far; the first one that fails to start quits, later ones may retry. */
	private long launches;

	private boolean backoffPending;

	private long backoffUntil;

	private int lastStatus;

	private long launchedAt;

	/** When the instance began running (start() answered), or 0. */
	private long runningSince;

	private boolean startupTimedOut;

	private ThreadDumps.Dump threadDump;

	/** jcmd is abandoned after this, timed by the loop rather than by a timer thread. */
	private ThreadDumps.Dump runningDump;

	private long runningDumpDeadline;

	private int threadDumpsTaken;

	private boolean readySent;

	private long lastWatchdog;

	Supervisor(SupervisorSettings settings, Clock clock, ProcessLauncher launcher, StatePublisher publisher) {
		this(settings, RestartRules.LIBSAM, clock, launcher, publisher);
	}

	Supervisor(SupervisorSettings settings, RestartRules rules, Clock clock, ProcessLauncher launcher,
			StatePublisher publisher) {
		this.settings = settings;
		this.rules = rules;
		this.clock = clock;
		this.launcher = launcher;
		this.publisher = publisher;
		this.policy = settings.policy();
		this.warnSignal = settings.warnSignal();
		this.data = settings.data();
	}

	/**
	 * Launch the first instance.
	 * @throws SamException with {@link CsError#LIBRARY} when it cannot be launched
	 */
	void launchFirst() {
		if (this.publisher != null) {
			this.publisher.register(this.policy, this.settings.intervalNanos() / 1_000_000);
		}
		try {
			launch();
		}
		catch (IOException ex) {
			throw new SamException(CsError.LIBRARY, "Cannot launch the active process: " + ex.getMessage(), ex);
		}
	}

	private void launch() throws IOException {
		int next = (this.instanceId == Integer.MAX_VALUE) ? 0 : this.instanceId + 1;
		this.process = this.launcher.launch(Map.of(SamEnvironment.INSTANCE_ID, Integer.toString(next)));
		this.instanceId = next;
		this.launches++;
		this.process.prepare(this.warnSignal);
		resetInstanceState();
		this.lastActivity = this.clock.nanoTime();
		this.launchedAt = this.lastActivity;
		publishState(StatePublisher.STOPPED);
		notifyStatus("instance " + next + " starting (pid " + this.process.pid() + ")");
		log(Level.INFO, "Launched instance {0} of the active process (pid {1})", next, this.process.pid());
	}

	private void resetInstanceState() {
		this.peer = null;
		this.started = false;
		this.startCalled = false;
		this.waitingForQuorum = false;
		this.warned = false;
		this.killed = false;
		this.healthFailed = false;
		this.quorumLost = false;
		this.runningSince = 0;
		this.startupTimedOut = false;
		this.threadDump = null;
		this.threadDumpsTaken = 0;
	}

	/**
	 * Authenticate the first frame of a connection.
	 * @param hello the frame
	 * @param from the connection it came on
	 * @return whether the connection is now the active process's channel; if not, close it
	 */
	boolean onHello(Hello hello, Peer from) {
		if (!MessageDigest.isEqual(hello.token(), this.settings.token())) {
			this.refusal = "presented a wrong token";
			return false;
		}
		if (this.process == null || hello.pid() != this.process.pid() || this.peer != null) {
			this.refusal = "pid " + hello.pid() + ", but instance " + this.instanceId + " is pid "
					+ ((this.process != null) ? this.process.pid() : -1)
					+ ((this.peer != null) ? " and already connected" : "");
			return false;
		}
		this.peer = from;
		from.send(new Welcome(this.instanceId, this.warnSignal, this.settings.supervisorPid(), this.data,
				List.copyOf(this.recoveries)));
		if (this.policy.quorum()) {
			from.send(new QuorumState(this.quorate));
		}
		return true;
	}

	/**
	 * Handle a message from a connection; messages from anyone but the current instance's
	 * authenticated connection are ignored.
	 * @param from the connection
	 * @param message the message
	 */
	void onMessage(Peer from, Message message) {
		if (from != this.peer || this.exitStatus.isPresent()) {
			return;
		}
		if (!(message instanceof HealthFailed)) {
			// without quorum, heartbeats buy no time: SIGKILL follows the warn signal after T
			if (!this.quorumLost || this.quorate) {
				this.lastActivity = this.clock.nanoTime();
				discardEarlyThreadDump();
			}
			if (this.publisher != null) {
				this.publisher.lastUpdated();
			}
			watchdog();
		}
		if (message instanceof Start) {
			onStart();
		}
		else if (message instanceof Stop) {
			onStop();
		}
		else if (message instanceof DataStore store) {
			onDataStore(store.data());
		}
		else if (message instanceof WarnSignalSet set) {
			onWarnSignalSet(set.signal());
		}
		else if (message instanceof MarkFailed) {
			onMarkFailed();
		}
		else if (message instanceof HealthFailed failed) {
			if (!this.healthFailed) {
				this.healthFailedAt = this.clock.nanoTime();
			}
			this.healthFailed = true;
			log(Level.WARNING, "Instance {0} reports it is unhealthy: {1}", this.instanceId, failed.detail());
			takeThreadDump();
		}
	}

	private void onStart() {
		if (this.started) {
			this.peer.send(new Reply(CsError.OK));
			return;
		}
		this.started = true;
		this.startCalled = true;
		this.failedStartsInARow = 0;
		this.launcher.started(this.process);
		if (this.policy.quorum()) {
			// as libsam updates its quorum state before it decides: a change may still be on its way
			this.quorate = this.quorumCheck.getAsBoolean();
		}
		if (this.policy.quorum() && !this.quorate) {
			this.waitingForQuorum = true;
			publishState(StatePublisher.WAITING_FOR_QUORUM);
			log(Level.INFO, "Instance {0} waits for quorum", this.instanceId);
			return;
		}
		running();
	}

	private void running() {
		this.waitingForQuorum = false;
		this.lastActivity = this.clock.nanoTime();
		if (this.runningSince == 0) {
			this.runningSince = this.lastActivity;
		}
		publishState(StatePublisher.RUNNING);
		this.peer.send(new Reply(CsError.OK));
		SystemdNotifier notifier = this.rules.notifier();
		if (notifier != null) {
			String status = "instance " + this.instanceId + " running (pid " + this.process.pid() + ")";
			if (this.readySent) {
				notifier.status(status);
			}
			else {
				this.readySent = true;
				notifier.ready(status);
			}
			this.lastWatchdog = this.lastActivity;
			notifier.watchdog();
		}
	}

	/** systemd's watchdog is fed only while the active process runs and is heard from. */
	private void watchdog() {
		SystemdNotifier notifier = this.rules.notifier();
		if (notifier == null || notifier.watchdogPeriodNanos() <= 0 || !this.started || this.waitingForQuorum
				|| this.warned || this.healthFailed) {
			return;
		}
		long now = this.clock.nanoTime();
		if (now - this.lastWatchdog >= notifier.watchdogPeriodNanos()) {
			this.lastWatchdog = now;
			notifier.watchdog();
		}
	}

	private void onStop() {
		this.started = false;
		this.waitingForQuorum = false;
		if (!this.markedFailed) {
			publishState(StatePublisher.STOPPED);
		}
		this.peer.send(new Reply(CsError.OK));
	}

	private void onDataStore(byte[] bytes) {
		if (bytes != null && bytes.length > this.settings.dataMaxSize()) {
			this.peer.send(new Reply(CsError.TOO_BIG));
			return;
		}
		this.data = (bytes == null || bytes.length == 0) ? null : bytes;
		this.peer.send(new Reply(CsError.OK));
	}

	private void onWarnSignalSet(int signal) {
		if (!Signals.isValid(signal)) {
			this.peer.send(new Reply(CsError.INVALID_PARAM));
			return;
		}
		this.warnSignal = signal;
		this.process.prepare(signal);
		this.peer.send(new Reply(CsError.OK));
	}

	private void onMarkFailed() {
		if (!this.policy.cmap()) {
			return;
		}
		log(Level.WARNING, "Instance {0} marked itself failed: SIGKILL, then quit", this.instanceId);
		this.markedFailed = true;
		this.policy = this.policy.toQuit();
		publishState(StatePublisher.FAILED);
		kill();
	}

	/**
	 * Set how {@code start()} asks for the current quorum state, instead of relying on the last
	 * {@link #onQuorum(boolean) change} seen.
	 * @param check asks the quorum source
	 */
	void quorumCheck(BooleanSupplier check) {
		this.quorumCheck = check;
	}

	/**
	 * Handle a change of quorum.
	 * @param nowQuorate whether the cluster is quorate
	 */
	void onQuorum(boolean nowQuorate) {
		boolean changed = this.quorate != nowQuorate;
		this.quorate = nowQuorate;
		if (changed && this.peer != null && this.exitStatus.isEmpty()) {
			this.peer.send(new QuorumState(nowQuorate));
		}
		if (this.exitStatus.isPresent() || this.process == null) {
			return;
		}
		if (nowQuorate && this.waitingForQuorum && this.peer != null) {
			log(Level.INFO, "Quorate again: instance {0} starts", this.instanceId);
			running();
		}
		else if (!nowQuorate && this.started && !this.waitingForQuorum && !this.killed && !this.stopping) {
			log(Level.WARNING, "Quorum lost while instance {0} is started", this.instanceId);
			this.quorumLost = true;
			warnOrKill("lost quorum", this.clock.nanoTime());
		}
	}

	/**
	 * Act on the clock: start the next instance after a backoff, take a thread dump of an instance
	 * that is about to be warned, warn or kill a silent one, kill one that ignores a stop.
	 */
	void onTimer() {
		if (this.exitStatus.isPresent()) {
			return;
		}
		long now = this.clock.nanoTime();
		abandonOverdueThreadDump(now);
		if (this.backoffPending) {
			if (now - this.backoffUntil >= 0) {
				launchAfterBackoff();
			}
			return;
		}
		if (this.killed) {
			return;
		}
		if (this.stopping) {
			if (now - this.stopDeadline >= 0) {
				log(Level.WARNING, "Instance {0} did not stop within {1} ms: SIGKILL", this.instanceId,
						this.settings.shutdownTimeoutNanos() / 1_000_000);
				kill();
			}
			return;
		}
		if (armed()) {
			long due = silenceDue();
			if (now - due >= 0) {
				warnOrKill((this.quorumLost && !this.quorate) ? "is still without quorum"
						: this.warned ? "is still silent"
								: this.healthFailed ? "reported its health check failed" : "missed its health check",
						due);
			}
			else if (now - threadDumpMoment(due, silenceLimit()) >= 0) {
				takeThreadDump();
			}
		}
		else if (startupArmed()) {
			long due = this.launchedAt + this.rules.startupTimeoutNanos();
			if (now - due >= 0) {
				this.startupTimedOut = true;
				warnOrKill("did not call start() within " + this.rules.startupTimeoutNanos() / 1_000_000 + " ms",
						this.clock.nanoTime());
			}
			else if (now - threadDumpMoment(due, this.rules.startupTimeoutNanos()) >= 0) {
				takeThreadDump();
			}
		}
	}

	/**
	 * Return when {@link #onTimer()} must next be called.
	 * @return a clock reading, or {@link Long#MAX_VALUE} when nothing is timed
	 */
	long nextDeadline() {
		if (this.exitStatus.isPresent()) {
			return Long.MAX_VALUE;
		}
		long own = ownDeadline();
		if (this.runningDump != null && this.runningDump.running() && this.runningDumpDeadline - own < 0) {
			return this.runningDumpDeadline;
		}
		return own;
	}

	private void abandonOverdueThreadDump(long now) {
		if (this.runningDump == null) {
			return;
		}
		if (!this.runningDump.running()) {
			this.runningDump = null;
		}
		else if (now - this.runningDumpDeadline >= 0) {
			this.runningDump.abandon();
			this.runningDump = null;
		}
	}

	private long ownDeadline() {
		if (this.backoffPending) {
			return this.backoffUntil;
		}
		if (this.killed) {
			return Long.MAX_VALUE;
		}
		if (this.stopping) {
			return this.stopDeadline;
		}
		if (armed()) {
			long due = silenceDue();
			return earliest(due, threadDumpMoment(due, silenceLimit()));
		}
		if (startupArmed()) {
			long due = this.launchedAt + this.rules.startupTimeoutNanos();
			return earliest(due, threadDumpMoment(due, this.rules.startupTimeoutNanos()));
		}
		return Long.MAX_VALUE;
	}

	private long earliest(long due, long dump) {
		return (dump != Long.MAX_VALUE && dump - due < 0) ? dump : due;
	}

	/**
	 * Whether silence is timed: while started, and also once warned, because a JVM runs its
	 * shutdown hooks on the warn signal and those may call {@code stop()}; a shutdown that then
	 * hangs must still be killed T after the last message.
	 */
	private boolean armed() {
		return (this.started || this.warned) && !this.waitingForQuorum && silenceLimit() > 0 && !this.killed
				&& !this.stopping;
	}

	/**
	 * When the warn signal (or, once warned, SIGKILL) is due: T after the last message, but no
	 * later than T/4 after the instance reported its health check failed, since no heartbeat
	 * follows that report; the quarter gives the thread dump its time.
	 */
	private long silenceDue() {
		long due = this.lastActivity + silenceLimit();
		if (this.healthFailed && !this.warned) {
			long reported = this.healthFailedAt + silenceLimit() / 4;
			if (reported - due < 0) {
				return reported;
			}
		}
		return due;
	}

	/** T, or the start-up timeout for an instance warned for not starting when T is 0. */
	private long silenceLimit() {
		if (this.settings.intervalNanos() > 0) {
			return this.settings.intervalNanos();
		}
		return this.startupTimedOut ? this.rules.startupTimeoutNanos() : 0;
	}

	/** Whether the time to {@code start()} is limited and still running. */
	private boolean startupArmed() {
		return this.rules.startupTimeoutNanos() > 0 && this.process != null && !this.started && !this.warned
				&& !this.killed && !this.stopping;
	}

	/**
	 * When to take a thread dump ahead of a warn signal due at {@code due}: early enough that it
	 * is written before the warn signal, which it never delays.
	 */
	private long threadDumpMoment(long due, long limit) {
		if (this.rules.threadDumps() == null || this.threadDump != null || this.warned
				|| this.threadDumpsTaken >= MAX_THREAD_DUMPS) {
			return Long.MAX_VALUE;
		}
		return due - Math.min(limit / 4, THREAD_DUMP_LEAD_NANOS);
	}

	private void takeThreadDump() {
		if (this.rules.threadDumps() == null || this.threadDump != null || this.process == null
				|| this.threadDumpsTaken >= MAX_THREAD_DUMPS) {
			return;
		}
		this.threadDumpsTaken++;
		log(Level.WARNING, "Instance {0} (pid {1}) is about to be warned: taking a thread dump", this.instanceId,
				this.process.pid());
		this.threadDump = this.rules.threadDumps().take(this.process, this.instanceId);
		this.runningDump = this.threadDump;
		this.runningDumpDeadline = this.clock.nanoTime() + this.rules.threadDumps().limitNanos();
	}

	/** Activity resumed before the warn signal: the early dump is not needed. */
	private void discardEarlyThreadDump() {
		if (this.threadDump != null && !this.warned && !this.healthFailed) {
			this.threadDump.discard();
			this.threadDump = null;
		}
	}

	/**
	 * Send the warn signal, or SIGKILL if it was sent already.
	 * @param why what the log says
	 * @param due when it was due: the next T of silence is counted from there, so that SIGKILL
	 * comes 2T after the last message even when this loop got to the warn a little late; but
	 * never less than 3T/4 after the warn signal, which the application's shutdown needs
	 */
	private void warnOrKill(String why, long due) {
		if (this.warned) {
			log(Level.WARNING, "Instance {0} {1} after the warn signal: SIGKILL", this.instanceId, why);
			kill();
			return;
		}
		takeThreadDump();
		this.warned = true;
		long now = this.clock.nanoTime();
		long latest = now - silenceLimit() / 4;
		this.lastActivity = (due - latest > 0) ? due : latest;
		log(Level.WARNING, "Instance {0} (pid {1}) {2}: sending {3}", this.instanceId, this.process.pid(), why,
				Signals.name(this.warnSignal));
		this.process.signal(this.warnSignal);
		if (this.warnSignal == Signals.SIGKILL) {
			this.killed = true;
		}
	}

	private void kill() {
		this.killed = true;
		this.process.signal(Signals.SIGKILL);
	}

	/**
	 * Handle the end of the active process: quit, or recover by the policy.
	 * @param status its exit status
	 */
	void onExit(int status) {
		if (this.exitStatus.isPresent()) {
			return;
		}
		if (this.peer != null) {
			this.peer.close();
			this.peer = null;
		}
		if (this.stopping) {
			log(Level.INFO, "Instance {0} stopped with status {1}", this.instanceId, status);
			finish(status, true);
			return;
		}
		if (!this.started && !this.warned && !this.markedFailed && this.launcher.relaunchPlain(this.process, status)) {
			log(Level.WARNING, "Instance {0} exited with status {1} before start() with the start-up cache: "
					+ "launching it again without", this.instanceId, status);
			launchOrQuit();
			return;
		}
		if (!this.started && !this.warned && !this.markedFailed && !retriesFailedStart()) {
			log(Level.INFO, "Instance {0} exited with status {1} while not started: quitting",
					this.instanceId, status);
			finish(status, true);
			return;
		}
		recover(status);
	}

	/**
	 * Whether an instance that ended before {@code start()} is launched again: only one started as
	 * a recovery, and only when asked to; the first instance's failure is the application's
	 * answer to its configuration, as in libsam.
	 */
	private boolean retriesFailedStart() {
		return this.rules.startRetry() != null && this.launches > 1 && !this.startCalled;
	}

	private void recover(int status) {
		long now = this.clock.nanoTime();
		Recovery.Reason reason = reason(status);
		// the instance before it was restarted already: a failed start is retried whatever the policy
		Recovery.Action action = (this.policy.restart() || reason == Recovery.Reason.START_FAILED)
				? Recovery.Action.RESTART : Recovery.Action.QUIT;
		String detail = null;
		if (!this.markedFailed && this.rules.quitExitCodes().contains(status)) {
			action = Recovery.Action.QUIT;
			detail = "exit status " + status + " always quits";
		}
		else if (!this.markedFailed && this.rules.restartExitCodes().contains(status)) {
			action = Recovery.Action.RESTART;
			detail = "exit status " + status + " always restarts";
		}
		long backoffNanos = 0;
		if (action == Recovery.Action.RESTART && intensityReached(now)) {
			action = Recovery.Action.QUIT;
			detail = "more than " + this.rules.maxRestarts() + " restarts within "
					+ this.rules.windowNanos() / 1_000_000 + " ms: giving up";
		}
		else if (action == Recovery.Action.RESTART && reason == Recovery.Reason.START_FAILED) {
			this.restartTimes.addLast(now);
			backoffNanos = this.rules.startRetry().delayNanos(this.failedStartsInARow, this.rules.random());
			this.failedStartsInARow++;
		}
		else if (action == Recovery.Action.RESTART) {
			this.restartTimes.addLast(now);
			Backoff backoff = this.rules.backoff();
			if (this.runningSince != 0 && now - this.runningSince >= backoff.resetAfter().toNanos()) {
				this.inARow = 0;
			}
			backoffNanos = backoff.delayNanos(this.inARow, this.rules.random());
			this.inARow++;
		}
		this.recoveries.addLast(new Recovery(Instant.now(), this.instanceId, this.process.pid(), reason, status, action,
				Duration.ofNanos(backoffNanos), threadDumpWhere(), detail));
		while (this.recoveries.size() > RECOVERIES_KEPT) {
			this.recoveries.removeFirst();
		}
		log(Level.WARNING, "Instance {0} ended ({1}, status {2}): {3}{4}", this.instanceId, reason.value(), status,
				(action == Recovery.Action.QUIT) ? "quitting"
						: (backoffNanos > 0) ? "restarting in " + backoffNanos / 1_000_000 + " ms" : "restarting",
				(detail != null) ? " (" + detail + ")" : "");
		this.lastStatus = status;
		if (action == Recovery.Action.QUIT) {
			publishState(StatePublisher.FAILED);
			notifyStatus("instance " + this.instanceId + " ended (" + reason.value() + ", status " + status
					+ "): quitting");
			finish(status, false);
			return;
		}
		if (backoffNanos > 0) {
			resetInstanceState();
			this.process = null;
			this.backoffPending = true;
			this.backoffUntil = now + backoffNanos;
			notifyStatus("instance " + this.instanceId + " ended (" + reason.value() + "): restarting in "
					+ backoffNanos / 1_000_000 + " ms");
			return;
		}
		launchOrQuit();
	}

	/** Whether one more restart would exceed the restart intensity. */
	private boolean intensityReached(long now) {
		if (this.rules.maxRestarts() < 0) {
			return false;
		}
		while (!this.restartTimes.isEmpty() && now - this.restartTimes.peekFirst() >= this.rules.windowNanos()) {
			this.restartTimes.removeFirst();
		}
		return this.restartTimes.size() >= this.rules.maxRestarts();
	}

	private String threadDumpWhere() {
		ThreadDumps.Dump dump = this.threadDump;
		return (dump != null && !dump.failed()) ? dump.where() : null;
	}

	private void launchAfterBackoff() {
		this.backoffPending = false;
		launchOrQuit();
	}

	private void launchOrQuit() {
		try {
			launch();
		}
		catch (IOException ex) {
			logger.log(Level.ERROR, "Cannot launch instance " + (this.instanceId + 1) + ": " + ex.getMessage(), ex);
			finish(LAUNCH_FAILED_STATUS, false);
		}
	}

	private Recovery.Reason reason(int status) {
		if (this.markedFailed) {
			return Recovery.Reason.MARKED_FAILED;
		}
		if (this.warned) {
			if (this.quorumLost) {
				return Recovery.Reason.QUORUM_LOST;
			}
			if (this.startupTimedOut) {
				return Recovery.Reason.STARTUP_TIMEOUT;
			}
			return this.healthFailed ? Recovery.Reason.UNHEALTHY : Recovery.Reason.HC_TIMEOUT;
		}
		if (!this.startCalled) {
			return Recovery.Reason.START_FAILED;
		}
		return (status > 128) ? Recovery.Reason.KILLED : Recovery.Reason.EXITED;
	}

	/**
	 * Stop on request from outside (SIGTERM or SIGINT to the supervisor): forward SIGTERM, never
	 * restart, SIGKILL after the shutdown timeout. A second request kills at once.
	 * @param signal the signal the supervisor received
	 */
	void onStopRequested(int signal) {
		if (this.exitStatus.isPresent()) {
			return;
		}
		if (this.backoffPending) {
			log(Level.INFO, "{0} received while waiting to start instance {1}: quitting with status {2}",
					Signals.name(signal), this.instanceId + 1, this.lastStatus);
			notifyStopping();
			finish(this.lastStatus, true);
			return;
		}
		if (this.process == null) {
			return;
		}
		if (this.stopping) {
			log(Level.WARNING, "{0} again: SIGKILL to instance {1}", Signals.name(signal), this.instanceId);
			kill();
			return;
		}
		log(Level.INFO, "{0} received: stopping instance {1} (pid {2})", Signals.name(signal), this.instanceId,
				this.process.pid());
		this.stopping = true;
		notifyStopping();
		this.stopDeadline = this.clock.nanoTime() + this.settings.shutdownTimeoutNanos();
		this.process.signal(Signals.SIGTERM);
	}

	private void finish(int status, boolean clean) {
		this.exitStatus = OptionalInt.of(status);
		if (clean && this.publisher != null) {
			this.publisher.remove();
		}
	}

	private void notifyStatus(String status) {
		if (this.rules.notifier() != null) {
			this.rules.notifier().status(status);
		}
	}

	private void notifyStopping() {
		if (this.rules.notifier() != null) {
			this.rules.notifier().stopping("stopping instance " + this.instanceId);
		}
	}

	private void publishState(String state) {
		if (this.publisher != null) {
			this.publisher.state(state);
		}
	}

	/**
	 * Return the status to exit with, once the supervisor has decided to quit.
	 * @return the exit status, or empty while supervising
	 */
	OptionalInt exitStatus() {
		return this.exitStatus;
	}

	ActiveProcess process() {
		return this.process;
	}

	/**
	 * Return why the last connection was refused.
	 * @return the reason
	 */
	String refusal() {
		return this.refusal;
	}

	int instanceId() {
		return this.instanceId;
	}

	int warnSignal() {
		return this.warnSignal;
	}

	byte[] data() {
		return this.data;
	}

	RecoveryPolicy policy() {
		return this.policy;
	}

	List<Recovery> recoveries() {
		return List.copyOf(this.recoveries);
	}

	/** Log with numbers as plain digits (no grouping: a pid reads 2323, not 2,323). */
	private static void log(Level level, String format, Object... args) {
		Object[] plain = new Object[args.length];
		for (int i = 0; i < args.length; i++) {
			plain[i] = (args[i] instanceof Number) ? args[i].toString() : args[i];
		}
		logger.log(level, format, plain);
	}

}
