package dev.samboot.sam.internal.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import dev.samboot.sam.Signals;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * Sends signals by pid. SIGTERM and SIGKILL need no native code ({@link ProcessHandle}
 * sends them); any other warn signal loads jnr-posix the first time it is needed, so a
 * supervisor that only ever sends the defaults never pays for it.
 */
public final class PosixSignals {

	private PosixSignals() {
	}

	/**
	 * Send a signal to one process (to this one as well, which {@link ProcessHandle}
	 * refuses).
	 * @param handle the process
	 * @param signal the signal number
	 * @return whether the signal was delivered (false when the process is already gone)
	 */
	public static boolean send(ProcessHandle handle, int signal) {
		boolean self = handle.pid() == ProcessHandle.current().pid();
		if (signal == Signals.SIGKILL && !self) {
			return handle.destroyForcibly();
		}
		if (signal == Signals.SIGTERM && !self) {
			return handle.destroy();
		}
		if (Native.available()) {
			return Native.kill(handle.pid(), signal);
		}
		return killCommand(handle.pid(), signal);
	}

	/**
	 * Send a signal with {@code kill(1)}, where jnr-posix is not on the class path (the
	 * lean supervisor loads only samboot's core).
	 */
	private static boolean killCommand(long pid, int signal) {
		try {
			Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.start();
			return kill.waitFor(5, TimeUnit.SECONDS) && kill.exitValue() == 0;
		}
		catch (IOException ex) {
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	/**
	 * Load the native library in the background if sending this signal will need it, so
	 * that the first warn signal is not late by the library's load time.
	 * @param signal a signal that may be sent later
	 */
	static void prepare(int signal) {
		if (signal != Signals.SIGKILL && signal != Signals.SIGTERM) {
			Thread loader = new Thread(Native::available, "sam-posix-load");
			loader.setDaemon(true);
			loader.start();
		}
	}

	/**
	 * Whether this process ignores a signal, as it may have inherited it: a job a shell
	 * without job control starts in the background ignores SIGINT and SIGQUIT, and a JVM
	 * that starts with SIGINT ignored leaves it so and runs no shutdown hook for it.
	 * @param signal the signal number
	 * @return whether the signal is ignored; false where {@code /proc/self/status} cannot
	 * be read
	 */
	public static boolean ignored(int signal) {
		return ignored(Path.of("/proc/self/status"), signal);
	}

	/**
	 * Whether a signal is ignored, from the {@code SigIgn} mask of a
	 * {@code /proc/<pid>/status} file.
	 * @param status the status file
	 * @param signal the signal number
	 * @return whether the signal's bit is set; false when the file or the line cannot be
	 * read
	 */
	static boolean ignored(Path status, int signal) {
		try {
			for (String line : Files.readAllLines(status, StandardCharsets.US_ASCII)) {
				if (line.startsWith("SigIgn:")) {
					long mask = Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16);
					return (mask & (1L << (signal - 1))) != 0;
				}
			}
		}
		catch (IOException | NumberFormatException ex) {
			// not Linux, or a mask that cannot be read: not known to be ignored
		}
		return false;
	}

	/**
	 * Whether this platform can send and handle POSIX signals.
	 * @return whether signals are supported
	 */
	public static boolean supported() {
		String os = System.getProperty("os.name", "").toLowerCase();
		return !os.startsWith("windows");
	}

	/**
	 * Everything that touches jnr-posix, so that its absence is noticed here and nowhere
	 * else.
	 */
	private static final class Native {

		private static final Object POSIX = load();

		private static Object load() {
			try {
				return POSIXFactory.getNativePOSIX();
			}
			catch (LinkageError ex) {
				return null;
			}
		}

		static boolean available() {
			return POSIX != null;
		}

		static boolean kill(long pid, int signal) {
			return ((POSIX) POSIX).kill((int) pid, signal) == 0;
		}

	}

}
