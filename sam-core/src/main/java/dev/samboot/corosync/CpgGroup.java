package dev.samboot.corosync;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import dev.samboot.sam.Backoff;
import dev.samboot.sam.CsError;
import dev.samboot.sam.SamException;

/**
 * A closed process group for an application, on top of {@link Cpg}: this process joins
 * the group, a thread of its own dispatches, the membership is kept current, messages are
 * sent in agreed order and retried while corosync answers {@link CsError#TRY_AGAIN}, and
 * a lost group is joined again. The group is lost when corosync goes away or evicts this
 * member; recovering it means a new handle (corosync never lets a handle that left a
 * group join again), so the dispatch thread finalizes the handle, initializes another and
 * joins with a growing wait between attempts, as corosync's {@code testcpg} does, until
 * it is a member again or the group is closed.
 * <p>
 * With SAM the group is joined by the active process once it has registered, never by the
 * supervisor: an instance that dies leaves with {@link CpgReason#PROCDOWN}, the next
 * joins under its own pid. {@link #healthy(Duration)} is the health check that makes an
 * instance that has lost the group for too long restartable.
 * <p>
 * The listener is called on the dispatch thread, one call at a time, in the order
 * corosync delivers; an exception (or an {@code AssertionError}) it throws is logged and
 * does not end the group. Another {@code Error} ends the dispatch thread: the member is
 * out of the group for good and counts as lost, so {@link #healthy(Duration)} fails once
 * the bound has passed.
 */
public final class CpgGroup implements AutoCloseable {

	private static final System.Logger logger = System.getLogger(CpgGroup.class.getName());

	private static final int POLL_MILLIS = 200;

	/** What a message may hold unless told otherwise: 1 MiB. */
	public static final int DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;

	/** How long a send retries {@link CsError#TRY_AGAIN} unless told otherwise. */
	public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(5);

	/** The waits between attempts to join again, unless told otherwise. */
	public static final Backoff DEFAULT_REJOIN_BACKOFF = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), 2,
			0.1, Duration.ZERO);

	/** The first and the longest wait between two attempts to send. */
	private static final long SEND_RETRY_FIRST_NANOS = TimeUnit.MICROSECONDS.toNanos(500);

	private static final long SEND_RETRY_MAX_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

	private static final long TRY_AGAIN_PAUSE_MILLIS = 100;

	/**
	 * What the application hears of the group, on the dispatch thread.
	 */
	public interface Listener {

		/**
		 * A message delivered to the group, this member's own included.
		 * @param message the message
		 */
		default void delivered(CpgMessage message) {
		}

		/**
		 * The membership changed: members joined or left, or this member joined (again).
		 * @param membership the members now, and the change
		 */
		default void membershipChanged(CpgMembership membership) {
		}

		/**
		 * This member lost the group; it tries to join again until it is closed.
		 * @param cause what happened
		 */
		default void lost(SamException cause) {
		}

	}

	/**
	 * How a group behaves.
	 *
	 * @param maxMessageBytes the longest message {@link #send(byte[])} accepts (corosync
	 * fragments those longer than {@link Cpg#maxAtomicMsgsizeGet()})
	 * @param sendTimeout how long a send retries while corosync answers
	 * {@link CsError#TRY_AGAIN}
	 * @param rejoinBackoff the waits between attempts to join a lost group again
	 */
	public record Options(int maxMessageBytes, Duration sendTimeout, Backoff rejoinBackoff) {

		/**
		 * 1 MiB messages, 5 s of send retries, 100 ms doubling to 5 s between rejoins.
		 */
		public static final Options DEFAULT = new Options(DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_SEND_TIMEOUT,
				DEFAULT_REJOIN_BACKOFF);

		/**
		 * Check the values.
		 * @throws SamException with {@link CsError#INVALID_PARAM} for a message limit
		 * below 1, a negative send timeout or a rejoin backoff without waits
		 */
		public Options {
			if (maxMessageBytes < 1) {
				throw new SamException(CsError.INVALID_PARAM, "The longest CPG message must be 1 byte or more");
			}
			if (sendTimeout == null || sendTimeout.isNegative()) {
				throw new SamException(CsError.INVALID_PARAM, "The CPG send timeout must be 0 or more");
			}
			if (rejoinBackoff == null || !rejoinBackoff.enabled()) {
				throw new SamException(CsError.INVALID_PARAM, "Joining a lost CPG group again needs a wait");
			}
		}

	}

	private final String name;

	private final Options options;

	private final Listener listener;

	private final Thread dispatcher;

	private final CountDownLatch stopped = new CountDownLatch(1);

	private final AtomicLong sent = new AtomicLong();

	private final AtomicLong delivered = new AtomicLong();

	private final AtomicLong rejoins = new AtomicLong();

	/**
	 * The handle of the moment; replaced, on the dispatch thread, when the group is lost.
	 */
	private volatile Cpg cpg;

	private volatile CpgMembership membership;

	private volatile CpgAddress self;

	/** {@code System.nanoTime()} when the group was lost, while it is. */
	private volatile long lostAt;

	private volatile boolean lost;

	private volatile SamException lostCause;

	private volatile boolean closed;

	private CpgGroup(String name, Options options, Listener listener) {
		this.name = name;
		this.options = options;
		this.listener = listener;
		this.cpg = connect();
		this.dispatcher = DispatchStack.newThread("sam-cpg-" + name, this::run);
		this.dispatcher.start();
	}

	/**
	 * Join a group with the default {@link Options}.
	 * @param group the group's name, at most {@value Cpg#MAX_NAME_BYTES} bytes of UTF-8
	 * @param listener what hears of messages and membership
	 * @return the group, joined
	 * @throws SamException with corosync's error when the group cannot be joined:
	 * {@link CsError#LIBRARY} when corosync is not running, {@link CsError#EXIST} when
	 * this process is a member already, {@link CsError#NAME_TOO_LONG} or
	 * {@link CsError#INVALID_PARAM} for a bad name
	 */
	public static CpgGroup join(String group, Listener listener) {
		return join(group, Options.DEFAULT, listener);
	}

	/**
	 * Join a group.
	 * @param group the group's name, at most {@value Cpg#MAX_NAME_BYTES} bytes of UTF-8
	 * @param options how the group behaves
	 * @param listener what hears of messages and membership
	 * @return the group, joined
	 * @throws SamException with corosync's error when the group cannot be joined
	 */
	public static CpgGroup join(String group, Options options, Listener listener) {
		Cpg.encodeName(group);
		if (options == null || listener == null) {
			throw new SamException(CsError.INVALID_PARAM, "The CPG group's options and listener are required");
		}
		return new CpgGroup(group, options, listener);
	}

	/**
	 * Initialize a handle and join; on the caller's thread the first time, on the
	 * dispatch thread afterwards.
	 */
	private Cpg connect() {
		Cpg handle = retryingTryAgain(() -> Cpg.initialize(new Callbacks()));
		try {
			int nodeId = handle.localGet();
			CpgAddress me = new CpgAddress(nodeId, (int) ProcessHandle.current().pid(), CpgReason.UNDEFINED);
			retryingTryAgain(() -> {
				handle.join(this.name);
				return handle;
			});
			this.self = me;
			this.membership = new CpgMembership(this.name, handle.membershipGet(this.name), List.of(), List.of());
			return handle;
		}
		catch (RuntimeException ex) {
			handle.close();
			throw ex;
		}
	}

	/**
	 * Run a call again while corosync answers {@link CsError#TRY_AGAIN}, as testcpg does:
	 * a join does while an earlier membership of this process in the group is still being
	 * taken down (a group closed and joined again, a context restarted in the same JVM).
	 * Bounded by {@link Options#sendTimeout()}.
	 */
	private <T> T retryingTryAgain(Supplier<T> call) {
		long deadline = System.nanoTime() + this.options.sendTimeout().toNanos();
		while (true) {
			try {
				return call.get();
			}
			catch (SamException ex) {
				if (ex.error() != CsError.TRY_AGAIN || System.nanoTime() - deadline > 0) {
					throw ex;
				}
			}
			try {
				Thread.sleep(TRY_AGAIN_PAUSE_MILLIS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new SamException(CsError.INTERRUPT, "Interrupted while corosync asked to join again");
			}
		}
	}

	private void run() {
		try {
			Cpg handle = this.cpg;
			while (!this.closed) {
				try {
					dispatchUntilLost(handle);
				}
				catch (SamException ex) {
					if (this.closed) {
						break;
					}
					lose(handle, ex);
				}
				if (this.closed) {
					break;
				}
				handle = rejoin();
				if (handle == null) {
					// closed, or interrupted: lost, and unhealthy after the bound
					break;
				}
			}
		}
		catch (RuntimeException | Error ex) {
			// never silently: a member whose dispatching ended is out of the group for
			// good, and its health check fails once the bound has passed
			if (!this.lost) {
				this.lostAt = System.nanoTime();
				this.lost = true;
			}
			this.lostCause = new SamException(CsError.FAILED_OPERATION, "The dispatch thread of CPG group '" + this.name
					+ "' ended, out of the group for good (a listener threw " + ex + ")");
			logger.log(Level.ERROR,
					"The dispatch thread of CPG group '" + this.name + "' ended: this member is out of the group", ex);
		}
		finally {
			Cpg last = this.cpg;
			if (last != null) {
				leaveQuietly(last);
				last.close();
			}
			this.stopped.countDown();
		}
	}

	/**
	 * Leave before finalizing, so that the others see {@link CpgReason#LEAVE}: a finalize
	 * alone reaches them as {@link CpgReason#PROCDOWN}, as a crash does.
	 */
	private void leaveQuietly(Cpg handle) {
		if (this.lost || handle.isClosed()) {
			return;
		}
		try {
			handle.leave(this.name);
		}
		catch (SamException ex) {
			logger.log(Level.DEBUG, "cpg_leave ''{0}'' on close: {1}", this.name, ex.getMessage());
		}
	}

	private void dispatchUntilLost(Cpg handle) {
		PollFd poll = new PollFd(CorosyncLibraries.libc(), handle.fdGet());
		while (!this.closed && !this.lost) {
			short revents = poll.await(POLL_MILLIS);
			if (this.closed) {
				return;
			}
			if (revents != 0) {
				handle.dispatch(Cpg.DispatchFlag.ALL);
				if (PollFd.broken(revents)) {
					throw new SamException(CsError.LIBRARY, "corosync closed the connection");
				}
			}
		}
		if (this.lost && !this.closed) {
			throw this.lostCause;
		}
	}

	private void lose(Cpg handle, SamException cause) {
		if (!this.lost) {
			this.lostAt = System.nanoTime();
			this.lost = true;
		}
		this.lostCause = cause;
		logger.log(Level.WARNING, "Lost CPG group ''{0}'' ({1}): joining it again", this.name, cause.getMessage());
		handle.close();
		try {
			this.listener.lost(cause);
		}
		catch (RuntimeException ex) {
			logger.log(Level.WARNING, "The CPG listener failed on a loss of group '" + this.name + "'", ex);
		}
	}

	/**
	 * Initialize and join until it works or the group is closed, waiting longer after
	 * each failure.
	 * @return the new handle, or {@code null} when closed
	 */
	private Cpg rejoin() {
		for (int attempt = 0; !this.closed; attempt++) {
			long wait = this.options.rejoinBackoff()
				.delayNanos(attempt, () -> ThreadLocalRandom.current().nextDouble());
			try {
				if (this.stoppedWhileWaiting(wait)) {
					return null;
				}
				Cpg handle = connect();
				if (this.closed) {
					// closed meanwhile: leave, so that the others see no crash
					try {
						handle.leave(this.name);
					}
					catch (SamException ex) {
						logger.log(Level.DEBUG, "cpg_leave ''{0}'' on close: {1}", this.name, ex.getMessage());
					}
					handle.close();
					return null;
				}
				this.cpg = handle;
				this.rejoins.incrementAndGet();
				long lostFor = System.nanoTime() - this.lostAt;
				this.lost = false;
				this.lostCause = null;
				logger.log(Level.INFO, "Joined CPG group ''{0}'' again after {1} ms", this.name,
						Long.toString(TimeUnit.NANOSECONDS.toMillis(lostFor)));
				return handle;
			}
			catch (SamException ex) {
				this.lostCause = ex;
				logger.log((attempt == 0) ? Level.WARNING : Level.DEBUG,
						"Cannot join CPG group ''{0}'' again yet ({1})", this.name, ex.getMessage());
			}
		}
		return null;
	}

	private boolean stoppedWhileWaiting(long nanos) {
		try {
			return sleepUnlessClosed(nanos);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return true;
		}
	}

	private boolean sleepUnlessClosed(long nanos) throws InterruptedException {
		long deadline = System.nanoTime() + nanos;
		while (!this.closed) {
			long left = deadline - System.nanoTime();
			if (left <= 0) {
				return false;
			}
			TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS)));
		}
		return true;
	}

	/**
	 * Multicast a message to the group in agreed order; every member delivers it, this
	 * one included. While corosync answers {@link CsError#TRY_AGAIN} the send is retried,
	 * with waits growing from 0.5 ms to 100 ms, for up to {@link Options#sendTimeout()}.
	 * @param message the message
	 * @throws SamException with {@link CsError#TOO_BIG} for a message over
	 * {@link Options#maxMessageBytes()}, {@link CsError#NOT_EXIST} while this member is
	 * not in the group (before it has joined again), {@link CsError#TRY_AGAIN} when
	 * corosync still refused at the timeout, {@link CsError#BAD_HANDLE} once closed,
	 * {@link CsError#LIBRARY} when corosync has just gone away and the loss is not
	 * noticed yet
	 */
	public void send(byte[] message) {
		if (message == null) {
			throw new SamException(CsError.INVALID_PARAM, "The CPG message is null");
		}
		if (message.length > this.options.maxMessageBytes()) {
			throw new SamException(CsError.TOO_BIG, "The CPG message is " + message.length + " bytes, more than the "
					+ this.options.maxMessageBytes() + " allowed");
		}
		long deadline = System.nanoTime() + this.options.sendTimeout().toNanos();
		long wait = SEND_RETRY_FIRST_NANOS;
		while (true) {
			requireMember();
			try {
				this.cpg.mcastJoined(Cpg.Guarantee.AGREED, message);
				this.sent.incrementAndGet();
				return;
			}
			catch (SamException ex) {
				if (ex.error() == CsError.BAD_HANDLE || ex.error() == CsError.LIBRARY) {
					requireMember();
				}
				if (ex.error() != CsError.TRY_AGAIN || System.nanoTime() + wait > deadline) {
					throw ex;
				}
			}
			try {
				TimeUnit.NANOSECONDS.sleep(wait);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new SamException(CsError.INTERRUPT, "Interrupted while corosync asked to send again");
			}
			wait = Math.min(wait * 2, SEND_RETRY_MAX_NANOS);
		}
	}

	/**
	 * Send a string as its UTF-8 bytes.
	 * @param message the message
	 * @see #send(byte[])
	 */
	public void send(String message) {
		if (message == null) {
			throw new SamException(CsError.INVALID_PARAM, "The CPG message is null");
		}
		send(message.getBytes(StandardCharsets.UTF_8));
	}

	private void requireMember() {
		if (this.closed) {
			throw new SamException(CsError.BAD_HANDLE, "CPG group '" + this.name + "' was closed");
		}
		if (this.lost) {
			throw new SamException(CsError.NOT_EXIST, "Not a member of CPG group '" + this.name + "' for "
					+ TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - this.lostAt) + " ms: joining it again");
		}
	}

	/**
	 * Return the group's name.
	 * @return the name
	 */
	public String name() {
		return this.name;
	}

	/**
	 * Return this member: the local node id and this process's pid.
	 * @return this member
	 */
	public CpgAddress self() {
		return this.self;
	}

	/**
	 * Return the members as of the last configuration change this member delivered. Right
	 * after {@link #join} they are those corosync listed then, which may not include this
	 * member yet: its own join arrives as the first {@link Listener#membershipChanged}.
	 * @return the members, with the last change; empty while the group is lost and once
	 * closed
	 */
	public CpgMembership membership() {
		return (this.lost || this.closed) ? new CpgMembership(this.name, List.of(), List.of(), List.of())
				: this.membership;
	}

	/**
	 * Return the members now.
	 * @return the members; empty while the group is lost and once closed
	 * @see #membership()
	 */
	public List<CpgAddress> members() {
		return membership().members();
	}

	/**
	 * Whether this process is a member now.
	 * @return {@code false} while the group is lost and once closed
	 */
	public boolean isJoined() {
		return !this.lost && !this.closed;
	}

	/**
	 * Return how long this member has been out of the group.
	 * @return empty while it is a member
	 */
	public Optional<Duration> lostFor() {
		if (!this.lost) {
			return Optional.empty();
		}
		return Optional.of(Duration.ofNanos(System.nanoTime() - this.lostAt));
	}

	/**
	 * Return why the group was lost, or why the last attempt to join again failed.
	 * @return empty while a member
	 */
	public Optional<SamException> lostCause() {
		return this.lost ? Optional.ofNullable(this.lostCause) : Optional.empty();
	}

	/**
	 * The health check of a member: healthy while in the group and while it has been out
	 * of it for less than the bound. With SAM an instance that fails it is restarted, and
	 * the next instance joins afresh.
	 * @param bound how long the group may be lost
	 * @return whether the member is healthy
	 */
	public boolean healthy(Duration bound) {
		Objects.requireNonNull(bound, "bound");
		if (this.closed) {
			return false;
		}
		return lostFor().map((lostFor) -> lostFor.compareTo(bound) < 0).orElse(true);
	}

	/**
	 * Return how many messages this member has sent.
	 * @return the count since the group was joined first
	 */
	public long messagesSent() {
		return this.sent.get();
	}

	/**
	 * Return how many messages this member has delivered, its own included.
	 * @return the count since the group was joined first
	 */
	public long messagesDelivered() {
		return this.delivered.get();
	}

	/**
	 * Return how many times the group was joined again after it was lost.
	 * @return the count
	 */
	public long rejoins() {
		return this.rejoins.get();
	}

	/**
	 * Leave the group ({@code cpg_leave}: the other members see this process leave with
	 * {@link CpgReason#LEAVE}, where a process that dies is seen with
	 * {@link CpgReason#PROCDOWN}), finalize the handle and stop the dispatch thread (this
	 * waits up to a second for it).
	 */
	@Override
	public void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		if (Thread.currentThread() == this.dispatcher) {
			return;
		}
		try {
			if (!this.stopped.await(1, TimeUnit.SECONDS)) {
				logger.log(Level.WARNING, "The dispatch thread of CPG group ''{0}'' did not stop within 1 s",
						this.name);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public String toString() {
		return "CpgGroup[" + this.name + ", " + (this.closed ? "closed" : this.lost ? "lost" : "joined as " + this.self)
				+ "]";
	}

	/** The callbacks of the handle of the moment, on the dispatch thread. */
	private final class Callbacks implements CpgCallbacks {

		@Override
		public void deliver(String group, int nodeId, int pid, byte[] message) {
			// what is left of a dispatch once the group is closed is not passed on
			if (CpgGroup.this.closed || !group.equals(CpgGroup.this.name)) {
				return;
			}
			CpgGroup.this.delivered.incrementAndGet();
			try {
				CpgGroup.this.listener.delivered(new CpgMessage(group, nodeId, pid, message));
			}
			catch (RuntimeException | AssertionError ex) {
				logger.log(Level.WARNING, "The CPG listener failed on a message to group '" + group + "'", ex);
			}
		}

		@Override
		public void confchg(String group, List<CpgAddress> members, List<CpgAddress> left, List<CpgAddress> joined) {
			if (CpgGroup.this.closed || !group.equals(CpgGroup.this.name)) {
				return;
			}
			CpgAddress me = CpgGroup.this.self;
			if (me != null && left.stream().anyMatch((address) -> address.is(me.nodeId(), me.pid()))) {
				CpgGroup.this.lostAt = System.nanoTime();
				CpgGroup.this.lostCause = new SamException(CsError.NOT_EXIST,
						"corosync reports this member " + me + " as gone from the group");
				CpgGroup.this.lost = true;
				return;
			}
			CpgMembership change = new CpgMembership(group, members, left, joined);
			CpgGroup.this.membership = change;
			logger.log(Level.DEBUG, "CPG group ''{0}'': members {1}, left {2}, joined {3}", group, members, left,
					joined);
			try {
				CpgGroup.this.listener.membershipChanged(change);
			}
			catch (RuntimeException | AssertionError ex) {
				logger.log(Level.WARNING, "The CPG listener failed on a change of group '" + group + "'", ex);
			}
		}

	}

}
