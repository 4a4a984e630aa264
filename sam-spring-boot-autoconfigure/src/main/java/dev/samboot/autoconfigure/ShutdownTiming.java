package dev.samboot.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.samboot.sam.Signals;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * Whether samboot's two kills leave Spring's graceful shutdown its time. An instance ends
 * in one of two ways that both run Spring's shutdown, each phase of which may wait up to
 * {@code spring.lifecycle.timeout-per-shutdown-phase} (a graceful web server waits that
 * long for the requests in flight):
 * <ul>
 * <li>a failed check: the warn signal, then SIGKILL T ({@code sam.interval}) later; only
 * a signal the JVM runs its shutdown hooks on (TERM, INT, HUP) starts the shutdown;</li>
 * <li>SIGTERM or SIGINT to the supervisor: forwarded as SIGTERM, then SIGKILL after
 * {@code sam.shutdown-timeout}.</li>
 * </ul>
 * Each kill that can cut a phase short is worth a warning at start-up, naming the
 * property to change and a value that fits. The first only when the phase timeout is set:
 * with Spring Boot's default (30 s) a failed instance is meant to be killed T after the
 * warn signal, not to drain for half a minute, and a warning on every start with the
 * defaults would teach users to ignore it.
 */
final class ShutdownTiming {

	static final String PHASE_TIMEOUT = "spring.lifecycle.timeout-per-shutdown-phase";

	/** Spring Boot's default for {@link #PHASE_TIMEOUT}. */
	static final Duration DEFAULT_PHASE_TIMEOUT = Duration.ofSeconds(30);

	/** Time left for the rest of the close in the value suggested for the timeout. */
	private static final Duration CLOSE_MARGIN = Duration.ofSeconds(5);

	/** The signals on which the JVM runs its shutdown hooks, and so Spring's close. */
	private static final Set<Integer> SHUTDOWN_SIGNALS = Set.of(Signals.SIGTERM, Signals.SIGINT, Signals.SIGHUP);

	private ShutdownTiming() {
	}

	/**
	 * Return whether the application set
	 * {@code spring.lifecycle.timeout-per-shutdown-phase}.
	 * @param environment the environment
	 * @return whether it is set
	 */
	static boolean phaseTimeoutSet(Environment environment) {
		return environment.containsProperty(PHASE_TIMEOUT);
	}

	/**
	 * Read {@code spring.lifecycle.timeout-per-shutdown-phase} as Spring Boot does.
	 * @param environment the environment
	 * @return the timeout, Spring Boot's default when not set, or {@code null} for a
	 * value that cannot be bound (Spring Boot reports it itself)
	 */
	static Duration phaseTimeout(Environment environment) {
		try {
			return Binder.get(environment).bind(PHASE_TIMEOUT, Duration.class).orElse(DEFAULT_PHASE_TIMEOUT);
		}
		catch (BindException ex) {
			return null;
		}
	}

	/**
	 * The warnings for these settings.
	 * @param settings the checked settings
	 * @param phaseTimeout {@code spring.lifecycle.timeout-per-shutdown-phase}, or
	 * {@code null} when unknown
	 * @param phaseTimeoutSet whether the application set it (rather than relying on
	 * Spring Boot's default)
	 * @return the warnings, none when both kills leave a phase its time
	 */
	static List<String> warnings(SamSettings settings, Duration phaseTimeout, boolean phaseTimeoutSet) {
		List<String> warnings = new ArrayList<>();
		if (phaseTimeout == null || phaseTimeout.compareTo(Duration.ZERO) <= 0) {
			return warnings;
		}
		Duration shutdownTimeout = settings.options().shutdownTimeout();
		if (shutdownTimeout.compareTo(phaseTimeout) < 0) {
			warnings.add("sam.shutdown-timeout (" + format(shutdownTimeout) + ") is shorter than " + PHASE_TIMEOUT
					+ " (" + format(phaseTimeout) + "): an instance stopped through the supervisor (SIGTERM or SIGINT "
					+ "to it) is killed before Spring's graceful shutdown may end. Set sam.shutdown-timeout to more than "
					+ format(phaseTimeout) + ", such as " + format(phaseTimeout.plus(CLOSE_MARGIN))
					+ (!shutdownTimeout.isZero() ? ", or " + PHASE_TIMEOUT + " to less than " + format(shutdownTimeout)
							: "")
					+ ".");
		}
		Duration interval = settings.interval();
		int signal = settings.warnSignal();
		if (phaseTimeoutSet && !interval.isZero() && SHUTDOWN_SIGNALS.contains(signal)
				&& interval.compareTo(phaseTimeout) < 0) {
			warnings.add("sam.interval (" + format(interval) + ") is shorter than " + PHASE_TIMEOUT + " ("
					+ format(phaseTimeout) + "): after a failed health check the warn signal " + Signals.name(signal)
					+ " starts Spring's graceful shutdown and the instance is killed " + format(interval)
					+ " later, before it may end. Set " + PHASE_TIMEOUT + " to less than " + format(interval)
					+ ", such as " + format(half(interval)) + ", or sam.interval to more than " + format(phaseTimeout)
					+ ".");
		}
		return warnings;
	}

	private static Duration half(Duration duration) {
		Duration half = duration.dividedBy(2);
		// whole seconds read better where there are some
		return (half.toSeconds() >= 2) ? Duration.ofSeconds(half.toSeconds()) : Duration.ofMillis(half.toMillis());
	}

	/**
	 * A duration as it is written in configuration: {@code 30s}, {@code 2m},
	 * {@code 1500ms}.
	 * @param duration the duration
	 * @return the text
	 */
	static String format(Duration duration) {
		long millis = duration.toMillis();
		if (millis % 60_000 == 0 && millis != 0) {
			return (millis / 60_000) + "m";
		}
		if (millis % 1000 == 0) {
			return (millis / 1000) + "s";
		}
		return millis + "ms";
	}

}
