package dev.samboot.sam;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

import dev.samboot.corosync.CmapStatePublisher;
import dev.samboot.corosync.CorosyncQuorum;
import dev.samboot.sam.internal.lean.LeanSupervisor;

/**
 * Everything {@link Sam#initialize(SamOptions)} takes: libsam's two arguments and the
 * settings libsam fixes at compile time or leaves to corosync.
 */
public final class SamOptions {

	/** Default largest stored data: 1 MiB. */
	public static final int DEFAULT_DATA_MAX_SIZE = 1024 * 1024;

	/**
	 * Largest allowed stored-data limit: 64 MiB (the data is held in memory and copied to
	 * every instance).
	 */
	public static final int MAX_DATA_MAX_SIZE = 64 * 1024 * 1024;

	/**
	 * Default number of thread dumps kept in their directory: those of the last hangs
	 * (one dump each, three at most), some 1.5 MB at the sample application's 31 KB a
	 * dump.
	 */
	public static final int DEFAULT_THREAD_DUMP_MAX_COUNT = 50;

	/**
	 * Default age after which a thread dump is removed: a week keeps a weekend's dumps
	 * until someone looks at them on Monday.
	 */
	public static final Duration DEFAULT_THREAD_DUMP_MAX_AGE = Duration.ofDays(7);

	/** Default time a stopped instance has before SIGKILL. */
	public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

	/**
	 * JVM options of a lean supervisor: interpreter only, the serial GC, no attach
	 * listener.
	 */
	public static final List<String> LEAN_SUPERVISOR_JVM_OPTIONS = LeanSupervisor.DEFAULT_JVM_OPTIONS;

	private final Duration interval;

	private final RecoveryPolicy policy;

	private final int dataMaxSize;

	private final Duration shutdownTimeout;

	private final Supplier<QuorumSource> quorumSource;

	private final Supplier<StatePublisher> statePublisher;

	private final List<String> supervisorJvmOptions;

	private final EarlyLaunch earlyLaunch;

	private final int maxRestarts;

	private final Duration restartWindow;

	private final Backoff backoff;

	private final Backoff startRetry;

	private final Set<Integer> restartExitCodes;

	private final Set<Integer> quitExitCodes;

	private final Duration startupTimeout;

	private final Path threadDumpDirectory;

	private final int threadDumpMaxCount;

	private final Duration threadDumpMaxAge;

	private final SupervisorLog supervisorLog;

	private final Path startupCacheDirectory;

	private final List<String> startupCacheTrainingJvmOptions;

	private final List<String> startupCacheTrainingArguments;

	private SamOptions(Builder builder) {
		this.interval = builder.interval;
		this.policy = builder.policy;
		this.dataMaxSize = builder.dataMaxSize;
		this.shutdownTimeout = builder.shutdownTimeout;
		this.quorumSource = builder.quorumSource;
		this.earlyLaunch = builder.earlyLaunch;
		this.statePublisher = builder.statePublisher;
		this.supervisorJvmOptions = builder.supervisorJvmOptions;
		this.maxRestarts = builder.maxRestarts;
		this.restartWindow = builder.restartWindow;
		this.backoff = builder.backoff;
		this.startRetry = builder.startRetry;
		this.restartExitCodes = builder.restartExitCodes;
		this.quitExitCodes = builder.quitExitCodes;
		this.startupTimeout = builder.startupTimeout;
		this.threadDumpDirectory = builder.threadDumpDirectory;
		this.threadDumpMaxCount = builder.threadDumpMaxCount;
		this.threadDumpMaxAge = builder.threadDumpMaxAge;
		this.supervisorLog = builder.supervisorLog;
		this.startupCacheDirectory = builder.startupCacheDirectory;
		this.startupCacheTrainingJvmOptions = builder.startupCacheTrainingJvmOptions;
		this.startupCacheTrainingArguments = builder.startupCacheTrainingArguments;
	}

	/**
	 * Return these options with instance 1 launched early.
	 * @param launched the early launch, or {@code null}
	 * @return the options
	 */
	public SamOptions withEarlyLaunch(EarlyLaunch launched) {
		Builder builder = new Builder(this.interval, this.policy);
		builder.dataMaxSize = this.dataMaxSize;
		builder.shutdownTimeout = this.shutdownTimeout;
		builder.quorumSource = this.quorumSource;
		builder.earlyLaunch = launched;
		builder.statePublisher = this.statePublisher;
		builder.supervisorJvmOptions = this.supervisorJvmOptions;
		builder.maxRestarts = this.maxRestarts;
		builder.restartWindow = this.restartWindow;
		builder.backoff = this.backoff;
		builder.startRetry = this.startRetry;
		builder.restartExitCodes = this.restartExitCodes;
		builder.quitExitCodes = this.quitExitCodes;
		builder.startupTimeout = this.startupTimeout;
		builder.threadDumpDirectory = this.threadDumpDirectory;
		builder.threadDumpMaxCount = this.threadDumpMaxCount;
		builder.threadDumpMaxAge = this.threadDumpMaxAge;
		builder.supervisorLog = this.supervisorLog;
		builder.startupCacheDirectory = this.startupCacheDirectory;
		builder.startupCacheTrainingJvmOptions = this.startupCacheTrainingJvmOptions;
		builder.startupCacheTrainingArguments = this.startupCacheTrainingArguments;
		return builder.build();
	}

	/**
	 * Start building options with libsam's two arguments.
	 * @param interval the health-check interval; zero for none
	 * @param policy the recovery policy
	 * @return a builder
	 */
	public static Builder builder(Duration interval, RecoveryPolicy policy) {
		return new Builder(interval, policy);
	}

	/**
	 * Return instance 1 if it was launched before {@code register()}.
	 * @return the early launch, or {@code null}
	 */
	public EarlyLaunch earlyLaunch() {
		return this.earlyLaunch;
	}

	public Duration interval() {
		return this.interval;
	}

	public RecoveryPolicy policy() {
		return this.policy;
	}

	public int dataMaxSize() {
		return this.dataMaxSize;
	}

	public Duration shutdownTimeout() {
		return this.shutdownTimeout;
	}

	/**
	 * Return the quorum source set with {@link Builder#quorumSource}.
	 * @return the supplier, or {@code null} for corosync's votequorum
	 */
	public Supplier<QuorumSource> quorumSource() {
		return this.quorumSource;
	}

	/**
	 * Return the state publisher set with {@link Builder#statePublisher}.
	 * @return the supplier, or {@code null} for corosync's cmap
	 */
	public Supplier<StatePublisher> statePublisher() {
		return this.statePublisher;
	}

	/**
	 * Return the most restarts allowed within {@link #restartWindow()}.
	 * @return the limit, negative for none
	 */
	public int maxRestarts() {
		return this.maxRestarts;
	}

	public Duration restartWindow() {
		return this.restartWindow;
	}

	public Backoff backoff() {
		return this.backoff;
	}

	/**
	 * Return the waits before an instance that was started as a recovery and ended before
	 * {@code start()} is launched again.
	 * @return the waits, or {@code null} for libsam's rule (the supervisor quits)
	 */
	public Backoff startRetry() {
		return this.startRetry;
	}

	public Set<Integer> restartExitCodes() {
		return this.restartExitCodes;
	}

	public Set<Integer> quitExitCodes() {
		return this.quitExitCodes;
	}

	/**
	 * Return how long an instance has to call {@code start()}.
	 * @return the limit, zero for none
	 */
	public Duration startupTimeout() {
		return this.startupTimeout;
	}

	/**
	 * Return where thread dumps of silent instances are written.
	 * @return the directory, or {@code null} for no thread dumps
	 */
	public Path threadDumpDirectory() {
		return this.threadDumpDirectory;
	}

	/**
	 * Return how many thread dumps their directory keeps, at most.
	 * @return the number, 1 or more
	 */
	public int threadDumpMaxCount() {
		return this.threadDumpMaxCount;
	}

	/**
	 * Return how old a thread dump in their directory may be before it is removed.
	 * @return the age, greater than 0
	 */
	public Duration threadDumpMaxAge() {
		return this.threadDumpMaxAge;
	}

	/**
	 * Return how a lean supervisor writes its log lines.
	 * @return the format and levels
	 */
	public SupervisorLog supervisorLog() {
		return this.supervisorLog;
	}

	/**
	 * Return the directory of the start-up cache.
	 * @return the directory, or {@code null} for no start-up cache
	 */
	public Path startupCacheDirectory() {
		return this.startupCacheDirectory;
	}

	/**
	 * Return the JVM options the start-up cache's training run adds to the command.
	 * @return the options
	 */
	public List<String> startupCacheTrainingJvmOptions() {
		return this.startupCacheTrainingJvmOptions;
	}

	/**
	 * Return the arguments the start-up cache's training run appends to the command.
	 * @return the arguments
	 */
	public List<String> startupCacheTrainingArguments() {
		return this.startupCacheTrainingArguments;
	}

	/**
	 * Return the JVM options of the lean supervisor, if one was requested.
	 * @return the options, or {@code null} to supervise in the JVM that called
	 * {@code register()}
	 */
	public List<String> supervisorJvmOptions() {
		return this.supervisorJvmOptions;
	}

	/**
	 * Builds {@link SamOptions}; values are checked by
	 * {@link Sam#initialize(SamOptions)}, which reports them the libsam way.
	 */
	public static final class Builder {

		private final Duration interval;

		private final RecoveryPolicy policy;

		private int dataMaxSize = DEFAULT_DATA_MAX_SIZE;

		private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;

		private Supplier<QuorumSource> quorumSource;

		private EarlyLaunch earlyLaunch;

		private Supplier<StatePublisher> statePublisher;

		private List<String> supervisorJvmOptions;

		private int maxRestarts = -1;

		private Duration restartWindow = Duration.ZERO;

		private Backoff backoff = Backoff.NONE;

		private Backoff startRetry;

		private Set<Integer> restartExitCodes = Set.of();

		private Set<Integer> quitExitCodes = Set.of();

		private Duration startupTimeout = Duration.ZERO;

		private Path threadDumpDirectory;

		private int threadDumpMaxCount = DEFAULT_THREAD_DUMP_MAX_COUNT;

		private Duration threadDumpMaxAge = DEFAULT_THREAD_DUMP_MAX_AGE;

		private SupervisorLog supervisorLog = SupervisorLog.PLAIN;

		private Path startupCacheDirectory;

		private List<String> startupCacheTrainingJvmOptions = List.of();

		private List<String> startupCacheTrainingArguments = List.of();

		private Builder(Duration interval, RecoveryPolicy policy) {
			this.interval = interval;
			this.policy = policy;
		}

		/**
		 * Set the largest data {@code dataStore} accepts; more is
		 * {@link CsError#TOO_BIG}.
		 * @param bytes the limit, 0 to {@link #MAX_DATA_MAX_SIZE}
		 * @return this builder
		 */
		public Builder dataMaxSize(int bytes) {
			this.dataMaxSize = bytes;
			return this;
		}

		/**
		 * Set how long an instance stopped from outside (SIGTERM to the supervisor) has
		 * before SIGKILL.
		 * @param timeout the timeout
		 * @return this builder
		 */
		public Builder shutdownTimeout(Duration timeout) {
			this.shutdownTimeout = Objects.requireNonNull(timeout, "timeout");
			return this;
		}

		/**
		 * Set where the supervisor learns about quorum, for policies with the quorum
		 * flag; the default is corosync's votequorum ({@link CorosyncQuorum}).
		 * @param source creates the source, in the supervisor only
		 * @return this builder
		 */
		public Builder quorumSource(Supplier<QuorumSource> source) {
			this.quorumSource = source;
			return this;
		}

		/**
		 * Set where the supervisor publishes its state, for policies with the cmap flag;
		 * the default is corosync's cmap ({@link CmapStatePublisher}).
		 * @param publisher creates the publisher, in the supervisor only
		 * @return this builder
		 */
		public Builder statePublisher(Supplier<StatePublisher> publisher) {
			this.statePublisher = publisher;
			return this;
		}

		/**
		 * Have the supervisor take over instance 1, launched before {@code register()},
		 * instead of launching it. In an active process this is ignored.
		 * @param launched the early launch, or {@code null} to launch instance 1 in
		 * {@code register()}
		 * @return this builder
		 */
		public Builder earlyLaunch(EarlyLaunch launched) {
			this.earlyLaunch = launched;
			return this;
		}

		/**
		 * Have the supervisor replace its JVM, keeping its pid, with a small one that
		 * loads only samboot's core, so that what the application loaded before
		 * {@code register()} does not stay resident in the supervisor. With the quorum or
		 * cmap flag it also loads jnr's jars, for corosync's libraries. Not possible with
		 * a quorum source or state publisher of your own: the supervisor then stays in
		 * this JVM.
		 * @param jvmOptions the new JVM's options, such as
		 * {@link #LEAN_SUPERVISOR_JVM_OPTIONS}; {@code null} to supervise in this JVM
		 * @return this builder
		 */
		public Builder leanSupervisor(List<String> jvmOptions) {
			this.supervisorJvmOptions = (jvmOptions != null) ? List.copyOf(jvmOptions) : null;
			return this;
		}

		/**
		 * Give up, as an OTP supervisor reaching its restart intensity, when a recovery
		 * would be the restart after {@code maxRestarts} restarts within {@code window}:
		 * the supervisor quits with the last status instead (state {@code failed}).
		 * libsam restarts forever.
		 * @param maxRestarts the restarts allowed within the window, 0 or more; negative
		 * for no limit
		 * @param window the window
		 * @return this builder
		 */
		public Builder restartIntensity(int maxRestarts, Duration window) {
			this.maxRestarts = maxRestarts;
			this.restartWindow = Objects.requireNonNull(window, "window");
			return this;
		}

		/**
		 * Wait before each restart, longer for each restart in a row. libsam restarts at
		 * once.
		 * @param backoff the waits
		 * @return this builder
		 */
		public Builder backoff(Backoff backoff) {
			this.backoff = Objects.requireNonNull(backoff, "backoff");
			return this;
		}

		/**
		 * Launch again an instance that was started as a recovery (instance 2 and later)
		 * and ended before it called {@code start()}, after a wait that grows with each
		 * such failure in a row, instead of quitting: what broke the last instance (a
		 * database, a file, a port) may still be away. Each retry is a recovery with
		 * reason {@link Recovery.Reason#START_FAILED}, counted by the restart intensity
		 * and subject to the quit exit statuses. The first instance that ends before
		 * {@code start()} still makes the supervisor quit with its status, as in libsam,
		 * so a configuration error does not loop.
		 * @param backoff the waits ({@link Backoff#resetAfter()} is not used: an instance
		 * that reaches {@code start()} ends the series), or {@code null} for libsam's
		 * rule
		 * @return this builder
		 */
		public Builder retryFailedStarts(Backoff backoff) {
			this.startRetry = backoff;
			return this;
		}

		/**
		 * Choose restart or quit by the failed instance's exit status, whatever the
		 * policy says; for example a configuration error's status should not restart for
		 * ever.
		 * @param restart statuses that restart
		 * @param quit statuses that quit
		 * @return this builder
		 */
		public Builder exitCodes(Set<Integer> restart, Set<Integer> quit) {
			this.restartExitCodes = Set.copyOf(restart);
			this.quitExitCodes = Set.copyOf(quit);
			return this;
		}

		/**
		 * Limit the time an instance has to call {@code start()}: one that has not by
		 * then is warned and killed like a silent one (libsam has no limit before
		 * {@code start()}).
		 * @param timeout the limit, zero for none
		 * @return this builder
		 */
		public Builder startupTimeout(Duration timeout) {
			this.startupTimeout = Objects.requireNonNull(timeout, "timeout");
			return this;
		}

		/**
		 * Take a thread dump ({@code jcmd Thread.print}) of an instance that is about to
		 * be warned, into this directory, named after the instance and the time.
		 * @param directory the directory, or {@code null} for none
		 * @return this builder
		 */
		public Builder threadDumps(Path directory) {
			this.threadDumpDirectory = directory;
			return this;
		}

		/**
		 * Keep the thread dump directory within bounds, as systemd-coredump keeps its
		 * own: when the supervisor starts and after each dump, the dumps beyond the
		 * newest {@code maxCount} and those older than {@code maxAge} are removed, oldest
		 * first. Only files named as the supervisor names its dumps are removed; the
		 * bounds are for the whole directory, whichever supervisor wrote them.
		 * @param maxCount the most dumps kept, 1 or more (default
		 * {@value #DEFAULT_THREAD_DUMP_MAX_COUNT})
		 * @param maxAge the age after which a dump is removed, greater than 0 (default
		 * {@link #DEFAULT_THREAD_DUMP_MAX_AGE})
		 * @return this builder
		 */
		public Builder threadDumpLimits(int maxCount, Duration maxAge) {
			this.threadDumpMaxCount = maxCount;
			this.threadDumpMaxAge = Objects.requireNonNull(maxAge, "maxAge");
			return this;
		}

		/**
		 * Set how a lean supervisor writes its log lines: plain, or in one of Spring
		 * Boot's structured formats, and at which levels.
		 * @param log the format and levels (default {@link SupervisorLog#PLAIN})
		 * @return this builder
		 */
		public Builder supervisorLog(SupervisorLog log) {
			this.supervisorLog = Objects.requireNonNull(log, "log");
			return this;
		}

		/**
		 * Have later instances start faster with a JVM class-data cache that the
		 * supervisor trains once, in the background, in this directory: a dynamic AppCDS
		 * archive on JDK 13 to 23, the AOT cache on JDK 24 and later (the JDK of the
		 * {@code java} that launches the instances). The training run is the
		 * application's own command plus {@link #startupCacheTraining(List, List)}, which
		 * must make it exit by itself once it has started, without supervision.
		 * @param directory the cache directory, used by this application only;
		 * {@code null} for none
		 * @return this builder
		 */
		public Builder startupCache(Path directory) {
			this.startupCacheDirectory = directory;
			return this;
		}

		/**
		 * Set what the start-up cache's training run adds to the application's command:
		 * for Spring Boot {@code -Dspring.context.exit=onRefresh} and
		 * {@code --sam.enabled=false}.
		 * @param jvmOptions JVM options, added before the main class or jar
		 * @param arguments arguments, appended
		 * @return this builder
		 */
		public Builder startupCacheTraining(List<String> jvmOptions, List<String> arguments) {
			this.startupCacheTrainingJvmOptions = List.copyOf(jvmOptions);
			this.startupCacheTrainingArguments = List.copyOf(arguments);
			return this;
		}

		public SamOptions build() {
			return new SamOptions(this);
		}

	}

}
