package dev.samboot.sam.internal.supervisor;

import java.lang.System.Logger.Level;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import dev.samboot.sam.Recovery;

/**
 * One instance of the active process, from its launch to its end: a new object per
 * launch, so that nothing of the last instance is carried into the next by mistake. Its
 * phase changes only through {@link #moveTo}, which checks the move against
 * {@link #MOVES}.
 */
final class Instance {

	private static final System.Logger logger = System.getLogger(Instance.class.getName());

	/**
	 * Where an instance is in its life, as libsam's {@code sam_internal_status_t} and the
	 * supervisor's view of it.
	 */
	enum Phase {

		/** Launched; it has not presented its token yet. */
		LAUNCHED,

		/** Connected (registered); not started, or stopped again: no time limit. */
		CONNECTED,

		/** {@code start()} waits for quorum: counts as started, silence is not timed. */
		WAITING_FOR_QUORUM,

		/** Started: every T of silence counts. */
		STARTED,

		/** The warn signal was sent (once): the next T of silence is SIGKILL. */
		WARNED,

		/** SIGKILL was sent; the end is awaited. */
		KILLED,

		/** The process has ended. */
		ENDED

	}

	/** The legal moves; anything else is a bug in the supervisor and fails loudly. */
	static final Map<Phase, Set<Phase>> MOVES;

	static {
		Map<Phase, Set<Phase>> moves = new EnumMap<>(Phase.class);
		moves.put(Phase.LAUNCHED, EnumSet.of(Phase.CONNECTED, Phase.WARNED, Phase.KILLED, Phase.ENDED));
		moves.put(Phase.CONNECTED,
				EnumSet.of(Phase.WAITING_FOR_QUORUM, Phase.STARTED, Phase.WARNED, Phase.KILLED, Phase.ENDED));
		moves.put(Phase.WAITING_FOR_QUORUM, EnumSet.of(Phase.CONNECTED, Phase.STARTED, Phase.KILLED, Phase.ENDED));
		moves.put(Phase.STARTED, EnumSet.of(Phase.CONNECTED, Phase.WARNED, Phase.KILLED, Phase.ENDED));
		moves.put(Phase.WARNED, EnumSet.of(Phase.KILLED, Phase.ENDED));
		moves.put(Phase.KILLED, EnumSet.of(Phase.ENDED));
		moves.put(Phase.ENDED, EnumSet.noneOf(Phase.class));
		MOVES = Map.copyOf(moves);
	}

	private final int id;

	private final ActiveProcess process;

	private final long launchedAt;

	private Phase phase = Phase.LAUNCHED;

	private Peer peer;

	private long lastActivity;

	/** When start() was first answered, or 0. */
	private long runningSince;

	private boolean startCalled;

	private boolean markedFailed;

	private long healthFailedAt = -1;

	/**
	 * Why the supervisor warned or killed it, recorded when it did; {@code null}
	 * otherwise.
	 */
	private Recovery.Reason cause;

	Instance(int id, ActiveProcess process, long launchedAt) {
		this.id = id;
		this.process = process;
		this.launchedAt = launchedAt;
		this.lastActivity = launchedAt;
	}

	/**
	 * Move to another phase.
	 * @param next the phase
	 * @throws IllegalStateException if the move is not in {@link #MOVES}
	 */
	void moveTo(Phase next) {
		if (next == this.phase) {
			return;
		}
		if (!MOVES.get(this.phase).contains(next)) {
			throw new IllegalStateException("Instance " + this.id + " cannot move from " + this.phase + " to " + next);
		}
		logger.log(Level.DEBUG, "Instance {0}: {1} -> {2}", Integer.toString(this.id), this.phase, next);
		this.phase = next;
	}

	/**
	 * Record why the supervisor acts against this instance. A later cause replaces an
	 * earlier one only when it says more: quorum lost, then a start-up that timed out,
	 * then a failed health check, then plain silence.
	 * @param why the cause
	 */
	void cause(Recovery.Reason why) {
		if (this.cause == null || rank(why) > rank(this.cause)) {
			this.cause = why;
		}
	}

	private static int rank(Recovery.Reason reason) {
		return switch (reason) {
			case REQUESTED -> 5;
			case QUORUM_LOST -> 4;
			case STARTUP_TIMEOUT -> 3;
			case UNHEALTHY -> 2;
			default -> 1;
		};
	}

	/**
	 * Why this instance ended, from what was recorded while it ran.
	 * @param status its exit status
	 * @return the reason
	 */
	Recovery.Reason reason(int status) {
		if (this.markedFailed) {
			return Recovery.Reason.MARKED_FAILED;
		}
		if (this.cause != null) {
			return this.cause;
		}
		if (!this.startCalled) {
			return Recovery.Reason.START_FAILED;
		}
		return (status > 128) ? Recovery.Reason.KILLED : Recovery.Reason.EXITED;
	}

	int id() {
		return this.id;
	}

	ActiveProcess process() {
		return this.process;
	}

	long launchedAt() {
		return this.launchedAt;
	}

	Phase phase() {
		return this.phase;
	}

	Peer peer() {
		return this.peer;
	}

	void peer(Peer peer) {
		this.peer = peer;
	}

	long lastActivity() {
		return this.lastActivity;
	}

	void lastActivity(long time) {
		this.lastActivity = time;
	}

	long runningSince() {
		return this.runningSince;
	}

	void running(long since) {
		if (this.runningSince == 0) {
			this.runningSince = since;
		}
	}

	boolean startCalled() {
		return this.startCalled;
	}

	void startCalled(boolean called) {
		this.startCalled = called;
	}

	boolean markedFailed() {
		return this.markedFailed;
	}

	void markFailed() {
		this.markedFailed = true;
	}

	boolean healthFailed() {
		return this.healthFailedAt >= 0;
	}

	long healthFailedAt() {
		return this.healthFailedAt;
	}

	void healthFailed(long at) {
		if (this.healthFailedAt < 0) {
			this.healthFailedAt = at;
		}
	}

	Recovery.Reason cause() {
		return this.cause;
	}

	/**
	 * Whether it has called start() and not stop() since, including while it waits for
	 * quorum.
	 */
	boolean started() {
		return this.phase == Phase.STARTED || this.phase == Phase.WAITING_FOR_QUORUM;
	}

	/**
	 * Whether the warn signal or SIGKILL went, or it marked itself failed: its end is a
	 * recovery.
	 */
	boolean doomed() {
		return this.phase == Phase.WARNED || this.phase == Phase.KILLED || this.markedFailed;
	}

}
