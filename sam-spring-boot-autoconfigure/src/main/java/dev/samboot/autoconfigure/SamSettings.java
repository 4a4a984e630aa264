package dev.samboot.autoconfigure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import dev.samboot.corosync.Cpg;
import dev.samboot.sam.Backoff;
import dev.samboot.sam.QuorumSource;
import dev.samboot.sam.RecoveryPolicy;
import dev.samboot.sam.SamOptions;
import dev.samboot.sam.Signals;
import dev.samboot.sam.SupervisorLog;
import dev.samboot.zookeeper.ZooKeeperQuorum;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;
import org.springframework.util.unit.DataSize;

/**
 * {@link SamProperties} checked and turned into what the core takes. Every value samboot
 * cannot use is an {@link InvalidSamPropertyException} naming the property, the value and
 * what is allowed, thrown before anything is launched.
 *
 * @param properties the bound properties
 * @param options the options for {@code Sam.initialize}
 * @param warnSignal the warn signal's number
 * @param healthTimeout the time one health check may take
 */
public record SamSettings(SamProperties properties, SamOptions options, int warnSignal, Duration healthTimeout) {

	static final long MAX_INTERVAL_MILLIS = Integer.MAX_VALUE;

	private static final String CURATOR = "org.apache.curator.framework.CuratorFramework";

	private static final String DURATION = "a duration such as 500ms, 5s or 1m";

	/**
	 * What each property accepts, for the messages of values that cannot even be bound.
	 */
	static final Map<String, String> ALLOWED = Map.ofEntries(Map.entry("sam.enabled", "true or false"),
			Map.entry("sam.interval",
					DURATION + ", from 0 (only the death of the process is watched) to " + MAX_INTERVAL_MILLIS
							+ "ms (about 24.8 days)"),
			Map.entry("sam.policy", "one of quit, restart, quorum-quit, quorum-restart"),
			Map.entry("sam.warn-signal",
					"a signal name such as TERM, SIGUSR1 or KILL, or a number from 1 to " + Signals.MAX_SIGNAL),
			Map.entry("sam.start", "one of ready, started, manual"),
			Map.entry("sam.shutdown-timeout", DURATION + ", 0 or more"),
			Map.entry("sam.health.enabled", "true or false"),
			Map.entry("sam.health.group",
					"the name of a health group defined under management.endpoint.health.group (liveness by default), "
							+ "or * for every health indicator"),
			Map.entry("sam.health.deadlocks.enabled", "true or false"),
			Map.entry("sam.health.timeout", DURATION + ", greater than 0 and at most sam.interval"),
			Map.entry("sam.data.max-size",
					"a data size such as 64KB or 1MB, from 0B to "
							+ DataSize.ofBytes(SamOptions.MAX_DATA_MAX_SIZE).toMegabytes() + "MB"),
			Map.entry("sam.cmap.enabled", "true or false"), Map.entry("sam.supervisor.lean", "true or false"),
			Map.entry("sam.supervisor.early-launch", "true or false"),
			Map.entry("sam.supervisor.jvm-options", "a list of JVM options such as -Xmx24m"),
			Map.entry("sam.quorum.provider", "corosync or zookeeper"),
			Map.entry("sam.quorum.zookeeper.connect-string",
					"the ensemble's servers, such as zk1:2181,zk2:2181,zk3:2181 (needed with sam.quorum.provider=zookeeper)"),
			Map.entry("sam.quorum.zookeeper.session-timeout", DURATION + ", greater than 0"),
			Map.entry("sam.quorum.zookeeper.connection-timeout", DURATION + ", greater than 0"),
			Map.entry("sam.restart.max-restarts", "-1 (no limit) or a number of restarts, 0 or more"),
			Map.entry("sam.restart.window", DURATION + ", greater than 0"),
			Map.entry("sam.restart.backoff.initial", DURATION + ", 0 (no wait) or more"),
			Map.entry("sam.restart.backoff.max", DURATION + ", 0 or more"),
			Map.entry("sam.restart.backoff.multiplier", "a number, 1 or more"),
			Map.entry("sam.restart.backoff.jitter", "a number from 0 to 1"),
			Map.entry("sam.restart.backoff.reset-after", DURATION + ", 0 or more"),
			Map.entry("sam.restart.start-retry.enabled", "true or false"),
			Map.entry("sam.restart.start-retry.initial", DURATION + ", greater than 0"),
			Map.entry("sam.restart.start-retry.max", DURATION + ", at least sam.restart.start-retry.initial"),
			Map.entry("sam.restart.start-retry.multiplier", "a number, 1 or more"),
			Map.entry("sam.restart.start-retry.jitter", "a number from 0 to 1"),
			Map.entry("sam.restart.exit-codes", "a list of exit statuses from 0 to 255"),
			Map.entry("sam.quit.exit-codes",
					"a list of exit statuses from 0 to 255, none of them also in sam.restart.exit-codes"),
			Map.entry("sam.startup-timeout", DURATION + ", 0 (no limit) or more"),
			Map.entry("sam.thread-dump.enabled", "true or false"),
			Map.entry("sam.thread-dump.directory", "a directory path"),
			Map.entry("sam.thread-dump.max-count", "a number of thread dumps, 1 or more"),
			Map.entry("sam.thread-dump.max-age", DURATION + ", greater than 0"),
			Map.entry("sam.restart.startup-cache.enabled", "true or false"),
			Map.entry("sam.restart.startup-cache.directory", "a directory path, not an existing file"),
			Map.entry("sam.cpg.group",
					"a group name that is not blank, of at most " + Cpg.MAX_NAME_BYTES
							+ " bytes of UTF-8 and without NUL characters"),
			Map.entry("sam.cpg.rejoin-timeout", DURATION + ", greater than 0"),
			Map.entry("sam.cpg.send-timeout", DURATION + ", 0 (no retry) to 1m"),
			Map.entry("sam.cpg.max-message-size", "a data size such as 64KB or 1MB, from 1B to "
					+ DataSize.ofBytes(CpgSettings.MAX_MESSAGE_SIZE).toMegabytes() + "MB"));

	/**
	 * What the start-up cache's training run adds: stop once the context is refreshed,
	 * unsupervised.
	 */
	static final List<String> STARTUP_CACHE_TRAINING_JVM_OPTIONS = List.of("-Dspring.context.exit=onRefresh");

	static final List<String> STARTUP_CACHE_TRAINING_ARGUMENTS = List.of("--sam.enabled=false");

	/**
	 * Return these settings with instance 1 launched early.
	 * @param launched the early launch
	 * @return the settings
	 */
	SamSettings withEarlyLaunch(dev.samboot.sam.EarlyLaunch launched) {
		return new SamSettings(this.properties, this.options.withEarlyLaunch(launched), this.warnSignal,
				this.healthTimeout);
	}

	/**
	 * Bind and check {@code sam.*}.
	 * @param environment the environment
	 * @return the settings
	 * @throws InvalidSamPropertyException for the first value that cannot be used
	 */
	public static SamSettings bind(Environment environment) {
		SamProperties properties;
		try {
			properties = Binder.get(environment).bindOrCreate("sam", SamProperties.class);
		}
		catch (BindException ex) {
			throw invalid(ex);
		}
		// an empty value binds to null rather than to the default
		check(properties.policy() != null, "sam.policy", environment.getProperty("sam.policy"));
		check(properties.start() != null, "sam.start", environment.getProperty("sam.start"));
		try {
			return of(properties, environment.getProperty("spring.application.name"),
					SupervisorLogSettings.from(environment));
		}
		catch (InvalidSamPropertyException ex) {
			throw asWritten(ex, environment);
		}
	}

	/**
	 * Return the failure with the value as written (-1s, 1GB), not as bound (PT-1S,
	 * 1073741824B).
	 * @param ex the failure
	 * @param environment where the value was written
	 * @return the failure to throw
	 */
	static InvalidSamPropertyException asWritten(InvalidSamPropertyException ex, Environment environment) {
		String written = environment.getProperty(ex.getProperty());
		if (written == null || written.equals(String.valueOf(ex.getValue()))) {
			return ex;
		}
		return new InvalidSamPropertyException(ex.getProperty(), written, ex.getAllowed(), ex.getCause());
	}

	/**
	 * Read {@code sam.enabled}, which decides whether the rest is bound at all.
	 * @param environment the environment
	 * @return whether supervision is on (the default)
	 * @throws InvalidSamPropertyException when the value is neither true nor false
	 */
	static boolean enabled(Environment environment) {
		try {
			return Binder.get(environment).bind("sam.enabled", Boolean.class).orElse(true);
		}
		catch (BindException ex) {
			throw invalid(ex);
		}
	}

	/**
	 * Check bound properties.
	 * @param properties the properties
	 * @return the settings
	 * @throws InvalidSamPropertyException for the first value that cannot be used
	 */
	public static SamSettings of(SamProperties properties) {
		return of(properties, null);
	}

	/**
	 * Check bound properties.
	 * @param properties the properties
	 * @param applicationName {@code spring.application.name}, which names the default
	 * start-up cache directory, or {@code null}
	 * @return the settings
	 * @throws InvalidSamPropertyException for the first value that cannot be used
	 */
	static SamSettings of(SamProperties properties, String applicationName) {
		return of(properties, applicationName, SupervisorLog.PLAIN);
	}

	/**
	 * Check bound properties.
	 * @param properties the properties
	 * @param applicationName {@code spring.application.name}, which names the default
	 * start-up cache directory, or {@code null}
	 * @param log how a lean supervisor logs, as the application's logging properties say
	 * @return the settings
	 * @throws InvalidSamPropertyException for the first value that cannot be used
	 */
	static SamSettings of(SamProperties properties, String applicationName, SupervisorLog log) {
		Duration interval = properties.interval();
		check(interval != null && !interval.isNegative() && interval.toMillis() <= MAX_INTERVAL_MILLIS, "sam.interval",
				interval);
		Duration shutdownTimeout = properties.shutdownTimeout();
		check(shutdownTimeout != null && !shutdownTimeout.isNegative(), "sam.shutdown-timeout", shutdownTimeout);
		DataSize maxSize = properties.data().maxSize();
		check(maxSize != null && maxSize.toBytes() >= 0 && maxSize.toBytes() <= SamOptions.MAX_DATA_MAX_SIZE,
				"sam.data.max-size", maxSize);
		check(properties.policy() != null, "sam.policy", null);
		check(properties.start() != null, "sam.start", null);
		int warnSignal = warnSignal(properties.warnSignal());
		Duration healthTimeout = healthTimeout(properties.health(), interval);
		String group = properties.health().group();
		check(group == null || !group.isBlank(), "sam.health.group", group);
		RecoveryPolicy policy = recoveryPolicy(properties);
		SamOptions.Builder options = SamOptions.builder(interval, policy)
			.dataMaxSize((int) maxSize.toBytes())
			.shutdownTimeout(shutdownTimeout)
			.leanSupervisor(supervisorJvmOptions(properties.supervisor()))
			.supervisorLog(log);
		restartRules(properties, options);
		startupCache(properties.restart().startupCache(), applicationName, options);
		if (policy.quorum() && properties.quorum().provider() == SamProperties.Quorum.Provider.ZOOKEEPER) {
			options.quorumSource(zooKeeper(properties.quorum().zookeeper()));
		}
		// checked here too, so that a wrong value stops the supervisor before it launches
		CpgSettings.of(properties.cpg(), interval);
		return new SamSettings(properties, options.build(), warnSignal, healthTimeout);
	}

	private static void restartRules(SamProperties properties, SamOptions.Builder options) {
		SamProperties.Restart restart = properties.restart();
		check(restart.maxRestarts() >= -1, "sam.restart.max-restarts", restart.maxRestarts());
		check(restart.window() != null && restart.window().compareTo(Duration.ZERO) > 0, "sam.restart.window",
				restart.window());
		options.restartIntensity(restart.maxRestarts(), restart.window());
		SamProperties.Backoff backoff = restart.backoff();
		check(backoff.initial() != null && !backoff.initial().isNegative(), "sam.restart.backoff.initial",
				backoff.initial());
		check(backoff.max() != null && !backoff.max().isNegative(), "sam.restart.backoff.max", backoff.max());
		check(backoff.multiplier() >= 1 && !Double.isInfinite(backoff.multiplier()), "sam.restart.backoff.multiplier",
				backoff.multiplier());
		check(backoff.jitter() >= 0 && backoff.jitter() <= 1, "sam.restart.backoff.jitter", backoff.jitter());
		check(backoff.resetAfter() != null && !backoff.resetAfter().isNegative(), "sam.restart.backoff.reset-after",
				backoff.resetAfter());
		options.backoff(new Backoff(backoff.initial(), backoff.max(), backoff.multiplier(), backoff.jitter(),
				backoff.resetAfter()));
		options.retryFailedStarts(startRetry(restart.startRetry()));
		Set<Integer> restartCodes = exitCodes("sam.restart.exit-codes", restart.exitCodes());
		Set<Integer> quitCodes = exitCodes("sam.quit.exit-codes", properties.quit().exitCodes());
		for (int code : restartCodes) {
			check(!quitCodes.contains(code), "sam.quit.exit-codes", properties.quit().exitCodes());
		}
		options.exitCodes(restartCodes, quitCodes);
		Duration startupTimeout = properties.startupTimeout();
		check(startupTimeout != null && !startupTimeout.isNegative(), "sam.startup-timeout", startupTimeout);
		options.startupTimeout(startupTimeout);
		SamProperties.ThreadDump threadDump = properties.threadDump();
		check(threadDump.maxCount() >= 1, "sam.thread-dump.max-count", threadDump.maxCount());
		check(threadDump.maxAge() != null && threadDump.maxAge().compareTo(Duration.ZERO) > 0,
				"sam.thread-dump.max-age", threadDump.maxAge());
		options.threadDumpLimits(threadDump.maxCount(), threadDump.maxAge());
		if (threadDump.enabled()) {
			options.threadDumps((threadDump.directory() != null) ? threadDump.directory().toAbsolutePath()
					: Path.of(System.getProperty("java.io.tmpdir"), "samboot-thread-dumps"));
		}
	}

	private static Backoff startRetry(SamProperties.StartRetry retry) {
		if (!retry.enabled()) {
			return null;
		}
		check(retry.initial() != null && retry.initial().compareTo(Duration.ZERO) > 0,
				"sam.restart.start-retry.initial", retry.initial());
		check(retry.max() != null && retry.max().compareTo(retry.initial()) >= 0, "sam.restart.start-retry.max",
				retry.max());
		check(retry.multiplier() >= 1 && !Double.isInfinite(retry.multiplier()), "sam.restart.start-retry.multiplier",
				retry.multiplier());
		check(retry.jitter() >= 0 && retry.jitter() <= 1, "sam.restart.start-retry.jitter", retry.jitter());
		return new Backoff(retry.initial(), retry.max(), retry.multiplier(), retry.jitter(), Duration.ZERO);
	}

	private static void startupCache(SamProperties.StartupCache cache, String applicationName,
			SamOptions.Builder options) {
		if (!cache.enabled()) {
			return;
		}
		Path directory = (cache.directory() != null) ? cache.directory().toAbsolutePath()
				: defaultStartupCacheDirectory(applicationName);
		check(!directory.toString().isBlank() && (!Files.exists(directory) || Files.isDirectory(directory)),
				"sam.restart.startup-cache.directory", cache.directory());
		options.startupCache(directory)
			.startupCacheTraining(STARTUP_CACHE_TRAINING_JVM_OPTIONS, STARTUP_CACHE_TRAINING_ARGUMENTS);
	}

	/**
	 * The default start-up cache directory: {@code samboot-startup-cache/<name>} in the
	 * temporary directory, named after the application, or the jar or main class that
	 * started this JVM.
	 * @param applicationName {@code spring.application.name}, or {@code null}
	 * @return the directory
	 */
	static Path defaultStartupCacheDirectory(String applicationName) {
		String name = applicationName;
		if (name == null || name.isBlank()) {
			String command = System.getProperty("sun.java.command", "").split(" ")[0];
			name = command.endsWith(".jar") ? Path.of(command).getFileName().toString() : command;
		}
		name = name.replaceAll("[^A-Za-z0-9._-]", "_");
		if (name.isEmpty() || name.chars().allMatch((c) -> c == '.')) {
			name = "application";
		}
		return Path.of(System.getProperty("java.io.tmpdir"), "samboot-startup-cache", name).toAbsolutePath();
	}

	private static Set<Integer> exitCodes(String property, List<Integer> codes) {
		if (codes == null) {
			return Set.of();
		}
		for (Integer code : codes) {
			check(code != null && code >= 0 && code <= 255, property, codes);
		}
		return Set.copyOf(codes);
	}

	private static Supplier<QuorumSource> zooKeeper(SamProperties.ZooKeeper zooKeeper) {
		String connect = zooKeeper.connectString();
		check(connect != null && !connect.isBlank(), "sam.quorum.zookeeper.connect-string", connect);
		check(zooKeeper.sessionTimeout() != null && zooKeeper.sessionTimeout().compareTo(Duration.ZERO) > 0,
				"sam.quorum.zookeeper.session-timeout", zooKeeper.sessionTimeout());
		check(zooKeeper.connectionTimeout() != null && zooKeeper.connectionTimeout().compareTo(Duration.ZERO) > 0,
				"sam.quorum.zookeeper.connection-timeout", zooKeeper.connectionTimeout());
		if (!ClassUtils.isPresent(CURATOR, SamSettings.class.getClassLoader())) {
			throw new InvalidSamPropertyException("sam.quorum.provider", "zookeeper",
					"corosync, or zookeeper with org.apache.curator:curator-framework on the class path", null);
		}
		return () -> new ZooKeeperQuorum(connect, zooKeeper.sessionTimeout(), zooKeeper.connectionTimeout());
	}

	private static List<String> supervisorJvmOptions(SamProperties.Supervisor supervisor) {
		if (!supervisor.lean()) {
			return null;
		}
		return (supervisor.jvmOptions() != null) ? supervisor.jvmOptions() : SamOptions.LEAN_SUPERVISOR_JVM_OPTIONS;
	}

	private static RecoveryPolicy recoveryPolicy(SamProperties properties) {
		RecoveryPolicy policy = switch (properties.policy()) {
			case QUIT -> RecoveryPolicy.QUIT;
			case RESTART -> RecoveryPolicy.RESTART;
			case QUORUM_QUIT -> RecoveryPolicy.QUORUM_QUIT;
			case QUORUM_RESTART -> RecoveryPolicy.QUORUM_RESTART;
		};
		return properties.cmap().enabled() ? policy.withCmap() : policy;
	}

	private static int warnSignal(String value) {
		try {
			return Signals.parse(value);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidSamPropertyException("sam.warn-signal", value, ALLOWED.get("sam.warn-signal"), ex);
		}
	}

	private static Duration healthTimeout(SamProperties.Health health, Duration interval) {
		Duration timeout = health.timeout();
		if (timeout == null) {
			Duration half = interval.dividedBy(2);
			return half.isZero() ? Duration.ofMillis(1) : half;
		}
		check(timeout.compareTo(Duration.ZERO) > 0 && (interval.isZero() || timeout.compareTo(interval) <= 0),
				"sam.health.timeout", timeout);
		return timeout;
	}

	static void check(boolean condition, String property, Object value) {
		if (!condition) {
			throw new InvalidSamPropertyException(property, value, ALLOWED.get(property), null);
		}
	}

	static InvalidSamPropertyException invalid(BindException ex) {
		ConfigurationProperty property = ex.getProperty();
		String name = (property != null) ? property.getName().toString() : ex.getName().toString();
		Object value = (property != null) ? property.getValue() : null;
		String allowed = ALLOWED.getOrDefault(name, "a value of the documented type");
		Throwable cause = (ex.getCause() != null) ? rootCause(ex.getCause()) : ex;
		return new InvalidSamPropertyException(name, value, allowed, cause);
	}

	private static Throwable rootCause(Throwable failure) {
		Throwable cause = failure;
		while (cause.getCause() != null && cause.getCause() != cause) {
			cause = cause.getCause();
		}
		return cause;
	}

	/**
	 * Return the recovery policy these settings give.
	 * @return the policy
	 */
	public RecoveryPolicy policy() {
		return this.options.policy();
	}

	/**
	 * Return the health-check interval.
	 * @return the interval; zero when only the process's death is watched
	 */
	public Duration interval() {
		return this.options.interval();
	}

}
