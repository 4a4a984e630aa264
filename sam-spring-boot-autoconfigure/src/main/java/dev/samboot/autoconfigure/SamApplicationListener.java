package dev.samboot.autoconfigure;

import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.samboot.sam.EarlyLaunch;
import dev.samboot.sam.Sam;
import dev.samboot.sam.SamException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.boot.context.event.ApplicationStartingEvent;
import org.springframework.boot.context.event.SpringApplicationEvent;
import org.springframework.boot.context.logging.LoggingApplicationListener;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * The early hook: once the environment is prepared (config data loaded, logging
 * initialized) and before any bean exists, binds {@code sam.*} and registers with libsam.
 * In the process the user started, {@link Sam#register()} turns this JVM into the
 * supervisor and never returns: no banner, no context, no port. In an active process it
 * returns the instance id and start-up goes on; the auto-configuration then finds the
 * handle through {@link Sam#current()}.
 *
 * <p>
 * Instance 1 is launched earlier, when the application starts ({@link EarlyLaunch}), if
 * what is known then (the command line, system properties, environment variables and
 * {@link StayOffConditions}) says this process will supervise: it starts while this JVM
 * reads its configuration files, and waits at its own {@code register()} until the
 * supervisor listens. If the configuration then says otherwise ({@code sam.enabled=false}
 * in {@code application.yml}, a wrong value) or start-up fails, it is killed before it
 * has run any of the application. {@code sam.supervisor.early-launch=false} (on the
 * command line, as a system property or {@code SAM_SUPERVISOR_EARLY_LAUNCH}) launches it
 * in {@code register()} instead.
 *
 * <p>
 * Listed in {@code META-INF/spring.factories}. It stays off, saying why once at INFO,
 * wherever relaunching the JVM would be wrong: see {@link StayOffConditions}.
 */
public class SamApplicationListener implements ApplicationListener<SpringApplicationEvent>, Ordered {

	/** The switch read when the application starts, before configuration files. */
	static final String EARLY_LAUNCH_PROPERTY = "sam.supervisor.early-launch";

	/** Right after logging is initialized, which comes after config data. */
	public static final int ORDER = LoggingApplicationListener.DEFAULT_ORDER + 1;

	private static final Log logger = LogFactory.getLog(SamApplicationListener.class);

	private static final AtomicBoolean saidWhyOff = new AtomicBoolean();

	/** One early launch per JVM, for its first SpringApplication. */
	private static final AtomicBoolean triedEarlyLaunch = new AtomicBoolean();

	private final Function<ConfigurableEnvironment, String> stayOffReason;

	private final Registrar registrar;

	private final Supplier<Optional<EarlyLaunch>> earlyLauncher;

	private final AtomicBoolean earlyLaunchTried;

	private volatile EarlyLaunch earlyLaunch;

	public SamApplicationListener() {
		this(StayOffConditions::reason, SamApplicationListener::register, EarlyLaunch::launch, triedEarlyLaunch);
	}

	SamApplicationListener(Function<ConfigurableEnvironment, String> stayOffReason, Registrar registrar) {
		this(stayOffReason, registrar, null, new AtomicBoolean());
	}

	SamApplicationListener(Function<ConfigurableEnvironment, String> stayOffReason, Registrar registrar,
			Supplier<Optional<EarlyLaunch>> earlyLauncher, AtomicBoolean earlyLaunchTried) {
		this.stayOffReason = stayOffReason;
		this.registrar = registrar;
		this.earlyLauncher = earlyLauncher;
		this.earlyLaunchTried = earlyLaunchTried;
	}

	/**
	 * Initializes and registers with the settings; a seam for tests.
	 */
	@FunctionalInterface
	interface Registrar {

		void register(SamSettings settings);

	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public void onApplicationEvent(SpringApplicationEvent event) {
		if (event instanceof ApplicationStartingEvent starting) {
			onStarting(starting);
		}
		else if (event instanceof ApplicationEnvironmentPreparedEvent prepared) {
			onEnvironmentPrepared(prepared);
		}
		else if (event instanceof ApplicationFailedEvent) {
			cancelEarlyLaunch();
		}
	}

	private void onStarting(ApplicationStartingEvent event) {
		if (this.earlyLauncher == null || Sam.current().isPresent()
				|| !earlyLaunchWanted(event.getArgs(), System.getProperties(), System.getenv())
				|| this.stayOffReason.apply(null) != null || !this.earlyLaunchTried.compareAndSet(false, true)) {
			return;
		}
		try {
			this.earlyLaunch = this.earlyLauncher.get().orElse(null);
		}
		catch (SamException ex) {
			// register() launches it, and says what is wrong where it can be analysed
			logger.debug("Instance 1 not launched early: " + ex.getMessage());
		}
	}

	/**
	 * Whether the command line, system properties and environment variables leave
	 * supervision and the early launch on, in Spring's order of precedence. Configuration
	 * files are not read yet; a value that is neither true nor false is left to the full
	 * check once they are. Read by hand rather than bound: the instance is launched the
	 * sooner.
	 * @param args the application's arguments
	 * @param systemProperties the system properties
	 * @param env the environment variables
	 * @return whether to launch instance 1 now
	 */
	static boolean earlyLaunchWanted(String[] args, Properties systemProperties, Map<String, String> env) {
		return switchOn(args, systemProperties, env, "sam.enabled", "SAM_ENABLED")
				&& switchOn(args, systemProperties, env, EARLY_LAUNCH_PROPERTY, "SAM_SUPERVISOR_EARLY_LAUNCH",
						"sam.supervisor.earlyLaunch", "SAM_SUPERVISOR_EARLYLAUNCH");
	}

	private static boolean switchOn(String[] args, Properties systemProperties, Map<String, String> env,
			String... names) {
		String value = null;
		for (int i = args.length - 1; i >= 0 && value == null; i--) {
			for (String name : names) {
				if (args[i].startsWith("--" + name + "=")) {
					value = args[i].substring(name.length() + 3);
				}
			}
		}
		for (int i = 0; i < names.length && value == null; i++) {
			value = systemProperties.getProperty(names[i]);
		}
		for (int i = 0; i < names.length && value == null; i++) {
			value = env.get(names[i]);
		}
		return value == null || value.trim().equalsIgnoreCase("true");
	}

	private void onEnvironmentPrepared(ApplicationEnvironmentPreparedEvent event) {
		ConfigurableEnvironment environment = event.getEnvironment();
		if (Sam.current().isPresent()) {
			logger.debug(
					"samboot already registered in this JVM; another SpringApplication in it is not supervised again");
			cancelEarlyLaunch();
			return;
		}
		try {
			if (!SamSettings.enabled(environment)) {
				cancelEarlyLaunch();
				sayWhyOff("sam.enabled is false");
				return;
			}
			SamSettings settings = SamSettings.bind(environment);
			String reason = this.stayOffReason.apply(environment);
			if (reason != null) {
				cancelEarlyLaunch();
				sayWhyOff(reason);
				return;
			}
			if (!Sam.isActiveProcess()) {
				// once, in the process the user started, which becomes the supervisor
				ShutdownTiming
					.warnings(settings, ShutdownTiming.phaseTimeout(environment),
							ShutdownTiming.phaseTimeoutSet(environment))
					.forEach(logger::warn);
			}
			EarlyLaunch early = this.earlyLaunch;
			this.registrar.register((early != null) ? settings.withEarlyLaunch(early) : settings);
		}
		finally {
			// on every way out but the supervisor's (which never returns): not
			// supervising, a wrong
			// value, or supervision that could not start
			cancelEarlyLaunch();
		}
	}

	private void cancelEarlyLaunch() {
		EarlyLaunch early = this.earlyLaunch;
		if (early != null) {
			this.earlyLaunch = null;
			early.cancel();
		}
	}

	private static void sayWhyOff(String reason) {
		if (saidWhyOff.compareAndSet(false, true)) {
			logger.info("samboot supervision is off: " + reason);
		}
	}

	private static void register(SamSettings settings) {
		Sam sam = Sam.initialize(settings.options());
		sam.warnSignalSet(settings.warnSignal());
		int instance = sam.register();
		logger.info("Supervised by samboot: instance " + instance + " (pid " + sam.pid() + ") of supervisor pid "
				+ sam.supervisorPid() + ", interval " + sam.interval().toMillis() + " ms, policy " + sam.policy());
	}

}
