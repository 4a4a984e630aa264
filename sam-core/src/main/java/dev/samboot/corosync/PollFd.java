package dev.samboot.corosync;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * One {@code struct pollfd} for waiting on a corosync service's file descriptor with a
 * timeout, so that a dispatching thread notices a close without blocking in the library.
 * Each thread that polls owns its own.
 */
final class PollFd {

	static final short POLLIN = 0x1;

	static final short POLLERR = 0x8;

	static final short POLLHUP = 0x10;

	static final short POLLNVAL = 0x20;

	private final CorosyncLibraries.LibC libc;

	private final Pointer pollFd;

	private final int fd;

	PollFd(CorosyncLibraries.LibC libc, int fd) {
		this.libc = libc;
		this.fd = fd;
		this.pollFd = Memory.allocateDirect(Runtime.getRuntime(libc), 8, true);
	}

	/**
	 * Wait until the descriptor is readable or the timeout passes.
	 * @param timeoutMillis how long to wait
	 * @return the returned events, 0 when nothing happened (or the wait was interrupted
	 * by a signal)
	 */
	short await(int timeoutMillis) {
		this.pollFd.putInt(0, this.fd);
		this.pollFd.putShort(4, POLLIN);
		this.pollFd.putShort(6, (short) 0);
		int ready = this.libc.poll(this.pollFd, 1, timeoutMillis);
		return (ready <= 0) ? 0 : this.pollFd.getShort(6);
	}

	/**
	 * Whether the returned events say the connection is gone.
	 * @param revents what {@link #await(int)} returned
	 * @return {@code true} on an error, hang-up or invalid descriptor
	 */
	static boolean broken(short revents) {
		return (revents & (POLLERR | POLLHUP | POLLNVAL)) != 0;
	}

}
