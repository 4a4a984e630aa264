package dev.samboot.sam;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.samboot.corosync.CmapStatePublisher;
import dev.samboot.corosync.CorosyncQuorum;
import dev.samboot.sam.internal.cache.StartupCache;
import dev.samboot.sam.internal.channel.ChannelDirectory;
import dev.samboot.sam.internal.channel.Codec;
import dev.samboot.sam.internal.process.JvmProcessLauncher;
import dev.samboot.sam.internal.process.SamPlatform;
import dev.samboot.sam.internal.supervisor.Clock;
import dev.samboot.sam.internal.supervisor.ProcessLauncher;
import dev.samboot.sam.internal.supervisor.RestartRules;
import dev.samboot.sam.internal.supervisor.Supervision;
import dev.samboot.sam.internal.supervisor.SupervisorSettings;
import dev.samboot.sam.internal.supervisor.SupervisorSignals;
import dev.samboot.sam.internal.supervisor.ThreadDumps;
import dev.samboot.sam.internal.systemd.SystemdNotifier;

/**
 * The supervisor process as {@link Sam#register()} makes it from {@link SamOptions}: the
 * quorum source, cmap's state publisher, the channel's directory and token (those of
 * instance 1 when it was launched early), the start-up cache, the JVM launcher, the
 * restart rules and systemd, put together with {@link Supervision} and run until the
 * supervisor quits. {@link Sam} stays the libsam facade.
 */
final class SupervisorComposition {

	/** A thread dump never delays anything; jcmd is abandoned after this long. */
	private static final long THREAD_DUMP_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(10);

	/**
	 * When the channel directories of supervisors that were killed are looked for: after
	 * the first instance's start-up, which the supervisor leaves the CPU to.
	 */
	private static final long ABANDONED_SWEEP_DELAY_NANOS = TimeUnit.SECONDS.toNanos(30);

	private static final System.Logger logger = System.getLogger(Sam.class.getName());

	private SupervisorComposition() {
	}

	/**
	 * Supervise until the policy says quit.
	 * @param options the options
	 * @param platform the process's environment, parent and command
	 * @param policy the recovery policy
	 * @param warnSignal the warn signal
	 * @param data the stored data to start with, or {@code null}
	 * @return the status to exit with
	 * @throws SamException with {@link CsError#LIBRARY} when supervising cannot begin
	 */
	static int run(SamOptions options, SamPlatform platform, RecoveryPolicy policy, int warnSignal, byte[] data) {
		QuorumSource quorum = null;
		Supervision supervision = null;
		StartupCache startupCache = null;
		EarlyLaunch early = options.earlyLaunch();
		try {
			quorum = startQuorum(options, policy);
			byte[] token = (early != null) ? early.token() : EarlyLaunch.Channel.newToken();
			ChannelDirectory directory = (early != null) ? early.directory() : ChannelDirectory.create();
			long pid = ProcessHandle.current().pid();
			startupCache = startupCache(options, platform);
			JvmProcessLauncher launcher = new JvmProcessLauncher(platform.commandOrCurrent(),
					EarlyLaunch.Channel.environment(directory.socket(), token, pid), startupCache);
			long intervalNanos = options.interval().toNanos();
			SupervisorSettings settings = new SupervisorSettings(intervalNanos, policy, warnSignal, data,
					options.dataMaxSize(), options.shutdownTimeout().toNanos(), token, pid);
			supervision = Supervision.assemble(settings, restartRules(options, platform, pid), Clock.SYSTEM,
					earlyFirst(early, launcher), statePublisher(options, policy), directory,
					Codec.maxFrameBytes(options.dataMaxSize()), quorum);
			supervision.launchFirst();
			SupervisorSignals.install(supervision.loop());
			supervision.loop().postLater(ABANDONED_SWEEP_DELAY_NANOS, ChannelDirectory::removeAbandoned);
			logger.log(Level.INFO, "Supervisor pid {0}: interval {1} ms, policy {2}, warn signal {3}",
					Long.toString(pid), Long.toString(intervalNanos / 1_000_000), policy, Signals.name(warnSignal));
			logger.log(Level.DEBUG, "Active process command: {0}", String.join(" ", launcher.command()));
			int status = supervision.run();
			closeQuietly(supervision, quorum, startupCache);
			return status;
		}
		catch (IOException ex) {
			cancel(early);
			closeQuietly(supervision, quorum, startupCache);
			throw new SamException(CsError.LIBRARY, "Cannot supervise: " + ex.getMessage(), ex);
		}
		catch (RuntimeException ex) {
			cancel(early);
			closeQuietly(supervision, quorum, startupCache);
			throw ex;
		}
	}

	/** Instance 1 is the one launched early, if it was; the others are launched. */
	private static ProcessLauncher earlyFirst(EarlyLaunch early, JvmProcessLauncher launcher) {
		AtomicReference<EarlyLaunch> launchedEarly = new AtomicReference<>(early);
		return launcher.launchingBy((environment) -> {
			EarlyLaunch first = launchedEarly.getAndSet(null);
			return (first != null) ? first.handOver() : launcher.launch(environment);
		});
	}

	/** An instance launched early and not handed over goes when supervising fails. */
	private static void cancel(EarlyLaunch early) {
		if (early != null) {
			early.cancel();
		}
	}

	private static StartupCache startupCache(SamOptions options, SamPlatform platform) {
		if (options.startupCacheDirectory() == null) {
			return null;
		}
		return StartupCache
			.create(options.startupCacheDirectory(), options.startupCacheTrainingJvmOptions(),
					options.startupCacheTrainingArguments(), platform.commandOrCurrent(), platform.environment())
			.orElse(null);
	}

	private static RestartRules restartRules(SamOptions o, SamPlatform platform, long pid) {
		ThreadDumps dumps = null;
		if (o.threadDumpDirectory() != null) {
			dumps = new ThreadDumps(o.threadDumpDirectory(), THREAD_DUMP_LIMIT_NANOS, o.threadDumpMaxCount(),
					o.threadDumpMaxAge());
			// what earlier runs left, before this one adds its own
			dumps.prune();
		}
		return new RestartRules(o.maxRestarts(), o.restartWindow().toNanos(), o.backoff(), o.startRetry(),
				o.restartExitCodes(), o.quitExitCodes(), o.startupTimeout().toNanos(), dumps, systemd(platform, pid),
				Math::random);
	}

	/**
	 * Only under systemd: the notifier needs jnr, which a lean supervisor carries only
	 * then.
	 */
	private static SystemdNotifier systemd(SamPlatform platform, long pid) {
		if (!platform.environment().containsKey(SystemdNotifier.NOTIFY_SOCKET)) {
			return null;
		}
		return SystemdNotifier.fromEnvironment(platform.environment(), pid).orElse(null);
	}

	private static QuorumSource startQuorum(SamOptions options, RecoveryPolicy policy) {
		if (!policy.quorum()) {
			return null;
		}
		return (options.quorumSource() != null) ? options.quorumSource().get() : new CorosyncQuorum();
	}

	private static StatePublisher statePublisher(SamOptions options, RecoveryPolicy policy) {
		if (!policy.cmap()) {
			return null;
		}
		return (options.statePublisher() != null) ? options.statePublisher().get() : new CmapStatePublisher();
	}

	private static void closeQuietly(Supervision supervision, QuorumSource quorum, StartupCache startupCache) {
		if (startupCache != null) {
			startupCache.close();
		}
		if (supervision != null) {
			supervision.close();
		}
		if (quorum != null) {
			quorum.close();
		}
	}

}
