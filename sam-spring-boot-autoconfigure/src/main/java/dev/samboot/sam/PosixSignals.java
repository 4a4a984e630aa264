package dev.samboot.sam;

import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * Sends signals by pid. SIGTERM and SIGKILL need no native code ({@link ProcessHandle} sends them);
 * any other warn signal loads jnr-posix the first time it is needed, so a supervisor that only ever
 * sends the defaults never pays for it.
 */
final class PosixSignals {

	private PosixSignals() {
	}

	/**
	 * Send a signal to one process (to this one as well, which {@link ProcessHandle} refuses).
	 * @param handle the process
	 * @param signal the signal number
	 * @return whether the signal was delivered (false when the process is already gone)
	 */
	static boolean send(ProcessHandle handle, int signal) {
		boolean self = handle.pid() == ProcessHandle.current().pid();
		if (signal == Signals.SIGKILL && !self) {
			return handle.destroyForcibly();
		}
		if (signal == Signals.SIGTERM && !self) {
			return handle.destroy();
		}
		return Native.posix().kill((int) handle.pid(), signal) == 0;
	}

	/**
	 * Load the native library in the background if sending this signal will need it, so that the
	 * first warn signal is not late by the library's load time.
	 * @param signal a signal that may be sent later
	 */
	static void prepare(int signal) {
		if (signal != Signals.SIGKILL && signal != Signals.SIGTERM) {
			Thread loader = new Thread(Native::posix, "sam-posix-load");
			loader.setDaemon(true);
			loader.start();
		}
	}

	/**
	 * Whether this platform can send and handle POSIX signals.
	 * @return whether signals are supported
	 */
	static boolean supported() {
		String os = System.getProperty("os.name", "").toLowerCase();
		return !os.startsWith("windows");
	}

	private static final class Native {

		private static final POSIX POSIX = POSIXFactory.getNativePOSIX();

		static POSIX posix() {
			return POSIX;
		}

	}

}
