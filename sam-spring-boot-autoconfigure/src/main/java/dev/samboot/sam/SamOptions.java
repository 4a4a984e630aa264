package dev.samboot.sam;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Everything {@link Sam#initialize(SamOptions)} takes: libsam's two arguments and the settings
 * libsam fixes at compile time or leaves to corosync.
 */
public final class SamOptions {

	/** Default largest stored data: 1 MiB. */
	public static final int DEFAULT_DATA_MAX_SIZE = 1024 * 1024;

	/** Largest allowed stored-data limit: 64 MiB (the data is held in memory and copied to every instance). */
	public static final int MAX_DATA_MAX_SIZE = 64 * 1024 * 1024;

	/** Default time a stopped instance has before SIGKILL. */
	public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

	/** JVM options of a lean supervisor: interpreter only, the serial GC, no attach listener. */
	public static final List<String> LEAN_SUPERVISOR_JVM_OPTIONS = LeanSupervisor.DEFAULT_JVM_OPTIONS;

	private final Duration interval;

	private final RecoveryPolicy policy;

	private final int dataMaxSize;

	private final Duration shutdownTimeout;

	private final Supplier<QuorumSource> quorumSource;

	private final Supplier<StatePublisher> statePublisher;

	private final List<String> supervisorJvmOptions;

	private SamOptions(Builder builder) {
		this.interval = builder.interval;
		this.policy = builder.policy;
		this.dataMaxSize = builder.dataMaxSize;
		this.shutdownTimeout = builder.shutdownTimeout;
		this.quorumSource = builder.quorumSource;
		this.statePublisher = builder.statePublisher;
		this.supervisorJvmOptions = builder.supervisorJvmOptions;
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

	Supplier<QuorumSource> quorumSource() {
		return this.quorumSource;
	}

	Supplier<StatePublisher> statePublisher() {
		return this.statePublisher;
	}

	/**
	 * Return the JVM options of the lean supervisor, if one was requested.
	 * @return the options, or {@code null} to supervise in the JVM that called {@code register()}
	 */
	public List<String> supervisorJvmOptions() {
		return this.supervisorJvmOptions;
	}

	/**
	 * Builds {@link SamOptions}; values are checked by {@link Sam#initialize(SamOptions)}, which
	 * reports them the libsam way.
	 */
	public static final class Builder {

		private final Duration interval;

		private final RecoveryPolicy policy;

		private int dataMaxSize = DEFAULT_DATA_MAX_SIZE;

		private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;

		private Supplier<QuorumSource> quorumSource;

		private Supplier<StatePublisher> statePublisher;

		private List<String> supervisorJvmOptions;

		private Builder(Duration interval, RecoveryPolicy policy) {
			this.interval = interval;
			this.policy = policy;
		}

		/**
		 * Set the largest data {@code dataStore} accepts; more is {@link CsError#TOO_BIG}.
		 * @param bytes the limit, 0 to {@link #MAX_DATA_MAX_SIZE}
		 * @return this builder
		 */
		public Builder dataMaxSize(int bytes) {
			this.dataMaxSize = bytes;
			return this;
		}

		/**
		 * Set how long an instance stopped from outside (SIGTERM to the supervisor) has before SIGKILL.
		 * @param timeout the timeout
		 * @return this builder
		 */
		public Builder shutdownTimeout(Duration timeout) {
			this.shutdownTimeout = Objects.requireNonNull(timeout, "timeout");
			return this;
		}

		/**
		 * Set where the supervisor learns about quorum, for policies with the quorum flag; the
		 * default is corosync's votequorum ({@link CorosyncQuorum}).
		 * @param source creates the source, in the supervisor only
		 * @return this builder
		 */
		public Builder quorumSource(Supplier<QuorumSource> source) {
			this.quorumSource = source;
			return this;
		}

		/**
		 * Set where the supervisor publishes its state, for policies with the cmap flag; the
		 * default is corosync's cmap ({@link CmapStatePublisher}).
		 * @param publisher creates the publisher, in the supervisor only
		 * @return this builder
		 */
		public Builder statePublisher(Supplier<StatePublisher> publisher) {
			this.statePublisher = publisher;
			return this;
		}

		/**
		 * Have the supervisor replace its JVM, keeping its pid, with a small one that loads only
		 * this package, so that what the application loaded before {@code register()} does not
		 * stay resident in the supervisor. Not possible with the quorum or cmap flag, or with a
		 * quorum source or state publisher of your own: the supervisor then stays in this JVM.
		 * @param jvmOptions the new JVM's options, such as {@link #LEAN_SUPERVISOR_JVM_OPTIONS};
		 * {@code null} to supervise in this JVM
		 * @return this builder
		 */
		public Builder leanSupervisor(List<String> jvmOptions) {
			this.supervisorJvmOptions = (jvmOptions != null) ? List.copyOf(jvmOptions) : null;
			return this;
		}

		public SamOptions build() {
			return new SamOptions(this);
		}

	}

}
