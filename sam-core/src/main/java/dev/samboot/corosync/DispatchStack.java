package dev.samboot.corosync;

import dev.samboot.sam.CsError;
import dev.samboot.sam.SamException;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.byref.NativeLongByReference;

/**
 * The stack that corosync's dispatch calls need. {@code cpg_dispatch},
 * {@code quorum_dispatch} and {@code cmap_dispatch} keep their 1 MiB receive buffer
 * ({@code IPC_DISPATCH_SIZE}) on the stack, more than a JVM thread has by default: on
 * such a thread the JVM dies of SIGSEGV without a report. A C program's main thread has 8
 * MiB, and so do the threads samboot makes to dispatch; a dispatch on any other thread is
 * checked first and refused when its stack is too small.
 */
final class DispatchStack {

	/** What samboot's dispatching threads get. */
	static final long BYTES = 8L * 1024 * 1024;

	/** 1 MiB for the buffer, and room for the library's frames and the callbacks. */
	static final long REQUIRED_BYTES = 1536L * 1024;

	/** {@code sizeof(pthread_attr_t)} is 56 on x86-64 and 64 on AArch64. */
	private static final int PTHREAD_ATTR_BYTES = 128;

	private static final ThreadLocal<Long> STACK_BYTES = new ThreadLocal<>();

	private DispatchStack() {
	}

	/**
	 * A platform thread with the stack a dispatch needs.
	 * @param name the thread's name
	 * @param task what it runs
	 * @return the thread, a daemon, not started
	 */
	static Thread newThread(String name, Runnable task) {
		Thread thread = new Thread(null, task, name, BYTES);
		thread.setDaemon(true);
		return thread;
	}

	/**
	 * Refuse a dispatch on a thread whose stack is too small for it.
	 * @param call the call, for the message
	 * @throws SamException with {@link CsError#NO_RESOURCES} when the stack is too small
	 * or cannot be read
	 */
	static void require(String call) {
		long bytes = currentThreadStackBytes();
		if (bytes < REQUIRED_BYTES) {
			throw new SamException(CsError.NO_RESOURCES,
					call + " needs at least " + (REQUIRED_BYTES / 1024) + " KiB of stack and thread '"
							+ Thread.currentThread().getName() + "' has "
							+ ((bytes < 0) ? "a size that cannot be read" : (bytes / 1024) + " KiB")
							+ " (the JVM would crash): dispatch on a platform thread made with a larger stack, such as "
							+ "new Thread(null, task, name, 8L << 20), never on a virtual thread");
		}
	}

	private static long currentThreadStackBytes() {
		Long known = STACK_BYTES.get();
		if (known != null) {
			return known;
		}
		CorosyncLibraries.LibC libc = CorosyncLibraries.libc();
		Pointer attributes = Memory.allocateDirect(Runtime.getRuntime(libc), PTHREAD_ATTR_BYTES, true);
		long bytes = -1;
		if (libc.pthread_getattr_np(libc.pthread_self(), attributes) == 0) {
			NativeLongByReference size = new NativeLongByReference();
			if (libc.pthread_attr_getstacksize(attributes, size) == 0) {
				bytes = size.longValue();
			}
			libc.pthread_attr_destroy(attributes);
		}
		// a virtual thread runs on whichever carrier is free: never remember its answer
		if (!isVirtual(Thread.currentThread())) {
			STACK_BYTES.set(bytes);
		}
		else {
			bytes = -1;
		}
		return bytes;
	}

	private static boolean isVirtual(Thread thread) {
		try {
			return (boolean) Thread.class.getMethod("isVirtual").invoke(thread);
		}
		catch (ReflectiveOperationException ex) {
			// before Java 21 there are no virtual threads
			return false;
		}
	}

}
