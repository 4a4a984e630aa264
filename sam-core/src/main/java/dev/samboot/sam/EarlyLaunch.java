package dev.samboot.sam;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.samboot.sam.internal.channel.ChannelDirectory;
import dev.samboot.sam.internal.channel.Codec;
import dev.samboot.sam.internal.process.AdoptedProcess;
import dev.samboot.sam.internal.process.JvmProcessLauncher;
import dev.samboot.sam.internal.process.LazyLogger;
import dev.samboot.sam.internal.process.PrivateFiles;
import dev.samboot.sam.internal.process.SamEnvironment;
import dev.samboot.sam.internal.process.SamPlatform;
import dev.samboot.sam.internal.supervisor.ActiveProcess;

/**
 * Instance 1, launched before {@link Sam#register()}: as soon as the process the user
 * started is likely to become a supervisor, rather than once it has read its
 * configuration. An application framework spends a good part of a second reading
 * configuration files and setting up logging before it can say what {@code register()}
 * needs; launched early, instance 1 starts in that time instead of after it.
 *
 * <p>
 * The instance connects to the channel when it gets to {@code register()} itself, and
 * waits there until the supervisor listens, so nothing of the application runs in it
 * before the supervisor has taken it over. Hand it over with
 * {@link SamOptions.Builder#earlyLaunch}; if this process does not become a supervisor
 * after all ({@code sam.enabled=false} in a configuration file, a wrong setting),
 * {@link #cancel()} kills it before it has done anything.
 */
public final class EarlyLaunch {

	private static final System.Logger logger = LazyLogger.of(EarlyLaunch.class);

	/** How long {@link #cancel()} waits for the killed instance to be gone. */
	private static final long CANCEL_WAIT_MILLIS = 5000;

	private final ChannelDirectory directory;

	private final byte[] token;

	private final ActiveProcess process;

	private boolean handedOver;

	private boolean cancelled;

	private EarlyLaunch(ChannelDirectory directory, byte[] token, ActiveProcess process) {
		this.directory = directory;
		this.token = token;
		this.process = process;
	}

	/**
	 * Launch instance 1 of this JVM's command now, unless this process is an active
	 * process itself or cannot supervise.
	 * @return the launched instance, or empty when this process will not be a supervisor
	 * @throws SamException with {@link CsError#LIBRARY} when the instance cannot be
	 * launched
	 */
	public static Optional<EarlyLaunch> launch() {
		return launch(SamPlatform.system());
	}

	static Optional<EarlyLaunch> launch(SamPlatform platform) {
		return launch(platform, Map.of(SamEnvironment.INSTANCE_ID, "1"));
	}

	/**
	 * Launch instance 1 with the variables that also tell it to hand over the settings
	 * ({@link DeferredSettings}).
	 * @param platform the platform
	 * @return the launched instance, or empty when this process will not be a supervisor
	 */
	static Optional<EarlyLaunch> launchDeferred(SamPlatform platform) {
		return launch(platform,
				Map.of(SamEnvironment.INSTANCE_ID, "1", SamEnvironment.SETTINGS, SamEnvironment.SETTINGS_DEFERRED));
	}

	private static Optional<EarlyLaunch> launch(SamPlatform platform, Map<String, String> instanceEnvironment) {
		if (!Sam.isSupported() || SamEnvironment.activeProcess(platform.environment(), platform.parentPid()).isPresent()
				|| SamEnvironment.orphaned(platform.environment(), platform.parentPid(), SamPlatform.IS_ANCESTOR)) {
			return Optional.empty();
		}
		ChannelDirectory directory = null;
		try {
			// the owner file after the launch: it is for a later supervisor's clean-up
			directory = ChannelDirectory.createUnclaimed();
			byte[] token = Channel.newToken();
			JvmProcessLauncher launcher = new JvmProcessLauncher(platform.commandOrCurrent(),
					Channel.environment(directory.socket(), token, ProcessHandle.current().pid()));
			ActiveProcess process = launcher.launch(instanceEnvironment);
			try {
				directory.claim();
			}
			catch (IOException ex) {
				// only a later supervisor's clean-up needs it; instance 1 runs
				logger.log(Level.DEBUG, "Cannot write the channel directory's owner file: " + ex.getMessage());
			}
			logger.log(Level.DEBUG, "Launched instance 1 early (pid {0})", Long.toString(process.pid()));
			return Optional.of(new EarlyLaunch(directory, token, process));
		}
		catch (IOException | RuntimeException ex) {
			if (directory != null) {
				directory.delete();
			}
			throw new SamException(CsError.LIBRARY, "Cannot launch the active process: " + ex.getMessage(), ex);
		}
	}

	/**
	 * Take over an instance launched early by the JVM this one replaced (the lean
	 * supervisor), whose channel directory and token it was told.
	 * @param pid the instance's pid
	 * @param directory the channel directory
	 * @param token the channel token
	 * @return the instance
	 */
	public static EarlyLaunch adopt(long pid, Path directory, byte[] token) {
		return new EarlyLaunch(ChannelDirectory.existing(directory), token, AdoptedProcess.adopt(pid));
	}

	/**
	 * Return the instance's pid.
	 * @return the pid
	 */
	public long pid() {
		return this.process.pid();
	}

	/**
	 * Whether the instance is still running.
	 * @return whether it has not ended
	 */
	public boolean isAlive() {
		return !this.process.onExit().isDone();
	}

	/**
	 * Return what completes with the instance's exit status (128 plus the signal's number
	 * when a signal ended it).
	 * @return the exit status, once it is known
	 */
	public CompletableFuture<Integer> onExit() {
		return this.process.onExit();
	}

	/**
	 * Send the instance a signal, as a supervisor that passes its own signals on does.
	 * @param signal the signal's number
	 */
	public void signal(int signal) {
		this.process.signal(signal);
	}

	/**
	 * This process will not supervise: kill the instance (SIGKILL, it has not run any of
	 * the application yet), wait briefly for it to be gone and remove the channel
	 * directory. Does nothing once handed over to a supervisor or cancelled.
	 */
	public void cancel() {
		synchronized (this) {
			if (this.handedOver || this.cancelled) {
				return;
			}
			this.cancelled = true;
		}
		this.process.signal(Signals.SIGKILL);
		try {
			this.process.onExit().get(CANCEL_WAIT_MILLIS, TimeUnit.MILLISECONDS);
		}
		catch (ExecutionException | TimeoutException ex) {
			logger.log(Level.WARNING, "Instance 1 (pid {0}), launched early, did not end after SIGKILL: {1}",
					Long.toString(this.process.pid()), ex.toString());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		this.directory.delete();
		logger.log(Level.DEBUG, "Cancelled instance 1 (pid {0}), launched early", Long.toString(this.process.pid()));
	}

	/**
	 * Hand the instance over to the supervisor that launches instance 1.
	 * @return the instance
	 * @throws SamException with {@link CsError#LIBRARY} when it was cancelled
	 */
	synchronized ActiveProcess handOver() {
		if (this.cancelled) {
			throw new SamException(CsError.LIBRARY, "Instance 1, launched early, was cancelled");
		}
		this.handedOver = true;
		return this.process;
	}

	/**
	 * Return the channel directory the instance was told of; for the supervisor that
	 * takes it over.
	 * @return the directory
	 */
	public ChannelDirectory directory() {
		return this.directory;
	}

	/**
	 * Return the channel token the instance was given; for the supervisor that takes it
	 * over.
	 * @return a copy of the token
	 */
	public byte[] token() {
		return this.token.clone();
	}

	/** The channel's secret and the variables that lead an active process to it. */
	static final class Channel {

		private Channel() {
		}

		static byte[] newToken() {
			return PrivateFiles.randomBytes(Codec.TOKEN_BYTES);
		}

		static Map<String, String> environment(Path socket, byte[] token, long supervisorPid) {
			return Map.of(SamEnvironment.SOCKET, socket.toString(), SamEnvironment.TOKEN,
					HexFormat.of().formatHex(token), SamEnvironment.SUPERVISOR_PID, Long.toString(supervisorPid));
		}

	}

}
