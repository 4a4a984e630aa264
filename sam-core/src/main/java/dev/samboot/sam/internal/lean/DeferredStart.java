package dev.samboot.sam.internal.lean;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import dev.samboot.sam.CsError;
import dev.samboot.sam.EarlyLaunch;
import dev.samboot.sam.SamException;
import dev.samboot.sam.SamOptions;
import dev.samboot.sam.Signals;
import dev.samboot.sam.internal.channel.Codec;
import dev.samboot.sam.internal.channel.FrameDecoder;
import dev.samboot.sam.internal.channel.MalformedFrameException;
import dev.samboot.sam.internal.channel.Message;
import dev.samboot.sam.internal.channel.Message.Detach;
import dev.samboot.sam.internal.channel.Message.Settings;
import dev.samboot.sam.internal.channel.Message.SettingsAnswer;
import dev.samboot.sam.internal.process.NativeExec;
import dev.samboot.sam.internal.process.SamPlatform;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * A lean supervisor that replaced the process the user started before its configuration
 * was read: instance 1, launched at the same moment, reads the configuration (it does so
 * anyway), binds {@code sam.*} and sends the settings here, so that the supervisor spends
 * no CPU on the application framework while instance 1 starts.
 *
 * <p>
 * Until the settings come, this process is a plain parent: the signals that stop an
 * application (TERM, INT, HUP) are passed on to instance 1, and if it exits (a wrong
 * value stopped its start-up, with the framework's own failure report) this process exits
 * with its status. Then, by what instance 1 sent:
 * <ul>
 * <li>settings: checked as the supervisor that binds them itself checks them (corosync
 * reachable when they need it), answered, and supervision starts with instance 1 as its
 * first instance;</li>
 * <li>settings that ask for other JVM options for the supervisor (a larger data limit, or
 * {@code jvm-options} of their own): answered, and this JVM is replaced with one started
 * with those, which takes instance 1 over;</li>
 * <li>settings that need the supervisor in the application's own JVM (a quorum provider
 * or state publisher of the application's classes, the lean supervisor turned off):
 * instance 1, which has run none of the application yet, is killed and the application is
 * started again in this process, as if the early launch were off;</li>
 * <li>a detach (supervision turned off by the configuration): this process stays the
 * plain parent until instance 1 exits, and exits with its status.</li>
 * </ul>
 */
final class DeferredStart {

	private static final System.Logger logger = System.getLogger(DeferredStart.class.getName());

	/**
	 * The signals passed on to instance 1 while this process waits or is a plain parent.
	 */
	static final Map<String, Integer> FORWARDED = forwarded();

	/** The system property that starts the application again without an early launch. */
	static final String EARLY_LAUNCH_OFF = "-Dsam.supervisor.early-launch=false";

	private static final long KILL_WAIT_SECONDS = 10;

	private DeferredStart() {
	}

	private static Map<String, Integer> forwarded() {
		Map<String, Integer> signals = new LinkedHashMap<>();
		signals.put("TERM", Signals.SIGTERM);
		signals.put("INT", Signals.SIGINT);
		signals.put("HUP", Signals.SIGHUP);
		return signals;
	}

	/**
	 * The settings, once they are known.
	 *
	 * @param properties the full handoff
	 * @param handoff the handoff read from them, with instance 1 adopted
	 */
	record Settled(Properties properties, Handoff handoff) {
	}

	/**
	 * Wait for instance 1's settings and act on them. Returns only when supervision
	 * starts in this JVM; in every other case this process exits or is replaced.
	 * @param deferred this supervisor's handoff
	 * @param handoffDirectory the directory of the handoff and the class path's jars
	 * @param platform how to exit
	 * @return the settings, read
	 * @throws IOException if the settings socket cannot be opened
	 */
	static Settled await(Properties deferred, Path handoffDirectory, SamPlatform platform) throws IOException {
		EarlyLaunch instance = Handoff.adoptEarly(deferred);
		Forwarding forwarding = Forwarding.install(instance);
		Outcome outcome = new SettingsWait(instance).await();
		if (outcome instanceof Exited exited) {
			logger.log(Level.INFO, "Instance 1 exited with status {0} before it sent its settings: quitting",
					Integer.toString(exited.status()));
			instance.directory().delete();
			platform.exit().accept(exited.status());
			throw new IllegalStateException("did not exit");
		}
		if (outcome instanceof Detached detached) {
			answer(detached.connection(), CsError.OK, "running unsupervised");
			logger.log(Level.DEBUG, "Instance 1 runs unsupervised ({0}); passing signals on until it exits",
					detached.reason());
			instance.directory().delete();
			platform.exit().accept(awaitExit(instance));
			throw new IllegalStateException("did not exit");
		}
		Received received = (Received) outcome;
		Properties settings = received.settings();
		String relaunch = Handoff.relaunchReason(settings);
		if (relaunch != null) {
			relaunch(instance, relaunch, Handoff.command(deferred), handoffDirectory);
			return refuse(received.connection(), instance, platform, CsError.LIBRARY,
					"Cannot start the application again with the supervisor in its own JVM");
		}
		Properties full = Handoff.merge(deferred, settings);
		Handoff handoff;
		SamOptions options;
		List<String> wanted;
		try {
			handoff = Handoff.read(full, instance);
			options = handoff.options();
			wanted = LeanSupervisor.jvmOptions(Handoff.wantedJvmOptions(settings), options.dataMaxSize(), true,
					LeanSupervisor.javaRelease(Handoff.command(deferred).get(0)));
		}
		catch (IllegalArgumentException ex) {
			return refuse(received.connection(), instance, platform, CsError.INVALID_PARAM, ex.getMessage());
		}
		try {
			LeanSupervisor.preflight(options);
		}
		catch (SamException ex) {
			return refuse(received.connection(), instance, platform, ex.error(), ex.getMessage());
		}
		if (!wanted.equals(Handoff.deferredJvmOptions(deferred))) {
			answer(received.connection(), CsError.OK, "settings taken");
			try {
				LeanSupervisor.execAgain(full, wanted, handoffDirectory);
			}
			catch (IOException | RuntimeException | LinkageError ex) {
				logger.log(Level.WARNING, "Supervising without the JVM options the configuration asks for ("
						+ String.join(" ", wanted) + "): cannot start a new JVM (" + ex + ")");
			}
		}
		else {
			answer(received.connection(), CsError.OK, "settings taken");
		}
		forwarding.restore();
		return new Settled(full, handoff);
	}

	/**
	 * Answer instance 1 with an error, which stops its start-up with the framework's
	 * failure report, and exit with its status once it has.
	 */
	private static Settled refuse(SocketChannel connection, EarlyLaunch instance, SamPlatform platform, CsError error,
			String detail) {
		logger.log(Level.DEBUG, "Refusing instance 1''s settings: " + detail);
		answer(connection, error, detail);
		int status = awaitExit(instance);
		instance.directory().delete();
		platform.exit().accept((status != 0) ? status : 1);
		throw new IllegalStateException("did not exit");
	}

	/**
	 * Kill instance 1, which has run none of the application, and start the application
	 * again in this process without an early launch, so that it binds its settings and
	 * supervises in its own JVM. Returns only if it cannot.
	 */
	private static void relaunch(EarlyLaunch instance, String reason, List<String> command, Path handoffDirectory) {
		logger.log(Level.INFO, "Starting again with the supervisor in the application''s JVM: {0}. Set it on the "
				+ "command line, as a system property or an environment variable to save this start", reason);
		instance.signal(Signals.SIGKILL);
		try {
			instance.onExit().get(KILL_WAIT_SECONDS, TimeUnit.SECONDS);
		}
		catch (ExecutionException | TimeoutException ex) {
			logger.log(Level.WARNING, "Instance 1 (pid {0}) did not end after SIGKILL", Long.toString(instance.pid()));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		instance.directory().delete();
		try {
			// the jars it loads from go first: the new JVM would not know to delete them
			NativeExec.prepare(handoffDirectory);
			LeanSupervisor.deleteQuietly(handoffDirectory);
			NativeExec.execv(command.get(0), withEarlyLaunchOff(command));
		}
		catch (IOException | RuntimeException | LinkageError ex) {
			logger.log(Level.ERROR, "Cannot start the application again: " + ex);
		}
	}

	/**
	 * The command with the early launch off, as a system property right after the
	 * {@code java} executable.
	 * @param command the application's command
	 * @return the command to start it again with
	 */
	static List<String> withEarlyLaunchOff(List<String> command) {
		List<String> argv = new ArrayList<>(command);
		argv.add(1, EARLY_LAUNCH_OFF);
		return argv;
	}

	private static int awaitExit(EarlyLaunch instance) {
		while (true) {
			try {
				return instance.onExit().get();
			}
			catch (InterruptedException ex) {
				// the plain parent waits for its child whatever happens
			}
			catch (ExecutionException ex) {
				return 1;
			}
		}
	}

	private static void answer(SocketChannel connection, CsError error, String detail) {
		try (connection) {
			ByteBuffer frame = Codec.encode(new SettingsAnswer(error, detail));
			while (frame.hasRemaining()) {
				connection.write(frame);
			}
		}
		catch (IOException ex) {
			logger.log(Level.DEBUG, "Cannot answer instance 1: " + ex.getMessage());
		}
	}

	/** What ended the wait. */
	sealed interface Outcome permits Received, Detached, Exited {

	}

	record Received(Properties settings, SocketChannel connection) implements Outcome {
	}

	record Detached(String reason, SocketChannel connection) implements Outcome {
	}

	record Exited(int status) implements Outcome {
	}

	/**
	 * The settings socket, at the channel's path, until instance 1 has said what it
	 * needed to: the channel itself is opened there once the settings are known.
	 */
	static final class SettingsWait {

		private final EarlyLaunch instance;

		private final CompletableFuture<Outcome> outcome = new CompletableFuture<>();

		private final AtomicInteger dropped = new AtomicInteger();

		private ServerSocketChannel server;

		SettingsWait(EarlyLaunch instance) {
			this.instance = instance;
		}

		Outcome await() throws IOException {
			Path socket = this.instance.directory().socket();
			this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
			try {
				this.server.bind(UnixDomainSocketAddress.of(socket));
				this.instance.onExit().thenAccept((status) -> this.outcome.complete(new Exited(status)));
				Thread acceptor = new Thread(this::accept, "sam-settings");
				acceptor.setDaemon(true);
				acceptor.start();
				while (true) {
					try {
						return this.outcome.get();
					}
					catch (InterruptedException ex) {
						// waits for instance 1 whatever happens
					}
					catch (ExecutionException ex) {
						throw new IOException(ex.getCause());
					}
				}
			}
			finally {
				this.server.close();
				Files.deleteIfExists(socket);
			}
		}

		private void accept() {
			while (!this.outcome.isDone()) {
				SocketChannel connection;
				try {
					connection = this.server.accept();
				}
				catch (IOException ex) {
					return;
				}
				Thread reader = new Thread(() -> read(connection), "sam-settings-read");
				reader.setDaemon(true);
				reader.start();
			}
		}

		private void read(SocketChannel connection) {
			try {
				Outcome said = outcome(connection,
						FrameDecoder.readMessage(connection, Codec.maxFrameBytes(0) + Codec.MAX_SETTINGS_BYTES));
				if (!this.outcome.complete(said)) {
					connection.close();
				}
			}
			catch (IOException | MalformedFrameException ex) {
				if (this.dropped.incrementAndGet() <= 5) {
					logger.log(Level.WARNING, "Dropped a connection to the settings socket: " + ex.getMessage());
				}
				try {
					connection.close();
				}
				catch (IOException closing) {
					logger.log(Level.DEBUG, "Closing a settings connection: " + closing.getMessage());
				}
			}
		}

		private Outcome outcome(SocketChannel connection, Message message) throws MalformedFrameException, IOException {
			if (message instanceof Settings settings) {
				check(connection, settings.version(), settings.token(), settings.pid());
				try {
					return new Received(Handoff.fromBytes(settings.settings()), connection);
				}
				catch (IllegalArgumentException ex) {
					throw new MalformedFrameException(ex.getMessage());
				}
			}
			if (message instanceof Detach detach) {
				check(connection, detach.version(), detach.token(), detach.pid());
				return new Detached(detach.reason(), connection);
			}
			throw new MalformedFrameException(
					"first frame is " + message.getClass().getSimpleName() + ", not settings or a detach");
		}

		private void check(SocketChannel connection, int version, byte[] token, long pid)
				throws MalformedFrameException, IOException {
			if (version != Codec.PROTOCOL_VERSION) {
				answer(connection, CsError.VERSION, "the supervisor speaks channel protocol version "
						+ Codec.PROTOCOL_VERSION + ", not " + version);
				throw new MalformedFrameException("protocol version " + version);
			}
			if (!MessageDigest.isEqual(token, this.instance.token()) || pid != this.instance.pid()) {
				throw new MalformedFrameException("wrong token or pid " + pid);
			}
		}

	}

	/**
	 * Passes the stopping signals on to instance 1, until supervision takes them over.
	 */
	static final class Forwarding {

		private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();

		static Forwarding install(EarlyLaunch instance) {
			Forwarding forwarding = new Forwarding();
			FORWARDED.forEach((name, number) -> {
				try {
					Signal signal = new Signal(name);
					forwarding.previous.put(signal, Signal.handle(signal, (received) -> {
						if (instance.isAlive()) {
							instance.signal(number);
						}
					}));
				}
				catch (IllegalArgumentException ex) {
					logger.log(Level.DEBUG, "SIG" + name + " is not passed on: " + ex.getMessage());
				}
			});
			return forwarding;
		}

		void restore() {
			this.previous.forEach(Signal::handle);
		}

	}

}
