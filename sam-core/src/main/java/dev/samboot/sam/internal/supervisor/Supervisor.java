package dev.samboot.sam.internal.supervisor;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import dev.samboot.sam.CsError;
import dev.samboot.sam.Recovery;
import dev.samboot.sam.RecoveryPolicy;
import dev.samboot.sam.SamException;
import dev.samboot.sam.Signals;
import dev.samboot.sam.StatePublisher;
import dev.samboot.sam.internal.channel.Codec;
import dev.samboot.sam.internal.channel.Message;
import dev.samboot.sam.internal.channel.Message.DataStore;
import dev.samboot.sam.internal.channel.Message.HealthFailed;
import dev.samboot.sam.internal.channel.Message.Hello;
import dev.samboot.sam.internal.channel.Message.MarkFailed;
import dev.samboot.sam.internal.channel.Message.QuorumState;
import dev.samboot.sam.internal.channel.Message.Reply;
import dev.samboot.sam.internal.channel.Message.RestartRequest;
import dev.samboot.sam.internal.channel.Message.Start;
import dev.samboot.sam.internal.channel.Message.Stop;
import dev.samboot.sam.internal.channel.Message.WarnSignalSet;
import dev.samboot.sam.internal.channel.Message.Welcome;
import dev.samboot.sam.internal.process.SamEnvironment;
import dev.samboot.sam.internal.supervisor.Instance.Phase;

/**
 * The supervisor's state machine: libsam's {@code sam_parent_handler} and the recovery
 * loop of {@code sam_register}. It owns no thread and no socket; {@link SupervisorLoop}
 * feeds it events (messages, process exits, quorum changes, stop requests, the passing of
 * time) and it acts through its seams: the launcher, the process's signals, the clock and
 * the state publisher.
 *
 * <p>
 * Its state is named: a {@link Mode} for the supervisor and, for the current instance, an
 * {@link Instance} whose {@link Phase} changes through checked moves. The collaborators
 * keep the rest: {@link RestartBudget} (restart intensity and backoff),
 * {@link RecoveryHistory}, {@link ThreadDumpBook} and {@link SystemdStatus}. What is left
 * here are the decisions, one handler per event; it stays one class because every rule of
 * the timeline reads and changes the same instance and mode, and splitting the handlers
 * would only pass them around.
 */
public final class Supervisor {

	/** Exit status when an instance cannot be launched after a recovery. */
	static final int LAUNCH_FAILED_STATUS = 70;

	/** Recoveries kept and handed to every new instance. */
	public static final int RECOVERIES_KEPT = 32;

	/**
	 * A thread dump is started this long before the warn signal is due, at most a quarter
	 * of the limit: with heartbeats every T/4, after two of them are missed.
	 */
	static final long THREAD_DUMP_LEAD_NANOS = TimeUnit.SECONDS.toNanos(2);

	private static final System.Logger logger = System.getLogger(Supervisor.class.getName());

	/** What the supervisor as a whole is doing. */
	enum Mode {

		/** An instance runs (or is being launched) and is watched. */
		SUPERVISING,

		/** Waiting before the next instance is launched. */
		BACKING_OFF,

		/** Stopped from outside: the instance was sent SIGTERM and is never restarted. */
		STOPPING,

		/** Decided to exit; {@link #exitStatus()} says with what. */
		FINISHED

	}

	private final Clock clock;

	private final ProcessLauncher launcher;

	private final SupervisorSettings settings;

	private final StatePublisher publisher;

	private final RestartRules rules;

	private final RestartBudget budget;

	private final RecoveryHistory history = new RecoveryHistory(RECOVERIES_KEPT);

	private final ThreadDumpBook dumps;

	private final SystemdStatus systemd;

	private Mode mode = Mode.SUPERVISING;

	private Instance instance;

	private RecoveryPolicy policy;

	private int warnSignal;

	private byte[] data;

	/** The id of the last instance launched. */
	private int instanceId;

	/**
	 * Instances launched so far; the first one that fails to start quits, later ones may
	 * retry.
	 */
	private long launches;

	private boolean quorate;

	private BooleanSupplier quorumCheck = () -> this.quorate;

	private long backoffUntil;

	private long stopDeadline;

	private int lastStatus;

	private OptionalInt exitStatus = OptionalInt.empty();

	/** Why {@link #onHello} last refused a connection; the loop logs it, rate-limited. */
	private String refusal;

	public Supervisor(SupervisorSettings settings, Clock clock, ProcessLauncher launcher, StatePublisher publisher) {
		this(settings, RestartRules.LIBSAM, clock, launcher, publisher);
	}

	public Supervisor(SupervisorSettings settings, RestartRules rules, Clock clock, ProcessLauncher launcher,
			StatePublisher publisher) {
		this.settings = settings;
		this.rules = rules;
		this.clock = clock;
		this.launcher = launcher;
		this.publisher = publisher;
		this.budget = new RestartBudget(rules);
		this.dumps = new ThreadDumpBook(rules.threadDumps(), THREAD_DUMP_LEAD_NANOS);
		this.systemd = new SystemdStatus(rules.notifier());
		this.policy = settings.policy();
		this.warnSignal = settings.warnSignal();
		this.data = settings.data();
	}

	/**
	 * Launch the first instance.
	 * @throws SamException with {@link CsError#LIBRARY} when it cannot be launched
	 */
	public void launchFirst() {
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
		ActiveProcess process = this.launcher.launch(Map.of(SamEnvironment.INSTANCE_ID, Integer.toString(next)));
		this.instanceId = next;
		this.launches++;
		process.prepare(this.warnSignal);
		this.instance = new Instance(next, process, this.clock.nanoTime());
		this.dumps.newInstance();
		this.mode = Mode.SUPERVISING;
		publishState(StatePublisher.STOPPED);
		this.systemd.status("instance " + next + " starting (pid " + process.pid() + ")");
		log(Level.INFO, "Launched instance {0} of the active process (pid {1})", next, process.pid());
	}

	/**
	 * Authenticate the first frame of a connection.
	 * @param hello the frame
	 * @param from the connection it came on
	 * @return whether the connection is now the active process's channel; if not, close
	 * it
	 */
	boolean onHello(Hello hello, Peer from) {
		if (hello.version() != Codec.PROTOCOL_VERSION) {
			this.refusal = "speaks channel protocol version " + hello.version() + ", this supervisor version "
					+ Codec.PROTOCOL_VERSION + " (an instance from another samboot jar than the supervisor's)";
			from.send(new Reply(CsError.VERSION));
			return false;
		}
		if (!MessageDigest.isEqual(hello.token(), this.settings.token())) {
			this.refusal = "presented a wrong token";
			return false;
		}
		Instance current = this.instance;
		if (current == null || hello.pid() != current.process().pid() || current.peer() != null
				|| current.phase() == Phase.ENDED) {
			this.refusal = "pid " + hello.pid() + ", but instance " + this.instanceId + " is pid "
					+ ((current != null) ? current.process().pid() : -1)
					+ ((current != null && current.peer() != null) ? " and already connected" : "");
			return false;
		}
		current.peer(from);
		if (current.phase() == Phase.LAUNCHED) {
			current.moveTo(Phase.CONNECTED);
		}
		from.send(new Welcome(this.instanceId, this.warnSignal, this.settings.supervisorPid(), this.data,
				this.history.recent(), this.history.totals(Math.max(0, this.instanceId - 1))));
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
		Instance current = this.instance;
		if (this.mode == Mode.FINISHED || current == null || from != current.peer()) {
			return;
		}
		if (!(message instanceof HealthFailed)) {
			// without quorum, heartbeats buy no time: SIGKILL follows the warn signal
			// after T
			if (current.cause() != Recovery.Reason.QUORUM_LOST || this.quorate) {
				current.lastActivity(this.clock.nanoTime());
				if (current.phase() != Phase.WARNED && !current.healthFailed()) {
					this.dumps.discardEarly();
				}
			}
			if (this.publisher != null) {
				this.publisher.lastUpdated();
			}
			if (current.phase() == Phase.STARTED && !current.healthFailed()) {
				this.systemd.alive(this.clock.nanoTime());
			}
		}
		if (message instanceof Start) {
			onStart(current);
		}
		else if (message instanceof Stop) {
			onStop(current);
		}
		else if (message instanceof DataStore store) {
			onDataStore(current, store.data());
		}
		else if (message instanceof WarnSignalSet set) {
			onWarnSignalSet(current, set.signal());
		}
		else if (message instanceof MarkFailed) {
			onMarkFailed(current);
		}
		else if (message instanceof RestartRequest) {
			onRestartRequest(current);
		}
		else if (message instanceof HealthFailed failed) {
			current.healthFailed(this.clock.nanoTime());
			if (current.phase() == Phase.WARNED) {
				current.cause(Recovery.Reason.UNHEALTHY);
			}
			log(Level.WARNING, "Instance {0} reports it is unhealthy: {1}", current.id(), failed.detail());
			this.dumps.take(current, this.clock.nanoTime());
		}
	}

	private void onStart(Instance current) {
		if (current.started() || current.doomed()) {
			current.startCalled(true);
			current.peer().send(new Reply(CsError.OK));
			return;
		}
		current.startCalled(true);
		this.budget.started();
		this.launcher.started(current.process());
		if (this.policy.quorum()) {
			// as libsam updates its quorum state before it decides: a change may still be
			// on its way
			this.quorate = this.quorumCheck.getAsBoolean();
		}
		if (this.policy.quorum() && !this.quorate) {
			current.moveTo(Phase.WAITING_FOR_QUORUM);
			publishState(StatePublisher.WAITING_FOR_QUORUM);
			log(Level.INFO, "Instance {0} waits for quorum", current.id());
			return;
		}
		running(current);
	}

	private void running(Instance current) {
		long now = this.clock.nanoTime();
		current.moveTo(Phase.STARTED);
		current.lastActivity(now);
		current.running(now);
		publishState(StatePublisher.RUNNING);
		current.peer().send(new Reply(CsError.OK));
		this.systemd.running("instance " + current.id() + " running (pid " + current.process().pid() + ")", now);
	}

	private void onStop(Instance current) {
		if (current.started()) {
			current.moveTo(Phase.CONNECTED);
		}
		if (!current.markedFailed()) {
			publishState(StatePublisher.STOPPED);
		}
		current.peer().send(new Reply(CsError.OK));
	}

	private void onDataStore(Instance current, byte[] bytes) {
		if (bytes != null && bytes.length > this.settings.dataMaxSize()) {
			current.peer().send(new Reply(CsError.TOO_BIG));
			return;
		}
		this.data = (bytes == null || bytes.length == 0) ? null : bytes;
		current.peer().send(new Reply(CsError.OK));
	}

	private void onWarnSignalSet(Instance current, int signal) {
		if (!Signals.isValid(signal)) {
			current.peer().send(new Reply(CsError.INVALID_PARAM));
			return;
		}
		this.warnSignal = signal;
		current.process().prepare(signal);
		current.peer().send(new Reply(CsError.OK));
	}

	private void onMarkFailed(Instance current) {
		if (!this.policy.cmap()) {
			return;
		}
		log(Level.WARNING, "Instance {0} marked itself failed: SIGKILL, then quit", current.id());
		current.markFailed();
		this.policy = this.policy.toQuit();
		publishState(StatePublisher.FAILED);
		kill(current);
	}

	private void onRestartRequest(Instance current) {
		if (this.mode != Mode.SUPERVISING || current.phase() != Phase.STARTED) {
			current.peer()
				.send(new Reply((current.phase() == Phase.WARNED || current.phase() == Phase.KILLED
						|| this.mode == Mode.STOPPING) ? CsError.BUSY : CsError.BAD_HANDLE));
			return;
		}
		current.cause(Recovery.Reason.REQUESTED);
		current.peer().send(new Reply(CsError.OK));
		// an orderly restart: no thread dump, the warn signal now, SIGKILL after T of
		// silence as for any warned instance
		current.lastActivity(this.clock.nanoTime());
		log(Level.INFO, "Instance {0} (pid {1}) asked for a restart: sending {2}", current.id(),
				current.process().pid(), Signals.name(this.warnSignal));
		sendWarnSignal(current);
	}

	/**
	 * Set how {@code start()} asks for the current quorum state, instead of relying on
	 * the last {@link #onQuorum(boolean) change} seen.
	 * @param check asks the quorum source
	 */
	public void quorumCheck(BooleanSupplier check) {
		this.quorumCheck = check;
	}

	/**
	 * Handle a change of quorum.
	 * @param nowQuorate whether the cluster is quorate
	 */
	public void onQuorum(boolean nowQuorate) {
		boolean changed = this.quorate != nowQuorate;
		this.quorate = nowQuorate;
		Instance current = this.instance;
		if (this.mode == Mode.FINISHED || current == null) {
			return;
		}
		if (changed && current.peer() != null) {
			current.peer().send(new QuorumState(nowQuorate));
		}
		if (this.mode != Mode.SUPERVISING) {
			return;
		}
		if (nowQuorate && current.phase() == Phase.WAITING_FOR_QUORUM && current.peer() != null) {
			log(Level.INFO, "Quorate again: instance {0} starts", current.id());
			running(current);
		}
		else if (!nowQuorate && current.phase() == Phase.WARNED && current.cause() == Recovery.Reason.QUORUM_LOST) {
			// lost, back for a moment, lost again (a connection that fails over to a
			// server that has not yet seen its majority go): the instance was warned
			// for the first loss and SIGKILL stays due T after its last message
			log(Level.WARNING, "Quorum lost again while instance {0} is warned for losing it", current.id());
		}
		else if (!nowQuorate && (current.phase() == Phase.STARTED || current.phase() == Phase.WARNED)) {
			log(Level.WARNING, "Quorum lost while instance {0} is started", current.id());
			current.cause(Recovery.Reason.QUORUM_LOST);
			warnOrKill(current, "lost quorum", this.clock.nanoTime());
		}
	}

	/**
	 * Act on the clock: start the next instance after a backoff, take a thread dump of an
	 * instance that is about to be warned, warn or kill a silent one, kill one that
	 * ignores a stop.
	 */
	void onTimer() {
		if (this.mode == Mode.FINISHED) {
			return;
		}
		long now = this.clock.nanoTime();
		this.dumps.abandonOverdue(now);
		switch (this.mode) {
			case BACKING_OFF -> {
				if (now - this.backoffUntil >= 0) {
					launchOrQuit();
				}
			}
			case STOPPING -> {
				if (this.instance.phase() != Phase.KILLED && now - this.stopDeadline >= 0) {
					log(Level.WARNING, "Instance {0} did not stop within {1} ms: SIGKILL", this.instance.id(),
							this.settings.shutdownTimeoutNanos() / 1_000_000);
					kill(this.instance);
				}
			}
			default -> onSupervisingTimer(this.instance, now);
		}
	}

	private void onSupervisingTimer(Instance current, long now) {
		if (silenceTimed(current)) {
			long due = silenceDue(current);
			if (now - due >= 0) {
				warnOrKill(current,
						(current.cause() == Recovery.Reason.QUORUM_LOST && !this.quorate) ? "is still without quorum"
								: (current.phase() == Phase.WARNED) ? "is still silent" : current.healthFailed()
										? "reported its health check failed" : "missed its health check",
						due);
			}
			else if (now - threadDumpMoment(current, due, silenceLimit(current)) >= 0) {
				this.dumps.take(current, now);
			}
		}
		else if (startupTimed(current)) {
			long due = current.launchedAt() + this.rules.startupTimeoutNanos();
			if (now - due >= 0) {
				current.cause(Recovery.Reason.STARTUP_TIMEOUT);
				warnOrKill(current,
						"did not call start() within " + this.rules.startupTimeoutNanos() / 1_000_000 + " ms", now);
			}
			else if (now - threadDumpMoment(current, due, this.rules.startupTimeoutNanos()) >= 0) {
				this.dumps.take(current, now);
			}
		}
	}

	/**
	 * Return when {@link #onTimer()} must next be called.
	 * @return a clock reading, or {@link Long#MAX_VALUE} when nothing is timed
	 */
	long nextDeadline() {
		if (this.mode == Mode.FINISHED) {
			return Long.MAX_VALUE;
		}
		return this.dumps.earlierOf(ownDeadline());
	}

	private long ownDeadline() {
		Instance current = this.instance;
		switch (this.mode) {
			case BACKING_OFF:
				return this.backoffUntil;
			case STOPPING:
				return (current.phase() == Phase.KILLED) ? Long.MAX_VALUE : this.stopDeadline;
			default:
				if (silenceTimed(current)) {
					long due = silenceDue(current);
					return earliest(due, threadDumpMoment(current, due, silenceLimit(current)));
				}
				if (startupTimed(current)) {
					long due = current.launchedAt() + this.rules.startupTimeoutNanos();
					return earliest(due, threadDumpMoment(current, due, this.rules.startupTimeoutNanos()));
				}
				return Long.MAX_VALUE;
		}
	}

	private static long earliest(long due, long dump) {
		return (dump != Long.MAX_VALUE && dump - due < 0) ? dump : due;
	}

	/**
	 * Whether silence is timed: while started, and also once warned, because a JVM runs
	 * its shutdown hooks on the warn signal and those may call {@code stop()}; a shutdown
	 * that then hangs must still be killed T after the last message.
	 */
	private boolean silenceTimed(Instance current) {
		return (current.phase() == Phase.STARTED || current.phase() == Phase.WARNED) && silenceLimit(current) > 0;
	}

	/**
	 * When the warn signal (or, once warned, SIGKILL) is due: T after the last message,
	 * but no later than T/4 after the instance reported its health check failed, since no
	 * heartbeat follows that report; the quarter gives the thread dump its time.
	 */
	private long silenceDue(Instance current) {
		long due = current.lastActivity() + silenceLimit(current);
		if (current.healthFailed() && current.phase() != Phase.WARNED) {
			long reported = current.healthFailedAt() + silenceLimit(current) / 4;
			if (reported - due < 0) {
				return reported;
			}
		}
		return due;
	}

	/** T, or the start-up timeout for an instance warned for not starting when T is 0. */
	private long silenceLimit(Instance current) {
		if (this.settings.intervalNanos() > 0) {
			return this.settings.intervalNanos();
		}
		return (current.cause() == Recovery.Reason.STARTUP_TIMEOUT) ? this.rules.startupTimeoutNanos() : 0;
	}

	/**
	 * Whether the time to {@code start()} is limited and still running: until the first
	 * {@code start()}, not again after a {@code stop()} (a clean shutdown calls it on the
	 * way out).
	 */
	private boolean startupTimed(Instance current) {
		return this.rules.startupTimeoutNanos() > 0 && !current.startCalled()
				&& (current.phase() == Phase.LAUNCHED || current.phase() == Phase.CONNECTED);
	}

	private long threadDumpMoment(Instance current, long due, long limit) {
		return (current.phase() == Phase.WARNED) ? Long.MAX_VALUE : this.dumps.moment(due, limit);
	}

	/**
	 * Send the warn signal, or SIGKILL if it was sent already.
	 * @param current the instance
	 * @param why what the log says
	 * @param due when it was due: the next T of silence is counted from there, so that
	 * SIGKILL comes 2T after the last message even when this loop got to the warn a
	 * little late; but never less than 3T/4 after the warn signal, which the
	 * application's shutdown needs
	 */
	private void warnOrKill(Instance current, String why, long due) {
		if (current.phase() == Phase.WARNED) {
			log(Level.WARNING, "Instance {0} {1} after the warn signal: SIGKILL", current.id(), why);
			kill(current);
			return;
		}
		if (current.cause() == null) {
			current.cause(current.healthFailed() ? Recovery.Reason.UNHEALTHY : Recovery.Reason.HC_TIMEOUT);
		}
		long now = this.clock.nanoTime();
		// a lost quorum warns at once: no time for a dump, and no hang to see
		if (current.cause() != Recovery.Reason.QUORUM_LOST) {
			this.dumps.take(current, now);
		}
		long latest = now - silenceLimit(current) / 4;
		current.lastActivity((due - latest > 0) ? due : latest);
		log(Level.WARNING, "Instance {0} (pid {1}) {2}: sending {3}", current.id(), current.process().pid(), why,
				Signals.name(this.warnSignal));
		sendWarnSignal(current);
	}

	/**
	 * Send the warn signal once: the next T of silence is SIGKILL, unless the warn signal
	 * is SIGKILL itself.
	 */
	private void sendWarnSignal(Instance current) {
		current.moveTo(Phase.WARNED);
		current.process().signal(this.warnSignal);
		if (this.warnSignal == Signals.SIGKILL) {
			current.moveTo(Phase.KILLED);
		}
	}

	private void kill(Instance current) {
		current.moveTo(Phase.KILLED);
		current.process().signal(Signals.SIGKILL);
	}

	/**
	 * Handle the end of the active process: quit, or recover by the policy.
	 * @param status its exit status
	 */
	void onExit(int status) {
		Instance ended = this.instance;
		if (this.mode == Mode.FINISHED || ended == null || ended.phase() == Phase.ENDED) {
			return;
		}
		if (ended.peer() != null) {
			ended.peer().close();
			ended.peer(null);
		}
		// started (or waiting for quorum), warned, killed or marked failed: a recovery
		boolean recovered = ended.started() || ended.doomed();
		ended.moveTo(Phase.ENDED);
		this.dumps.instanceEnded(this.clock.nanoTime());
		if (this.mode == Mode.STOPPING) {
			log(Level.INFO, "Instance {0} stopped with status {1}", ended.id(), status);
			finish(status, true);
			return;
		}
		if (recovered) {
			recover(ended, status);
			return;
		}
		if (this.launcher.relaunchPlain(ended.process(), status)) {
			log(Level.WARNING, "Instance {0} exited with status {1} before start() with the start-up cache: "
					+ "launching it again without", ended.id(), status);
			launchOrQuit();
			return;
		}
		if (retriesFailedStart(ended)) {
			recover(ended, status);
			return;
		}
		log(Level.INFO, "Instance {0} exited with status {1} while not started: quitting", ended.id(), status);
		finish(status, true);
	}

	/**
	 * Whether an instance that ended before {@code start()} is launched again: only one
	 * started as a recovery, and only when asked to; the first instance's failure is the
	 * application's answer to its configuration, as in libsam.
	 */
	private boolean retriesFailedStart(Instance ended) {
		return this.rules.startRetry() != null && this.launches > 1 && !ended.startCalled();
	}

	private void recover(Instance ended, int status) {
		long now = this.clock.nanoTime();
		Recovery.Reason reason = ended.reason(status);
		// the instance before it was restarted already: a failed start is retried
		// whatever the policy
		boolean requested = reason == Recovery.Reason.REQUESTED;
		Recovery.Action action = (this.policy.restart() || reason == Recovery.Reason.START_FAILED || requested)
				? Recovery.Action.RESTART : Recovery.Action.QUIT;
		String detail = null;
		if (requested) {
			// asked for: neither the exit status nor the restart limit decides, and no
			// backoff
			detail = "restart requested";
		}
		else if (!ended.markedFailed() && this.rules.quitExitCodes().contains(status)) {
			action = Recovery.Action.QUIT;
			detail = "exit status " + status + " always quits";
		}
		else if (!ended.markedFailed() && this.rules.restartExitCodes().contains(status)) {
			action = Recovery.Action.RESTART;
			detail = "exit status " + status + " always restarts";
		}
		long backoffNanos = 0;
		if (!requested && action == Recovery.Action.RESTART && this.budget.exhausted(now)) {
			action = Recovery.Action.QUIT;
			detail = "more than " + this.rules.maxRestarts() + " restarts within "
					+ this.rules.windowNanos() / 1_000_000 + " ms: giving up";
		}
		else if (!requested && action == Recovery.Action.RESTART) {
			backoffNanos = this.budget.restart(now, ended, reason == Recovery.Reason.START_FAILED);
		}
		this.history.add(new Recovery(this.clock.now(), ended.id(), ended.process().pid(), reason, status, action,
				Duration.ofNanos(backoffNanos), this.dumps.where(), detail));
		log(Level.WARNING, "Instance {0} ended ({1}, status {2}): {3}{4}", ended.id(), reason.value(), status,
				(action == Recovery.Action.QUIT) ? "quitting"
						: (backoffNanos > 0) ? "restarting in " + backoffNanos / 1_000_000 + " ms" : "restarting",
				(detail != null) ? " (" + detail + ")" : "");
		this.lastStatus = status;
		if (action == Recovery.Action.QUIT) {
			publishState(StatePublisher.FAILED);
			this.systemd
				.status("instance " + ended.id() + " ended (" + reason.value() + ", status " + status + "): quitting");
			finish(status, false);
			return;
		}
		if (backoffNanos > 0) {
			this.mode = Mode.BACKING_OFF;
			this.backoffUntil = now + backoffNanos;
			this.systemd.status("instance " + ended.id() + " ended (" + reason.value() + "): restarting in "
					+ backoffNanos / 1_000_000 + " ms");
			return;
		}
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

	/**
	 * Stop on request from outside (SIGTERM or SIGINT to the supervisor): forward
	 * SIGTERM, never restart, SIGKILL after the shutdown timeout. A second request kills
	 * at once.
	 * @param signal the signal the supervisor received
	 */
	void onStopRequested(int signal) {
		Instance current = this.instance;
		switch (this.mode) {
			case FINISHED -> {
			}
			case BACKING_OFF -> {
				log(Level.INFO, "{0} received while waiting to start instance {1}: quitting with status {2}",
						Signals.name(signal), this.instanceId + 1, this.lastStatus);
				this.systemd.stopping("stopping instance " + this.instanceId);
				finish(this.lastStatus, true);
			}
			case STOPPING -> {
				log(Level.WARNING, "{0} again: SIGKILL to instance {1}", Signals.name(signal), current.id());
				if (current.phase() != Phase.ENDED) {
					kill(current);
				}
			}
			default -> {
				if (current == null || current.phase() == Phase.ENDED) {
					return;
				}
				log(Level.INFO, "{0} received: stopping instance {1} (pid {2})", Signals.name(signal), current.id(),
						current.process().pid());
				this.mode = Mode.STOPPING;
				this.systemd.stopping("stopping instance " + current.id());
				this.stopDeadline = this.clock.nanoTime() + this.settings.shutdownTimeoutNanos();
				current.process().signal(Signals.SIGTERM);
			}
		}
	}

	private void finish(int status, boolean clean) {
		this.mode = Mode.FINISHED;
		this.exitStatus = OptionalInt.of(status);
		if (clean && this.publisher != null) {
			this.publisher.remove();
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

	Mode mode() {
		return this.mode;
	}

	/**
	 * Return the current instance's phase.
	 * @return the phase, or {@code null} while no instance was launched
	 */
	Phase phase() {
		return (this.instance != null) ? this.instance.phase() : null;
	}

	/**
	 * Return the active process.
	 * @return the current instance's process; {@code null} while waiting to launch the
	 * next
	 */
	ActiveProcess process() {
		return (this.instance != null && this.mode != Mode.BACKING_OFF) ? this.instance.process() : null;
	}

	/**
	 * End what the supervisor started beside its instances (a {@code jcmd} taking a
	 * thread dump) before it exits, waiting for it to be gone.
	 */
	public void endChildren() {
		this.dumps.endRunning();
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

	public byte[] data() {
		return this.data;
	}

	RecoveryPolicy policy() {
		return this.policy;
	}

	List<Recovery> recoveries() {
		return this.history.recent();
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
