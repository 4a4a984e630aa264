package dev.samboot.corosync;

import java.lang.System.Logger.Level;
import java.util.function.Consumer;

import dev.samboot.sam.CsError;
import dev.samboot.sam.QuorumSource;
import dev.samboot.sam.SamException;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.byref.LongLongByReference;

/**
 * corosync's votequorum as the quorum source, as libsam uses it:
 * {@code quorum_initialize}, {@code quorum_trackstart(CS_TRACK_CHANGES)}, then a thread
 * that polls the service's file descriptor and dispatches when corosync reports a change,
 * so a change is seen as soon as corosync sends it. If corosync goes away the cluster
 * counts as not quorate, as in libsam.
 */
public final class CorosyncQuorum implements QuorumSource {

	private static final System.Logger logger = System.getLogger(CorosyncQuorum.class.getName());

	private static final int POLL_TIMEOUT_MILLIS = 200;

	private final CorosyncLibraries.Quorum library;

	private final CorosyncLibraries.LibC libc;

	private long handle;

	private int fd;

	private volatile boolean quorate;

	/**
	 * The state the last notification carried, read after each dispatch on the tracking
	 * thread.
	 */
	private boolean notified;

	private volatile boolean closed;

	private Thread tracker;

	/**
	 * Held for as long as libquorum may call it: jnr-ffi frees a closure once it is
	 * unreachable.
	 */
	private CorosyncLibraries.QuorumNotification notification;

	/**
	 * Load libquorum.
	 * @throws SamException with {@link CsError#LIBRARY} when corosync's client library is
	 * not installed
	 */
	public CorosyncQuorum() {
		this.library = CorosyncLibraries.quorum();
		this.libc = CorosyncLibraries.libc();
	}

	/**
	 * Connect to corosync's quorum service and track it.
	 * @throws SamException with {@link CsError#LIBRARY} when corosync is not running
	 */
	@Override
	public synchronized void start(Consumer<Boolean> listener) {
		if (this.tracker != null || this.closed) {
			throw new SamException(CsError.BAD_HANDLE, "The corosync quorum source was already started");
		}
		LongLongByReference handleRef = new LongLongByReference();
		Runtime runtime = Runtime.getRuntime(this.library);
		// quorum_callbacks_t is one function pointer; libquorum copies it during
		// quorum_initialize
		Pointer callbacks = Memory.allocateDirect(runtime, runtime.addressSize(), true);
		this.notification = (handle, quorate, ringSeq, entries, viewList) -> this.notified = quorate != 0;
		callbacks.putPointer(0, runtime.getClosureManager()
			.getClosurePointer(CorosyncLibraries.QuorumNotification.class, this.notification));
		CorosyncLibraries.check(this.library.quorum_initialize(handleRef, callbacks, new IntByReference()),
				"Cannot connect to corosync's quorum service (quorum_initialize; is corosync running?)");
		this.handle = handleRef.longValue();
		try {
			CorosyncLibraries.check(this.library.quorum_trackstart(this.handle, CorosyncLibraries.CS_TRACK_CHANGES),
					"quorum_trackstart");
			IntByReference fdRef = new IntByReference();
			CorosyncLibraries.check(this.library.quorum_fd_get(this.handle, fdRef), "quorum_fd_get");
			this.fd = fdRef.intValue();
			IntByReference quorateRef = new IntByReference();
			CorosyncLibraries.check(this.library.quorum_getquorate(this.handle, quorateRef), "quorum_getquorate");
			this.quorate = quorateRef.intValue() != 0;
			this.notified = this.quorate;
		}
		catch (SamException ex) {
			this.library.quorum_finalize(this.handle);
			this.handle = 0;
			throw ex;
		}
		// quorum_dispatch needs a large stack, as cpg_dispatch does
		this.tracker = DispatchStack.newThread("sam-quorum", () -> track(listener));
		this.tracker.start();
	}

	/**
	 * Runs on the tracking thread, which owns the handle from now on and finalizes it at
	 * the end.
	 */
	private void track(Consumer<Boolean> listener) {
		PollFd poll = new PollFd(this.libc, this.fd);
		try {
			while (!this.closed) {
				short revents = poll.await(POLL_TIMEOUT_MILLIS);
				if (revents == 0 || this.closed) {
					continue;
				}
				int error;
				synchronized (this) {
					error = this.library.quorum_dispatch(this.handle, CorosyncLibraries.CS_DISPATCH_ALL);
				}
				if (error != CorosyncLibraries.CS_OK || PollFd.broken(revents)) {
					logger.log(Level.ERROR, "Lost the connection to corosync's quorum service (quorum_dispatch: "
							+ CorosyncLibraries.errorName(error) + "): the cluster counts as not quorate");
					changed(false, listener);
					return;
				}
				changed(this.notified, listener);
			}
		}
		finally {
			synchronized (this) {
				this.library.quorum_finalize(this.handle);
				this.handle = 0;
			}
		}
	}

	private void changed(boolean now, Consumer<Boolean> listener) {
		if (now != this.quorate) {
			this.quorate = now;
			logger.log(Level.INFO, now ? "The corosync cluster is quorate" : "The corosync cluster lost quorum");
			listener.accept(now);
		}
	}

	/**
	 * Ask corosync ({@code quorum_getquorate}): the answer may be ahead of the last
	 * notification. Once the connection is lost or closed, not quorate.
	 */
	@Override
	public synchronized boolean isQuorate() {
		if (this.handle == 0) {
			return false;
		}
		IntByReference quorateRef = new IntByReference();
		int error = this.library.quorum_getquorate(this.handle, quorateRef);
		if (error != CorosyncLibraries.CS_OK) {
			logger.log(Level.WARNING, "quorum_getquorate failed (" + CorosyncLibraries.errorName(error)
					+ "): the cluster counts as not quorate");
			return false;
		}
		return quorateRef.intValue() != 0;
	}

	@Override
	public void close() {
		Thread thread;
		synchronized (this) {
			this.closed = true;
			thread = this.tracker;
			if (thread == null && this.handle != 0) {
				this.library.quorum_finalize(this.handle);
				this.handle = 0;
			}
		}
		if (thread != null && thread != Thread.currentThread()) {
			try {
				thread.join(10L * POLL_TIMEOUT_MILLIS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

}
