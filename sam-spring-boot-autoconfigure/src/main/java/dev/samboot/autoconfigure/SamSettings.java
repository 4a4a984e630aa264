package dev.samboot.autoconfigure;

import java.time.Duration;
import java.util.Map;

import dev.samboot.sam.RecoveryPolicy;
import dev.samboot.sam.SamOptions;
import dev.samboot.sam.Signals;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.core.env.Environment;
import org.springframework.util.unit.DataSize;

/**
 * {@link SamProperties} checked and turned into what the core takes. Every value samboot cannot
 * use is an {@link InvalidSamPropertyException} naming the property, the value and what is
 * allowed, thrown before anything is launched.
 *
 * @param properties the bound properties
 * @param options the options for {@code Sam.initialize}
 * @param warnSignal the warn signal's number
 * @param healthTimeout the time one health check may take
 */
public record SamSettings(SamProperties properties, SamOptions options, int warnSignal, Duration healthTimeout) {

	static final long MAX_INTERVAL_MILLIS = Integer.MAX_VALUE;

	private static final String DURATION = "a duration such as 500ms, 5s or 1m";

	/** What each property accepts, for the messages of values that cannot even be bound. */
	static final Map<String, String> ALLOWED = Map.ofEntries(Map.entry("sam.enabled", "true or false"),
			Map.entry("sam.interval", DURATION + ", from 0 (only the death of the process is watched) to "
					+ MAX_INTERVAL_MILLIS + "ms (about 24.8 days)"),
			Map.entry("sam.policy", "one of quit, restart, quorum-quit, quorum-restart"),
			Map.entry("sam.warn-signal", "a signal name such as TERM, SIGUSR1 or KILL, or a number from 1 to "
					+ Signals.MAX_SIGNAL),
			Map.entry("sam.start", "one of ready, started, manual"),
			Map.entry("sam.shutdown-timeout", DURATION + ", 0 or more"),
			Map.entry("sam.health.enabled", "true or false"),
			Map.entry("sam.health.group", "the name of a health group defined under management.endpoint.health.group"),
			Map.entry("sam.health.timeout", DURATION + ", greater than 0 and at most sam.interval"),
			Map.entry("sam.data.max-size", "a data size such as 64KB or 1MB, from 0B to "
					+ DataSize.ofBytes(SamOptions.MAX_DATA_MAX_SIZE).toMegabytes() + "MB"),
			Map.entry("sam.cmap.enabled", "true or false"));

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
		return of(properties);
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
		Duration interval = properties.interval();
		check(interval != null && !interval.isNegative() && interval.toMillis() <= MAX_INTERVAL_MILLIS,
				"sam.interval", interval);
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
		SamOptions options = SamOptions.builder(interval, recoveryPolicy(properties))
			.dataMaxSize((int) maxSize.toBytes())
			.shutdownTimeout(shutdownTimeout)
			.build();
		return new SamSettings(properties, options, warnSignal, healthTimeout);
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

	private static void check(boolean condition, String property, Object value) {
		if (!condition) {
			throw new InvalidSamPropertyException(property, value, ALLOWED.get(property), null);
		}
	}

	private static InvalidSamPropertyException invalid(BindException ex) {
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
