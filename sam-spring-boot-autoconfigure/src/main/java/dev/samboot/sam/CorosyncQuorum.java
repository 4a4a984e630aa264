package dev.samboot.sam;

import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.byref.LongLongByReference;

/**
 * corosync's votequorum as the quorum source, as libsam uses it: {@code quorum_initialize},
 * {@code quorum_trackstart(CS_TRACK_CHANGES)}, then a thread that polls the service's file
 * descriptor and dispatches when corosync reports a change, so a change is seen as soon as corosync
 * sends it. If corosync goes away the cluster counts as not quorate, as in libsam.
 */
public final class CorosyncQuorum implements QuorumSource {

	private static final System.Logger logger = System.getLogger(CorosyncQuorum.class.getName());

	private static final short POLLIN = 1;

	private static final int POLL_TIMEOUT_MILLIS = 200;

	private final CorosyncLibraries.Quorum library;

	private long handle;

	private int fd;

	private volatile boolean quorate;

	private volatile boolean closed;

	private Thread tracker;

	/** Held for as long as libquorum may call it. */
	private CorosyncLibraries.QuorumNotification notification;

	public CorosyncQuorum() {
		this.library = CorosyncLibraries.quorum();
	}

	@Override
	public synchronized void start(Consumer<Boolean> listener) {
		LongLongByReference handleRef = new LongLongByReference();
		Runtime runtime = Runtime.getRuntime(this.library);
		Pointer callbacks = Memory.allocateDirect(runtime, runtime.addressSize(), true);
		// libquorum calls this during dispatch and crashes on a null one; the state itself is read
		// with quorum_getquorate after each dispatch, which also covers changes coalesced into one
		this.notification = (handle, quorate, ringSeq, entries, viewList) -> {
		};
		callbacks.putPointer(0, runtime.getClosureManager()
			.getClosurePointer(CorosyncLibraries.QuorumNotification.class, this.notification));
		CorosyncLibraries.check(this.library.quorum_initialize(handleRef, callbacks, new IntByReference()),
				"quorum_initialize (is corosync running?)");
		this.handle = handleRef.longValue();
		CorosyncLibraries.check(this.library.quorum_trackstart(this.handle, CorosyncLibraries.CS_TRACK_CHANGES),
				"quorum_trackstart");
		IntByReference fdRef = new IntByReference();
		CorosyncLibraries.check(this.library.quorum_fd_get(this.handle, fdRef), "quorum_fd_get");
		this.fd = fdRef.intValue();
		this.quorate = readQuorate();
		this.tracker = new Thread(() -> track(listener), "sam-quorum");
		this.tracker.setDaemon(true);
		this.tracker.start();
	}

	private boolean readQuorate() {
		IntByReference quorateRef = new IntByReference();
		CorosyncLibraries.check(this.library.quorum_getquorate(this.handle, quorateRef), "quorum_getquorate");
		return quorateRef.intValue() != 0;
	}

	private void track(Consumer<Boolean> listener) {
		CorosyncLibraries.LibC libc = CorosyncLibraries.libc();
		Pointer pollFd = Memory.allocateDirect(Runtime.getRuntime(libc), 8, true);
		while (!this.closed) {
			pollFd.putInt(0, this.fd);
			pollFd.putShort(4, POLLIN);
			pollFd.putShort(6, (short) 0);
			int ready = libc.poll(pollFd, 1, POLL_TIMEOUT_MILLIS);
			if (ready <= 0 || this.closed) {
				continue;
			}
			boolean now;
			try {
				CorosyncLibraries.check(this.library.quorum_dispatch(this.handle, CorosyncLibraries.CS_DISPATCH_ALL),
						"quorum_dispatch");
				now = readQuorate();
			}
			catch (SamException ex) {
				logger.log(Level.ERROR, "Lost corosync's quorum service: " + ex.getMessage());
				this.quorate = false;
				listener.accept(false);
				return;
			}
			if (now != this.quorate) {
				this.quorate = now;
				logger.log(Level.INFO, now ? "Cluster is quorate" : "Cluster lost quorum");
				listener.accept(now);
			}
		}
	}

	@Override
	public boolean isQuorate() {
		return this.quorate;
	}

	@Override
	public void close() {
		this.closed = true;
		Thread thread = this.tracker;
		if (thread != null) {
			try {
				thread.join(TimeUnit.MILLISECONDS.toMillis(2L * POLL_TIMEOUT_MILLIS));
			}
			catch (InterruptedException ex) {
				java.lang.Thread.currentThread().interrupt();
			}
		}
		synchronized (this) {
			if (this.handle != 0) {
				this.library.quorum_finalize(this.handle);
				this.handle = 0;
			}
		}
	}

}
