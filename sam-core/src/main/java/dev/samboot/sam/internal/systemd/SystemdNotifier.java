package dev.samboot.sam.internal.systemd;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;

/**
 * systemd's notify protocol ({@code sd_notify(3)}) for a supervisor that is a service's
 * main process: {@code READY=1}, {@code STATUS=...} and {@code WATCHDOG=1} datagrams to
 * {@code $NOTIFY_SOCKET}. The JDK has no datagram Unix sockets, so jnr-unixsocket sends
 * them: loading this class needs jnr, so nothing touches it without
 * {@code NOTIFY_SOCKET}.
 */
public final class SystemdNotifier implements AutoCloseable {

	public static final String NOTIFY_SOCKET = "NOTIFY_SOCKET";

	public static final String WATCHDOG_USEC = "WATCHDOG_USEC";

	public static final String WATCHDOG_PID = "WATCHDOG_PID";

	private static final System.Logger logger = System.getLogger(SystemdNotifier.class.getName());

	private final UnixDatagramChannel channel;

	private final UnixSocketAddress address;

	private final long watchdogNanos;

	private boolean failed;

	private SystemdNotifier(UnixDatagramChannel channel, UnixSocketAddress address, long watchdogNanos) {
		this.channel = channel;
		this.address = address;
		this.watchdogNanos = watchdogNanos;
	}

	/**
	 * Connect to systemd if this process runs as a {@code Type=notify} service.
	 * @param env the environment
	 * @param pid this process's pid
	 * @return the notifier, or empty without {@code NOTIFY_SOCKET}
	 */
	public static Optional<SystemdNotifier> fromEnvironment(Map<String, String> env, long pid) {
		String socket = env.get(NOTIFY_SOCKET);
		if (socket == null || socket.isEmpty()) {
			return Optional.empty();
		}
		try {
			String path = socket.startsWith("@") ? "\0" + socket.substring(1) : socket;
			return Optional.of(new SystemdNotifier(UnixDatagramChannel.open(), new UnixSocketAddress(path),
					watchdogNanos(env, pid)));
		}
		catch (IOException | RuntimeException | LinkageError ex) {
			logger.log(Level.WARNING, "Cannot notify systemd at " + socket + ": " + ex);
			return Optional.empty();
		}
	}

	/**
	 * Return the watchdog interval systemd asks for, when it is meant for this process.
	 * @param env the environment
	 * @param pid this process's pid
	 * @return the interval in nanoseconds, 0 without a watchdog
	 */
	static long watchdogNanos(Map<String, String> env, long pid) {
		try {
			String forPid = env.get(WATCHDOG_PID);
			if (forPid != null && Long.parseLong(forPid.trim()) != pid) {
				return 0;
			}
			String usec = env.get(WATCHDOG_USEC);
			return (usec != null) ? TimeUnit.MICROSECONDS.toNanos(Long.parseLong(usec.trim())) : 0;
		}
		catch (NumberFormatException ex) {
			return 0;
		}
	}

	/**
	 * Return how often {@code WATCHDOG=1} is to be sent: half of systemd's
	 * {@code WatchdogSec}.
	 * @return the period in nanoseconds, 0 without a watchdog
	 */
	public long watchdogPeriodNanos() {
		return this.watchdogNanos / 2;
	}

	public void ready(String status) {
		send("READY=1\nSTATUS=" + status);
	}

	public void status(String status) {
		send("STATUS=" + status);
	}

	public void watchdog() {
		send("WATCHDOG=1");
	}

	public void stopping(String status) {
		send("STOPPING=1\nSTATUS=" + status);
	}

	private void send(String message) {
		try {
			this.channel.send(ByteBuffer.wrap(message.getBytes(StandardCharsets.UTF_8)), this.address);
		}
		catch (IOException | RuntimeException ex) {
			if (!this.failed) {
				this.failed = true;
				logger.log(Level.WARNING, "Cannot notify systemd: " + ex);
			}
		}
	}

	@Override
	public void close() {
		try {
			this.channel.close();
		}
		catch (IOException ex) {
			logger.log(Level.DEBUG, "Closing the systemd socket: " + ex.getMessage());
		}
	}

}
