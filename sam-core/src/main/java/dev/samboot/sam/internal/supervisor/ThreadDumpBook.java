package dev.samboot.sam.internal.supervisor;

import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;

/**
 * The supervisor's thread dumps: at most {@link #MAX_PER_INSTANCE} of an instance, the
 * one taken ahead of a warn signal discarded if the instance answers again, and a
 * {@code jcmd} that takes too long abandoned (timed by the supervisor's loop, not by a
 * timer thread), whichever instance it was for.
 */
final class ThreadDumpBook {

	/**
	 * Thread dumps of one instance, at most (activity that resumes discards an early
	 * one).
	 */
	static final int MAX_PER_INSTANCE = 3;

	/**
	 * How long a {@code jcmd} may go on once the instance it dumps has ended: enough to
	 * write what it has read, since nothing more can come.
	 */
	static final long ENDED_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);

	private static final System.Logger logger = System.getLogger(ThreadDumpBook.class.getName());

	private final ThreadDumps dumps;

	private final long leadNanos;

	/** The current instance's dump, kept for its recovery. */
	private ThreadDumps.Dump current;

	private int taken;

	/** The dump whose jcmd may still run. */
	private ThreadDumps.Dump running;

	private long runningDeadline;

	/** Whether the instance of the running dump has ended. */
	private boolean runningTargetEnded;

	/** The pid of the current instance, once it was dumped; -1 otherwise. */
	private long currentPid = -1;

	/** The pid of the instance of the running dump, or -1. */
	private long runningPid = -1;

	/**
	 * Create a new instance.
	 * @param dumps takes the dumps, or {@code null} for none
	 * @param leadNanos how long before a warn signal a dump is started, at most
	 */
	ThreadDumpBook(ThreadDumps dumps, long leadNanos) {
		this.dumps = dumps;
		this.leadNanos = leadNanos;
	}

	/** A new instance: none of its dumps taken yet. */
	void newInstance() {
		this.current = null;
		this.taken = 0;
		// a pid of an instance that ended may be another process's soon
		this.currentPid = -1;
	}

	private boolean canTake() {
		return this.dumps != null && this.current == null && this.taken < MAX_PER_INSTANCE;
	}

	/**
	 * Return when to start a dump ahead of a warn signal due at {@code due}: early enough
	 * that it is written before the warn signal, which it never delays.
	 * @param due when the warn signal is due
	 * @param limit the silence limit it is due after
	 * @return a clock reading, or {@link Long#MAX_VALUE} for none
	 */
	long moment(long due, long limit) {
		return canTake() ? due - Math.min(limit / 4, this.leadNanos) : Long.MAX_VALUE;
	}

	/**
	 * Start a dump of an instance, unless one is there or its dumps are used up.
	 * @param instance the instance
	 * @param now the clock reading
	 */
	void take(Instance instance, long now) {
		if (!canTake()) {
			return;
		}
		this.taken++;
		logger.log(Level.WARNING, "Instance {0} (pid {1}) is about to be warned: taking a thread dump",
				Integer.toString(instance.id()), Long.toString(instance.process().pid()));
		this.current = this.dumps.take(instance.process(), instance.id());
		this.running = this.current;
		this.runningDeadline = now + this.dumps.limitNanos();
		this.runningTargetEnded = false;
		this.currentPid = instance.process().pid();
		this.runningPid = this.currentPid;
	}

	/**
	 * The instance ended: a {@code jcmd} still running for it has nothing more to read,
	 * so it is abandoned {@link #ENDED_GRACE_NANOS} later rather than at its limit, and
	 * never runs beside the next instance's start.
	 * @param now the clock reading
	 */
	void instanceEnded(long now) {
		if (this.currentPid > 0) {
			ThreadDumps.removeAttachFiles(this.currentPid);
		}
		if (this.running == null || this.runningTargetEnded) {
			return;
		}
		this.runningTargetEnded = true;
		if (this.runningDeadline - (now + ENDED_GRACE_NANOS) > 0) {
			this.runningDeadline = now + ENDED_GRACE_NANOS;
		}
	}

	/**
	 * The instance answered again before its warn signal: its early dump is not needed.
	 */
	void discardEarly() {
		if (this.current != null) {
			this.current.discard();
			this.current = null;
		}
	}

	/**
	 * Return where the current instance's dump went.
	 * @return a file or {@code stdout of pid N}, or {@code null} when there is none
	 */
	String where() {
		ThreadDumps.Dump dump = this.current;
		return (dump != null && !dump.failed()) ? dump.where() : null;
	}

	/**
	 * Abandon a jcmd that runs past its limit.
	 * @param now the clock reading
	 */
	void abandonOverdue(long now) {
		if (this.running == null) {
			return;
		}
		if (!this.running.running()) {
			this.running = null;
		}
		else if (now - this.runningDeadline >= 0) {
			this.running.abandon(this.runningTargetEnded ? "its instance ended" : "it took too long");
			this.running = null;
			if (this.runningTargetEnded) {
				// a jcmd started as its target ended may have made the file after it
				ThreadDumps.removeAttachFiles(this.runningPid);
			}
		}
	}

	/** End a jcmd that still runs, and wait for it: the supervisor is about to exit. */
	void endRunning() {
		if (this.running != null) {
			this.running.end();
			this.running = null;
		}
	}

	/**
	 * Return the earlier of a deadline and the time to abandon a running jcmd.
	 * @param deadline the supervisor's own next deadline
	 * @return the clock reading to wake at
	 */
	long earlierOf(long deadline) {
		return (this.running != null && this.running.running() && this.runningDeadline - deadline < 0)
				? this.runningDeadline : deadline;
	}

}
