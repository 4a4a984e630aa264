package dev.samboot.sam.internal.lean;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import dev.samboot.sam.EarlyLaunch;
import dev.samboot.sam.SamOptions;
import dev.samboot.sam.SupervisorComposition;
import dev.samboot.sam.internal.process.CarriedChannel;
import dev.samboot.sam.internal.process.NativeExec;
import dev.samboot.sam.internal.process.SamPlatform;
import dev.samboot.sam.internal.supervisor.Resumption;
import dev.samboot.sam.internal.supervisor.SupervisorLoop;
import dev.samboot.sam.internal.systemd.SystemdNotifier;

/**
 * The launcher's JVM supervises instance 1 itself until instance 1 is started, and only
 * then replaces itself with the lean supervisor. On two cores a Spring Boot start keeps
 * both busy until it serves, so a second JVM starting beside it (the lean supervisor's,
 * some 0.2 s of CPU) lengthens it; the launcher's JVM has started already, and answering
 * the settings and the registration costs it little. Once instance 1 has been started for
 * {@link #SETTLE_NANOS}, the supervision state ({@link Resumption}) goes to the lean JVM
 * in the handoff file, and instance 1's connection is carried across the {@code execv} on
 * standard input (the real one is kept on another descriptor and put back), so instance 1
 * sees nothing of it.
 *
 * <p>
 * Where the settings need more than the launcher's JVM should carry while instance 1
 * starts (a quorum policy or the cmap flag, which load corosync's bindings; a start-up
 * cache, which trains at the first start; systemd notification, which loads jnr), the
 * lean JVM takes over as soon as the settings are known, as it would without this. If
 * instance 1 ends or is recovered before the handover, the supervision stays in the
 * launcher's JVM, which says so.
 */
public final class LateHandover {

	private static final System.Logger logger = System.getLogger(LateHandover.class.getName());

	/**
	 * How long instance 1 is left started before the handover: its first requests are
	 * served without a JVM starting beside it.
	 */
	static final long SETTLE_NANOS = TimeUnit.SECONDS.toNanos(1);

	/**
	 * How long after its launch instance 1 is handed over if it has not called
	 * {@code start()}: its start-up is over by then, or it is an application that starts
	 * the health checks later or never.
	 */
	static final long UNSTARTED_NANOS = TimeUnit.SECONDS.toNanos(60);

	/** How often the handover is tried until it can be made. */
	static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

	private static final String HANDOFF_FILE = "handoff.properties";

	private final Properties settled;

	private final List<String> command;

	private final List<String> jvmOptions;

	private final Path directory;

	private LateHandover(Properties settled, List<String> command, List<String> jvmOptions, Path directory) {
		this.settled = settled;
		this.command = command;
		this.jvmOptions = jvmOptions;
		this.directory = directory;
	}

	/**
	 * Whether this process can supervise until instance 1 is started before it becomes
	 * the lean supervisor: the core was loaded from this process's own copies, and the
	 * system lists its Unix-domain sockets (which finds instance 1's connection).
	 * @param copiedJars the directory of the copies
	 * @return whether {@link #supervise} may be called
	 */
	public static boolean possible(Path copiedJars) {
		return copiedJars != null && LeanSupervisor.isOwnCopies(copiedJars)
				&& Files.isReadable(Path.of("/proc/net/unix"));
	}

	/**
	 * Wait for instance 1's settings in this JVM, as the lean supervisor would, then
	 * supervise here and hand over once instance 1 is started. Never returns: this
	 * process exits or is replaced.
	 * @param early instance 1, launched to hand over the settings
	 * @param command the command that relaunches the application
	 * @param copiedJars this process's copies of the core and the native-access jars (see
	 * {@link #possible})
	 * @param platform the platform
	 * @throws IOException if the settings socket cannot be opened
	 */
	public static void supervise(EarlyLaunch early, List<String> command, Path copiedJars, SamPlatform platform)
			throws IOException {
		// the copies go when this JVM exits; a lean JVM that replaces it removes them
		// itself
		Runtime.getRuntime()
			.addShutdownHook(new Thread(() -> LeanSupervisor.deleteQuietly(copiedJars), "sam-handoff-cleanup"));
		List<String> deferredOptions = LeanSupervisor.jvmOptions(LeanSupervisor.DEFAULT_JVM_OPTIONS,
				SamOptions.DEFAULT_DATA_MAX_SIZE, true, LeanSupervisor.javaRelease(command.get(0)));
		Properties deferred = Handoff.deferred(command, early, deferredOptions);
		DeferredStart.Settled settled = DeferredStart.await(deferred, early, copiedJars, platform, (plainParent) -> {
			try {
				new LateHandover(plainParent, command, deferredOptions, copiedJars).execLean(plainParent);
			}
			catch (IOException | RuntimeException | LinkageError ex) {
				logger.log(Level.DEBUG, "The launcher's JVM stays instance 1's parent: " + ex);
			}
		});
		SupervisorLogFormat.install(Handoff.supervisorLog(settled.properties()));
		Handoff handoff = settled.handoff();
		LateHandover handover = new LateHandover(settled.properties(), command, settled.wantedJvmOptions(), copiedJars);
		Optional<String> obstacle = obstacle(handoff.options(), platform.environment());
		if (obstacle.isPresent()) {
			logger.log(Level.DEBUG, "The lean supervisor takes over now: " + obstacle.get());
			try {
				handover.execLean(settled.properties());
			}
			catch (IOException | RuntimeException | LinkageError ex) {
				logger.log(Level.WARNING,
						"Supervising in the launcher''s JVM: cannot start a lean supervisor (" + ex + ")");
			}
		}
		SamPlatform supervising = new SamPlatform(platform.environment(), platform.parentPid(), handoff.command(),
				platform.exit());
		int status = SupervisorComposition.superviseHandingOver(handoff.options(), supervising, handoff.warnSignal(),
				obstacle.isPresent() ? (loop) -> {
				} : handover::schedule);
		logger.log(Level.INFO, "Supervisor exits with status {0}", Integer.toString(status));
		platform.exit().accept(status);
		throw new IllegalStateException("did not exit");
	}

	/**
	 * Why the lean JVM should take over as soon as the settings are known.
	 * @param options the settings
	 * @param environment this process's environment
	 * @return the reason, or empty
	 */
	static Optional<String> obstacle(SamOptions options, Map<String, String> environment) {
		if (options.policy().quorum() || options.policy().cmap()) {
			return Optional.of("the policy " + options.policy() + " needs corosync's bindings");
		}
		if (options.startupCacheDirectory() != null) {
			return Optional.of("the start-up cache trains at the first start");
		}
		if (environment.containsKey(SystemdNotifier.NOTIFY_SOCKET)) {
			return Optional.of("systemd notification needs jnr");
		}
		return Optional.empty();
	}

	private void schedule(SupervisorLoop loop) {
		loop.postLater(POLL_NANOS, () -> attempt(loop));
	}

	/** On the loop's thread: hand over if the state allows, or look again later. */
	private void attempt(SupervisorLoop loop) {
		if (loop.supervisor().launches() != 1) {
			logger.log(Level.INFO, "Supervising in the launcher's JVM: instance 1 ended before it was handed over "
					+ "to the lean supervisor");
			return;
		}
		Optional<Resumption> state = loop.handoverState();
		if (state.isEmpty() || !due(state.get(), System.nanoTime())) {
			schedule(loop);
			return;
		}
		Path socket = loop.directory().socket();
		OptionalInt descriptor = CarriedChannel.descriptorOf(socket);
		if (descriptor.isEmpty()) {
			logger.log(Level.DEBUG, "Instance 1's connection is not the only one at " + socket + ": trying again");
			schedule(loop);
			return;
		}
		String why = loop.handOver(state.get(), descriptor.getAsInt(), this::execResumed);
		logger.log(Level.INFO,
				"Supervising in the launcher''s JVM: cannot hand over to a lean supervisor (" + why + ")");
	}

	/**
	 * Whether it is time to hand over: instance 1 has been started for
	 * {@link #SETTLE_NANOS}, or, for an application that does not call {@code start()}
	 * when it is ready, it was launched {@link #UNSTARTED_NANOS} ago.
	 * @param state the supervision state
	 * @param now the time, by {@link System#nanoTime()}
	 * @return whether to hand over now
	 */
	static boolean due(Resumption state, long now) {
		if (state.started()) {
			return now - state.runningSince() >= SETTLE_NANOS;
		}
		return now - state.launchedAt() >= UNSTARTED_NANOS;
	}

	/** Replace this JVM with the lean one, which goes on with instance 1. */
	private void execResumed(Resumption state, int descriptor) throws IOException {
		NativeExec.prepare(this.directory);
		int saved = CarriedChannel.moveToStandardInput(descriptor);
		try {
			// the new JVM must hold the connection on one descriptor only, so that its
			// closing it ends the connection
			CarriedChannel.closeOriginal(descriptor);
			try {
				execLean(Handoff.resumed(this.settled, state, saved));
			}
			finally {
				CarriedChannel.reopenOriginal(descriptor);
			}
		}
		finally {
			CarriedChannel.restoreStandardInput(saved);
		}
	}

	/** Replace this JVM with the lean one, handing it these properties. */
	private void execLean(Properties properties) throws IOException {
		String classPath = LeanSupervisor.supervisorClassPath(this.directory, true);
		Path file = this.directory.resolve(HANDOFF_FILE);
		Handoff.store(properties, file);
		List<String> argv = new ArrayList<>();
		argv.add(this.command.get(0));
		argv.addAll(this.jvmOptions);
		argv.addAll(List.of("-cp", classPath, LeanSupervisor.class.getName(), file.toString()));
		logger.log(Level.DEBUG, "Replacing this JVM with a lean supervisor: " + String.join(" ", argv));
		System.out.flush();
		System.err.flush();
		NativeExec.prepare(this.directory);
		try {
			NativeExec.execv(this.command.get(0), argv);
		}
		finally {
			Files.deleteIfExists(file);
		}
	}

}
