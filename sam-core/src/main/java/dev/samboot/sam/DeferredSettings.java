package dev.samboot.sam;

import java.lang.System.Logger.Level;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.samboot.sam.internal.channel.Message;
import dev.samboot.sam.internal.channel.Message.SettingsAnswer;
import dev.samboot.sam.internal.client.SettingsClient;
import dev.samboot.sam.internal.lean.LeanSupervisor;
import dev.samboot.sam.internal.process.AdoptedProcess;
import dev.samboot.sam.internal.process.LazyLogger;
import dev.samboot.sam.internal.process.SamEnvironment;
import dev.samboot.sam.internal.process.SamPlatform;

/**
 * A supervisor started before the settings are known. An application framework spends
 * seconds of CPU reading its configuration before it can say what {@link Sam#register()}
 * needs; instance 1 does the same work anyway. With {@link #supervise()} the process the
 * user started launches instance 1 at once and becomes a lean supervisor straight away,
 * leaving the CPU to instance 1; instance 1 binds the settings and hands them over with
 * {@link #send} before it registers, or says with {@link #detach} that the configuration
 * turns supervision off.
 *
 * <p>
 * A wrong value stops instance 1's start-up with the framework's own failure report; the
 * supervisor exits with its status. Settings that need the supervisor in the
 * application's own JVM (a quorum source or state publisher of its own classes, no lean
 * supervisor) start the application again in the supervisor's process, as if the early
 * launch were off.
 */
public final class DeferredSettings {

	private static final System.Logger logger = LazyLogger.of(DeferredSettings.class);

	/** Whether this process has handed its settings over (or detached) already. */
	private static final AtomicBoolean handedOver = new AtomicBoolean();

	private DeferredSettings() {
	}

	/**
	 * In the process the user started: launch instance 1 and become a lean supervisor
	 * that waits for its settings. Never returns when that is done; returns, having
	 * launched nothing, where it is not possible (this JDK cannot take a child over in a
	 * new JVM, the core's jar cannot be found, this is an active process).
	 * @return why this process goes on as it was
	 */
	public static String supervise() {
		return supervise(null);
	}

	/**
	 * As {@link #supervise()}, from a private directory into which the core's and the
	 * native-access jars were copied and from which the core was loaded, such as a
	 * launcher makes before the application's class loader exists: the lean supervisor
	 * runs from those copies, and the directory goes when it exits. When this returns,
	 * the directory is the caller's to remove; one that is not this process's own copies
	 * (see its name below) is not used.
	 * @param copiedJars a directory named {@code samboot-handoff-<pid>-...} in the
	 * temporary directory, or {@code null}
	 * @return why this process goes on as it was
	 */
	public static String supervise(java.nio.file.Path copiedJars) {
		if (!AdoptedProcess.supported()) {
			return "this JDK cannot hand instance 1 over to a new JVM";
		}
		SamPlatform platform = SamPlatform.system();
		Optional<EarlyLaunch> launched;
		try {
			launched = EarlyLaunch.launchDeferred(platform);
		}
		catch (SamException ex) {
			return ex.getMessage();
		}
		if (launched.isEmpty()) {
			return "this process will not supervise";
		}
		EarlyLaunch early = launched.get();
		LeanSupervisor.execDeferred(early, platform.commandOrCurrent(), copiedJars);
		early.cancel();
		return "the lean supervisor could not be started";
	}

	/**
	 * Whether this process is instance 1 of a supervisor that waits for its settings, and
	 * has not sent them yet.
	 * @return whether {@link #send} or {@link #detach} is expected
	 */
	public static boolean pending() {
		SamPlatform platform = SamPlatform.system();
		return !handedOver.get() && SamEnvironment.settingsDeferred(platform.environment(), platform.parentPid());
	}

	/**
	 * Hand the settings to the supervisor, which checks them (corosync reachable when
	 * they need it) before it answers; then initialize and {@link Sam#register()} as
	 * usual.
	 * @param options the options, as {@link Sam#initialize(SamOptions)} will be given
	 * them
	 * @param warnSignal the warn signal, as {@link Sam#warnSignalSet(int)} will be given
	 * it
	 * @throws SamException with the supervisor's error when it refuses them,
	 * {@link CsError#LIBRARY} when it cannot be reached, {@link CsError#BAD_HANDLE} when
	 * this process has no settings to send
	 */
	public static void send(SamOptions options, int warnSignal) {
		byte[] settings = LeanSupervisor.settings(options, warnSignal);
		exchange((token, pid) -> new Message.Settings(token, pid, settings));
	}

	/**
	 * Tell the supervisor that this process runs unsupervised: it passes its signals on
	 * to this process and exits with its status.
	 * @param reason why, for the supervisor's log
	 * @throws SamException with {@link CsError#LIBRARY} when the supervisor cannot be
	 * reached, {@link CsError#BAD_HANDLE} when this process has no settings to send
	 */
	public static void detach(String reason) {
		exchange((token, pid) -> new Message.Detach(token, pid, reason));
	}

	private static void exchange(java.util.function.BiFunction<byte[], Long, Message> message) {
		SamPlatform platform = SamPlatform.system();
		SamEnvironment.Coordinates coordinates = SamEnvironment
			.activeProcess(platform.environment(), platform.parentPid())
			.filter((found) -> SamEnvironment.settingsDeferred(platform.environment(), platform.parentPid()))
			.orElseThrow(() -> new SamException(CsError.BAD_HANDLE, "No supervisor waits for this process's settings"));
		if (!handedOver.compareAndSet(false, true)) {
			throw new SamException(CsError.BAD_HANDLE, "The settings were handed over already");
		}
		SettingsAnswer answer = SettingsClient.exchange(coordinates, message);
		if (answer.error() != CsError.OK) {
			throw new SamException(answer.error(), answer.detail());
		}
		logger.log(Level.DEBUG, "Supervisor (pid {0}): {1}", Long.toString(coordinates.supervisorPid()),
				answer.detail());
	}

}
