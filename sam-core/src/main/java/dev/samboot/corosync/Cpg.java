package dev.samboot.corosync;

import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

import dev.samboot.sam.CsError;
import dev.samboot.sam.SamException;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.byref.LongLongByReference;
import jnr.ffi.byref.PointerByReference;

/**
 * A handle on corosync's closed process group service ({@code libcpg}), call for call as
 * {@code corosync/cpg.h} has it, the zero-copy calls aside: join a group, multicast to
 * its members in an order every member agrees on, and hear of members joining and
 * leaving. Every failure is a {@link SamException} carrying corosync's error, such as
 * {@link CsError#EXIST} for a second join, {@link CsError#NAME_TOO_LONG} for a name over
 * {@value #MAX_NAME_BYTES} bytes, {@link CsError#TRY_AGAIN} when corosync asks for the
 * call to be repeated, and {@link CsError#LIBRARY} when corosync is not running.
 * <p>
 * Group names cross as their UTF-8 bytes and a terminating NUL, as pacemaker sends them
 * and corosync's {@code testcpg} its default {@code GROUP} (a name given on testcpg's
 * command line goes without the NUL, and is another group), so that a Java member and a C
 * member of the same group meet; delivered names drop that NUL. Requests on one handle
 * are serialised. Callbacks run on the thread that calls {@link #dispatch(DispatchFlag)},
 * which must be a platform thread with a large stack (see
 * {@link #dispatch(DispatchFlag)}).
 * <p>
 * corosync lets a process be a member of a group once, and a handle that has left a group
 * can never join again: to rejoin, {@linkplain #close() finalize} the handle and
 * initialize a new one. {@link CpgGroup} does that, and the dispatching, for
 * applications.
 */
public final class Cpg implements AutoCloseable {

	/**
	 * The longest group name, in UTF-8 bytes ({@code CPG_MAX_NAME_LENGTH} less the NUL).
	 */
	public static final int MAX_NAME_BYTES = 127;

	/** {@code CPG_MEMBERS_MAX}. */
	public static final int MEMBERS_MAX = 128;

	/**
	 * {@code cpg_membership_get} copies what corosync sends (up to 384 entries,
	 * corosync's {@code PROCESSOR_COUNT_MAX}) without a bound check: the list is
	 * allocated for that.
	 */
	static final int MEMBERSHIP_ENTRIES = 384;

	private static final int CPG_MODEL_V1 = 1;

	private static final int CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF = 0x01;

	/** {@code struct cpg_name}: a 32-bit length and 128 bytes. */
	private static final int NAME_BYTES = 4 + 128;

	/** {@code struct cpg_address}: three 32-bit numbers. */
	private static final int ADDRESS_BYTES = 12;

	/** {@code struct cpg_iteration_description_t}. */
	private static final int DESCRIPTION_BYTES = NAME_BYTES + 8;

	/** {@code struct iovec}. */
	private static final int IOVEC_BYTES = 16;

	/**
	 * How long {@link DispatchFlag#BLOCKING} and {@link DispatchFlag#ONE} wait at once.
	 */
	private static final int POLL_MILLIS = 100;

	/** {@code cs_dispatch_flags_t}. */
	public enum DispatchFlag {

		/** {@code CS_DISPATCH_ONE}: wait for one callback and run it. */
		ONE(1),

		/** {@code CS_DISPATCH_ALL}: run the callbacks pending now, without waiting. */
		ALL(2),

		/**
		 * {@code CS_DISPATCH_BLOCKING}: run callbacks as they come until the handle is
		 * closed (then return) or the connection fails (then throw).
		 */
		BLOCKING(3),

		/**
		 * {@code CS_DISPATCH_ONE_NONBLOCKING}: run one pending callback, if there is one.
		 */
		ONE_NONBLOCKING(4);

		private final int code;

		DispatchFlag(int code) {
			this.code = code;
		}

		/**
		 * Return corosync's number for the flag.
		 * @return such as 2 for {@code CS_DISPATCH_ALL}
		 */
		public int code() {
			return this.code;
		}

	}

	/**
	 * {@code cpg_guarantee_t}. corosync 3 delivers every message in agreed order: the
	 * four are accepted and behave alike.
	 */
	public enum Guarantee {

		/** {@code CPG_TYPE_UNORDERED} (not implemented by corosync: agreed). */
		UNORDERED,

		/** {@code CPG_TYPE_FIFO} (the same as agreed). */
		FIFO,

		/** {@code CPG_TYPE_AGREED}: every member delivers messages in the same order. */
		AGREED,

		/** {@code CPG_TYPE_SAFE} (not implemented by corosync: agreed). */
		SAFE

	}

	/** {@code cpg_iteration_type_t}. */
	public enum IterationType {

		/** {@code CPG_ITERATION_NAME_ONLY}: each group once, by name. */
		NAME_ONLY(1),

		/** {@code CPG_ITERATION_ONE_GROUP}: the members of one group. */
		ONE_GROUP(2),

		/** {@code CPG_ITERATION_ALL}: the members of every group. */
		ALL(3);

		private final int code;

		IterationType(int code) {
			this.code = code;
		}

		/**
		 * Return corosync's number for the type.
		 * @return such as 3 for {@code CPG_ITERATION_ALL}
		 */
		public int code() {
			return this.code;
		}

	}

	private final CorosyncLibraries.Cpg library;

	private final Runtime runtime;

	private final CpgCallbacks callbacks;

	/** Serialises requests, and the finalize. */
	private final Object requests = new Object();

	/** Held while the library dispatches, never while waiting for something to come. */
	private final ReentrantLock dispatching = new ReentrantLock();

	private final long handle;

	private volatile boolean closed;

	private volatile Object context;

	/** The group this handle joined, guarded by {@link #requests}. */
	private String joined;

	/** Whether this handle has left its group, guarded by {@link #requests}. */
	private boolean left;

	/** Where a message is copied to be sent; grows, guarded by {@link #requests}. */
	private Pointer sendBuffer;

	private long sendBufferBytes;

	/** The first exception a callback threw during the running dispatch. */
	private RuntimeException callbackFailure;

	/** Held for as long as libcpg may call them: jnr-ffi frees an unreachable closure. */
	private final Object[] closures;

	private Cpg(CorosyncLibraries.Cpg library, CpgCallbacks callbacks, boolean model, boolean initialTotemConf) {
		this.library = library;
		this.runtime = Runtime.getRuntime(library);
		this.callbacks = callbacks;
		CorosyncLibraries.CpgDeliver deliver = this::deliver;
		CorosyncLibraries.CpgConfchg confchg = this::confchg;
		CorosyncLibraries.CpgTotemConfchg totem = this::totemConfchg;
		Pointer deliverFn = closure(CorosyncLibraries.CpgDeliver.class, deliver);
		Pointer confchgFn = closure(CorosyncLibraries.CpgConfchg.class, confchg);
		LongLongByReference handleRef = new LongLongByReference();
		int error;
		if (model) {
			Pointer totemFn = closure(CorosyncLibraries.CpgTotemConfchg.class, totem);
			this.closures = new Object[] { deliver, confchg, totem, deliverFn, confchgFn, totemFn };
			// cpg_model_v1_data_t, which libcpg copies
			Pointer data = Memory.allocateDirect(this.runtime, 40, true);
			data.putInt(0, CPG_MODEL_V1);
			data.putPointer(8, deliverFn);
			data.putPointer(16, confchgFn);
			data.putPointer(24, totemFn);
			data.putInt(32, initialTotemConf ? CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF : 0);
			error = library.cpg_model_initialize(handleRef, CPG_MODEL_V1, data, null);
			Reference.reachabilityFence(data);
		}
		else {
			this.closures = new Object[] { deliver, confchg, deliverFn, confchgFn };
			// cpg_callbacks_t, which libcpg copies
			Pointer data = Memory.allocateDirect(this.runtime, 16, true);
			data.putPointer(0, deliverFn);
			data.putPointer(8, confchgFn);
			error = library.cpg_initialize(handleRef, data);
			Reference.reachabilityFence(data);
		}
		CorosyncLibraries.check(error, "Cannot connect to corosync's cpg service ("
				+ (model ? "cpg_model_initialize" : "cpg_initialize") + "; is corosync running?)");
		this.handle = handleRef.longValue();
	}

	private <T> Pointer closure(Class<T> type, T instance) {
		return this.runtime.getClosureManager().getClosurePointer(type, instance);
	}

	/**
	 * {@code cpg_model_initialize(&handle, CPG_MODEL_V1, &model_data, NULL)}: connect
	 * with the three callbacks, the totem one included.
	 * @param callbacks the callbacks
	 * @param deliverInitialTotemConf whether the totem callback is also called once for
	 * the configuration of the moment ({@code CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF});
	 * corosync sends it with the first configuration change after a {@link #join}, not
	 * before
	 * @return the handle
	 * @throws SamException with {@link CsError#LIBRARY} when corosync is not installed or
	 * not running
	 */
	public static Cpg modelInitialize(CpgCallbacks callbacks, boolean deliverInitialTotemConf) {
		return new Cpg(CorosyncLibraries.cpg(), requireCallbacks(callbacks), true, deliverInitialTotemConf);
	}

	/**
	 * {@code cpg_initialize(&handle, &callbacks)}: connect with the deliver and confchg
	 * callbacks; {@link CpgCallbacks#totemConfchg} is never called.
	 * @param callbacks the callbacks
	 * @return the handle
	 * @throws SamException with {@link CsError#LIBRARY} when corosync is not installed or
	 * not running
	 */
	public static Cpg initialize(CpgCallbacks callbacks) {
		return new Cpg(CorosyncLibraries.cpg(), requireCallbacks(callbacks), false, false);
	}

	private static CpgCallbacks requireCallbacks(CpgCallbacks callbacks) {
		if (callbacks == null) {
			throw new SamException(CsError.INVALID_PARAM, "The CPG callbacks are null");
		}
		return callbacks;
	}

	/**
	 * {@code cpg_fd_get}: the descriptor that becomes readable when a callback is
	 * pending.
	 * @return the file descriptor
	 */
	public int fdGet() {
		synchronized (this.requests) {
			requireOpen();
			IntByReference fd = new IntByReference();
			CorosyncLibraries.check(this.library.cpg_fd_get(this.handle, fd), "cpg_fd_get");
			return fd.intValue();
		}
	}

	/**
	 * {@code cpg_dispatch}: run pending callbacks on this thread.
	 * {@link DispatchFlag#ONE} and {@link DispatchFlag#BLOCKING} wait on {@link #fdGet()}
	 * with {@code poll}, never inside the library, so that {@link #close()} from another
	 * thread always ends them.
	 * <p>
	 * corosync's dispatch keeps a 1 MiB buffer on the stack: the calling thread must be a
	 * platform thread with at least 1.5 MiB of stack (Java's default is 1 MiB; on such a
	 * thread the JVM would crash, so the call is refused with
	 * {@link CsError#NO_RESOURCES}).
	 * @param flag how many callbacks to run, and whether to wait for them
	 * @throws SamException with corosync's error, {@link CsError#LIBRARY} when the
	 * connection to corosync is lost
	 * @throws RuntimeException what a callback threw, once the dispatch is over
	 */
	public void dispatch(DispatchFlag flag) {
		if (flag == null) {
			throw new SamException(CsError.INVALID_PARAM, "The dispatch flag is null");
		}
		requireOpen();
		DispatchStack.require("cpg_dispatch");
		switch (flag) {
			case ALL, ONE_NONBLOCKING -> dispatchNow(flag);
			case ONE -> {
				PollFd poll = new PollFd(CorosyncLibraries.libc(), fdGet());
				while (awaitReadable(poll, true)) {
					try {
						dispatchNow(DispatchFlag.ONE_NONBLOCKING);
						return;
					}
					catch (SamException ex) {
						// readable, but no whole event yet: wait again, as
						// CS_DISPATCH_ONE does
						if (ex.error() != CsError.TRY_AGAIN) {
							throw ex;
						}
					}
				}
			}
			case BLOCKING -> {
				// the descriptor once: a callback may close the handle
				PollFd poll = new PollFd(CorosyncLibraries.libc(), fdGet());
				while (awaitReadable(poll, false)) {
					dispatchNow(DispatchFlag.ALL);
				}
			}
		}
	}

	/**
	 * Wait until a callback is pending or the handle is closed.
	 * @return {@code true} when something can be dispatched, {@code false} once closed
	 */
	private boolean awaitReadable(PollFd poll, boolean once) {
		while (!this.closed) {
			short revents = poll.await(POLL_MILLIS);
			if (this.closed) {
				return false;
			}
			if (PollFd.broken(revents)) {
				dispatchNow(DispatchFlag.ALL);
				throw new SamException(CsError.LIBRARY, "cpg_dispatch: corosync closed the connection");
			}
			if (revents != 0) {
				return true;
			}
		}
		if (once) {
			throw closedError();
		}
		return false;
	}

	private void dispatchNow(DispatchFlag flag) {
		int error;
		RuntimeException failure;
		this.dispatching.lock();
		try {
			if (this.closed) {
				throw closedError();
			}
			error = this.library.cpg_dispatch(this.handle, flag.code());
			failure = this.callbackFailure;
			this.callbackFailure = null;
		}
		finally {
			this.dispatching.unlock();
		}
		if (failure != null) {
			throw failure;
		}
		if (this.closed) {
			// closed from a callback, as C allows: the dispatch ends there
			return;
		}
		CorosyncLibraries.check(error, "cpg_dispatch");
	}

	/**
	 * {@code cpg_join}: become a member of the group.
	 * @param group the group's name, at most {@value #MAX_NAME_BYTES} bytes of UTF-8
	 * @throws SamException with {@link CsError#EXIST} when this process is a member
	 * already or this handle has left a group, {@link CsError#NAME_TOO_LONG} or
	 * {@link CsError#INVALID_PARAM} for a bad name, {@link CsError#TRY_AGAIN} while
	 * corosync still finishes an earlier leave of this process from the group
	 */
	public void join(String group) {
		Pointer name = name(group);
		synchronized (this.requests) {
			requireOpen();
			if (this.left) {
				// corosync answers EXIST for the same group and BUSY for another, which
				// libcpg retries for ever
				throw new SamException(CsError.EXIST, "cpg_join '" + group + "': this handle left '" + this.joined
						+ "', and corosync never lets it join again: close it and initialize another");
			}
			int error = this.library.cpg_join(this.handle, name);
			Reference.reachabilityFence(name);
			CorosyncLibraries.check(error, "cpg_join '" + group + "'");
			this.joined = group;
		}
	}

	/**
	 * {@code cpg_leave}: leave the group. corosync does not let this handle join any
	 * group again.
	 * @param group the group's name
	 * @throws SamException with {@link CsError#NOT_EXIST} when this handle is not a
	 * member of that group
	 */
	public void leave(String group) {
		Pointer name = name(group);
		synchronized (this.requests) {
			requireOpen();
			// corosync does not compare the name: it would answer OK and
			// keep this handle in its group for as long as it runs
			if (this.joined != null && !this.joined.equals(group)) {
				throw new SamException(CsError.NOT_EXIST,
						"cpg_leave '" + group + "': this handle joined '" + this.joined + "'");
			}
			int error = this.library.cpg_leave(this.handle, name);
			Reference.reachabilityFence(name);
			CorosyncLibraries.check(error, "cpg_leave '" + group + "'");
			this.left = true;
		}
	}

	/**
	 * {@code cpg_mcast_joined}: multicast one message, the concatenation of the parts, to
	 * the groups this handle joined. Messages longer than {@link #maxAtomicMsgsizeGet()}
	 * are fragmented and reassembled by corosync.
	 * @param guarantee the ordering asked for
	 * @param iov the parts of the message
	 * @throws SamException with {@link CsError#TRY_AGAIN} when corosync's queue is full
	 * (the call is not retried here), {@link CsError#NOT_EXIST} when not joined
	 */
	public void mcastJoined(Guarantee guarantee, byte[]... iov) {
		if (guarantee == null || iov == null) {
			throw new SamException(CsError.INVALID_PARAM, "cpg_mcast_joined: the guarantee and the parts are required");
		}
		long total = 0;
		for (byte[] part : iov) {
			if (part == null) {
				throw new SamException(CsError.INVALID_PARAM, "cpg_mcast_joined: a part of the message is null");
			}
			total += part.length;
		}
		synchronized (this.requests) {
			requireOpen();
			// the parts side by side behind one iovec: libcpg copies the iovecs into an
			// array of 64 on its stack without a bound check
			Pointer buffer = sendBuffer(IOVEC_BYTES + total);
			long offset = IOVEC_BYTES;
			for (byte[] part : iov) {
				buffer.put(offset, part, 0, part.length);
				offset += part.length;
			}
			buffer.putAddress(0, buffer.address() + IOVEC_BYTES);
			buffer.putLong(8, total);
			int error = this.library.cpg_mcast_joined(this.handle, guarantee.ordinal(), buffer, 1);
			Reference.reachabilityFence(buffer);
			CorosyncLibraries.check(error, "cpg_mcast_joined");
		}
	}

	private Pointer sendBuffer(long bytes) {
		if (this.sendBuffer == null || this.sendBufferBytes < bytes) {
			long size = Math.max(bytes, 4096);
			this.sendBuffer = Memory.allocateDirect(this.runtime, Math.toIntExact(size), false);
			this.sendBufferBytes = size;
		}
		return this.sendBuffer;
	}

	/**
	 * {@code cpg_membership_get}: the members of a group as corosync knows them now.
	 * @param group the group's name
	 * @return its members, with {@link CpgReason#UNDEFINED}
	 */
	public List<CpgAddress> membershipGet(String group) {
		Pointer name = name(group);
		Pointer members = Memory.allocateDirect(this.runtime, MEMBERSHIP_ENTRIES * ADDRESS_BYTES, true);
		IntByReference count = new IntByReference(MEMBERSHIP_ENTRIES);
		synchronized (this.requests) {
			requireOpen();
			int error = this.library.cpg_membership_get(this.handle, name, members, count);
			Reference.reachabilityFence(name);
			CorosyncLibraries.check(error, "cpg_membership_get '" + group + "'");
		}
		return addresses(members, Math.min(count.intValue(), MEMBERSHIP_ENTRIES));
	}

	/**
	 * {@code cpg_local_get}: this node's id.
	 * @return the node id (an unsigned 32-bit number, as an {@code int})
	 */
	public int localGet() {
		synchronized (this.requests) {
			requireOpen();
			IntByReference nodeId = new IntByReference();
			CorosyncLibraries.check(this.library.cpg_local_get(this.handle, nodeId), "cpg_local_get");
			return nodeId.intValue();
		}
	}

	/**
	 * {@code cpg_max_atomic_msgsize_get}: the longest message corosync sends
	 * unfragmented.
	 * @return the size in bytes
	 */
	public int maxAtomicMsgsizeGet() {
		synchronized (this.requests) {
			requireOpen();
			IntByReference size = new IntByReference();
			CorosyncLibraries.check(this.library.cpg_max_atomic_msgsize_get(this.handle, size),
					"cpg_max_atomic_msgsize_get");
			return size.intValue();
		}
	}

	/**
	 * {@code cpg_flow_control_state_get}.
	 * @return {@code true} when corosync asks for no new messages
	 * ({@code CPG_FLOW_CONTROL_ENABLED})
	 */
	public boolean flowControlEnabled() {
		synchronized (this.requests) {
			requireOpen();
			IntByReference state = new IntByReference();
			CorosyncLibraries.check(this.library.cpg_flow_control_state_get(this.handle, state),
					"cpg_flow_control_state_get");
			return state.intValue() != 0;
		}
	}

	/**
	 * {@code cpg_context_get}: the object last given to {@link #contextSet(Object)}.
	 * @return the context, or {@code null}
	 */
	public Object contextGet() {
		synchronized (this.requests) {
			requireOpen();
			CorosyncLibraries.check(this.library.cpg_context_get(this.handle, new PointerByReference()),
					"cpg_context_get");
			return this.context;
		}
	}

	/**
	 * {@code cpg_context_set}: keep an object with the handle, for the callbacks.
	 * @param context the object, or {@code null}
	 */
	public void contextSet(Object context) {
		synchronized (this.requests) {
			requireOpen();
			CorosyncLibraries.check(this.library.cpg_context_set(this.handle, null), "cpg_context_set");
			this.context = context;
		}
	}

	/**
	 * {@code cpg_iteration_initialize}, {@code cpg_iteration_next} until there is no
	 * more, {@code cpg_iteration_finalize}: the groups of the cluster, or the members of
	 * one or of all.
	 * @param type what to list
	 * @param groupOrNull the group, for {@link IterationType#ONE_GROUP} only
	 * @return what corosync listed
	 */
	public List<CpgIterationDescription> iterate(IterationType type, String groupOrNull) {
		if (type == null) {
			throw new SamException(CsError.INVALID_PARAM, "cpg_iteration_initialize: the iteration type is null");
		}
		if ((type == IterationType.ONE_GROUP) != (groupOrNull != null)) {
			throw new SamException(CsError.INVALID_PARAM,
					"cpg_iteration_initialize: a group is given " + "for CPG_ITERATION_ONE_GROUP, and only for it");
		}
		Pointer name = (groupOrNull != null) ? name(groupOrNull) : null;
		Pointer description = Memory.allocateDirect(this.runtime, DESCRIPTION_BYTES, true);
		List<CpgIterationDescription> descriptions = new ArrayList<>();
		synchronized (this.requests) {
			requireOpen();
			LongLongByReference iteration = new LongLongByReference();
			int initialized = this.library.cpg_iteration_initialize(this.handle, type.code(), name, iteration);
			Reference.reachabilityFence(name);
			try {
				// an iteration is registered before corosync's answer is known
				CorosyncLibraries.check(initialized, "cpg_iteration_initialize");
				while (true) {
					int error = this.library.cpg_iteration_next(iteration.longValue(), description);
					if (error == CsError.NO_SECTION.code()) {
						break;
					}
					CorosyncLibraries.check(error, "cpg_iteration_next");
					descriptions.add(new CpgIterationDescription(readName(description), description.getInt(NAME_BYTES),
							description.getInt(NAME_BYTES + 4)));
				}
			}
			finally {
				if (iteration.longValue() != 0) {
					this.library.cpg_iteration_finalize(iteration.longValue());
				}
			}
		}
		return descriptions;
	}

	/**
	 * {@code cpg_finalize}: disconnect; this process leaves every group it joined through
	 * this handle. Waits for a callback running on another thread to return; from a
	 * callback, the dispatch ends after it. Closing twice does nothing.
	 */
	@Override
	public void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		this.dispatching.lock();
		try {
			synchronized (this.requests) {
				int error = this.library.cpg_finalize(this.handle);
				if (error != CorosyncLibraries.CS_OK && error != CsError.LIBRARY.code()) {
					System.getLogger(Cpg.class.getName())
						.log(System.Logger.Level.DEBUG, "cpg_finalize: " + CorosyncLibraries.errorName(error));
				}
			}
		}
		finally {
			this.dispatching.unlock();
		}
	}

	/**
	 * Whether {@link #close()} was called.
	 * @return {@code true} once closed
	 */
	public boolean isClosed() {
		return this.closed;
	}

	private void requireOpen() {
		if (this.closed) {
			throw closedError();
		}
	}

	private static SamException closedError() {
		return new SamException(CsError.BAD_HANDLE, "The CPG handle was finalized");
	}

	/**
	 * Encode a group name as {@code struct cpg_name}: UTF-8, then a NUL, counted in the
	 * length.
	 * @param group the name
	 * @return the struct
	 */
	private Pointer name(String group) {
		byte[] bytes = encodeName(group);
		Pointer name = Memory.allocateDirect(this.runtime, NAME_BYTES, true);
		name.putInt(0, bytes.length + 1);
		name.put(4, bytes, 0, bytes.length);
		return name;
	}

	/**
	 * Check a group name and return its UTF-8 bytes, without the NUL.
	 * @param group the name
	 * @return its bytes
	 * @throws SamException with {@link CsError#INVALID_PARAM} for a null or empty name or
	 * one with a NUL in it, {@link CsError#NAME_TOO_LONG} for more than
	 * {@value #MAX_NAME_BYTES} bytes
	 */
	public static byte[] encodeName(String group) {
		if (group == null || group.isEmpty()) {
			throw new SamException(CsError.INVALID_PARAM, "A CPG group name is required");
		}
		if (group.indexOf('\0') >= 0) {
			throw new SamException(CsError.INVALID_PARAM, "A CPG group name cannot hold a NUL character");
		}
		byte[] bytes = group.getBytes(StandardCharsets.UTF_8);
		if (bytes.length > MAX_NAME_BYTES) {
			throw new SamException(CsError.NAME_TOO_LONG, "The CPG group name is " + bytes.length
					+ " bytes of UTF-8, more than the " + MAX_NAME_BYTES + " corosync allows: " + group);
		}
		return bytes;
	}

	private static String readName(Pointer name) {
		int length = Math.min(Math.max(name.getInt(0), 0), NAME_BYTES - 4);
		byte[] bytes = new byte[length];
		name.get(4, bytes, 0, length);
		if (length > 0 && bytes[length - 1] == 0) {
			length--;
		}
		return new String(bytes, 0, length, StandardCharsets.UTF_8);
	}

	private static List<CpgAddress> addresses(Pointer list, long count) {
		if (list == null || count <= 0) {
			return List.of();
		}
		List<CpgAddress> addresses = new ArrayList<>((int) count);
		for (int i = 0; i < count; i++) {
			long at = (long) i * ADDRESS_BYTES;
			addresses
				.add(new CpgAddress(list.getInt(at), list.getInt(at + 4), CpgReason.fromCode(list.getInt(at + 8))));
		}
		return List.copyOf(addresses);
	}

	private void deliver(long handle, Pointer groupName, int nodeId, int pid, Pointer message, long length) {
		if (this.closed) {
			return;
		}
		try {
			byte[] bytes = new byte[Math.toIntExact(length)];
			if (length > 0) {
				message.get(0, bytes, 0, bytes.length);
			}
			this.callbacks.deliver(readName(groupName), nodeId, pid, bytes);
		}
		catch (RuntimeException | Error ex) {
			failed(ex);
		}
	}

	private void confchg(long handle, Pointer groupName, Pointer members, long memberCount, Pointer left,
			long leftCount, Pointer joined, long joinedCount) {
		if (this.closed) {
			return;
		}
		try {
			this.callbacks.confchg(readName(groupName), addresses(members, memberCount), addresses(left, leftCount),
					addresses(joined, joinedCount));
		}
		catch (RuntimeException | Error ex) {
			failed(ex);
		}
	}

	private void totemConfchg(long handle, long ringIdNodeWord, long ringIdSeq, int memberCount, Pointer members) {
		if (this.closed) {
			return;
		}
		try {
			int[] nodes = new int[Math.max(memberCount, 0)];
			if (memberCount > 0) {
				members.get(0, nodes, 0, memberCount);
			}
			this.callbacks.totemConfchg(new CpgRingId((int) ringIdNodeWord, ringIdSeq), nodes);
		}
		catch (RuntimeException | Error ex) {
			failed(ex);
		}
	}

	private void failed(Throwable ex) {
		RuntimeException failure = (ex instanceof RuntimeException runtime) ? runtime
				: new IllegalStateException("A CPG callback failed", ex);
		if (this.callbackFailure == null) {
			this.callbackFailure = failure;
		}
		else if (this.callbackFailure != failure) {
			this.callbackFailure.addSuppressed(failure);
		}
	}

	@Override
	public String toString() {
		return "Cpg[" + (this.closed ? "finalized" : "handle " + Long.toUnsignedString(this.handle)) + "]";
	}

}
