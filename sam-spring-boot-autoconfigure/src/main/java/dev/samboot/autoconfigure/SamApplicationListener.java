package dev.samboot.autoconfigure;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import dev.samboot.sam.Sam;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.logging.LoggingApplicationListener;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * The early hook: once the environment is prepared (config data loaded, logging initialized) and
 * before any bean exists, binds {@code sam.*} and registers with libsam. In the process the user
 * started, {@link Sam#register()} turns this JVM into the supervisor and never returns: no banner,
 * no context, no port. In an active process it returns the instance id and start-up goes on; the
 * auto-configuration then finds the handle through {@link Sam#current()}.
 *
 * <p>Listed in {@code META-INF/spring.factories}. It stays off, saying why once at INFO, wherever
 * relaunching the JVM would be wrong: see {@link StayOffConditions}.
 */
public class SamApplicationListener implements ApplicationListener<ApplicationEnvironmentPreparedEvent>, Ordered {

	/** Right after logging is initialized, which comes after config data. */
	public static final int ORDER = LoggingApplicationListener.DEFAULT_ORDER + 1;

	private static final Log logger = LogFactory.getLog(SamApplicationListener.class);

	private static final AtomicBoolean saidWhyOff = new AtomicBoolean();

	private final Function<ConfigurableEnvironment, String> stayOffReason;

	private final Registrar registrar;

	public SamApplicationListener() {
		this(StayOffConditions::reason, SamApplicationListener::register);
	}

	SamApplicationListener(Function<ConfigurableEnvironment, String> stayOffReason, Registrar registrar) {
		this.stayOffReason = stayOffReason;
		this.registrar = registrar;
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
	public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
		ConfigurableEnvironment environment = event.getEnvironment();
		if (Sam.current().isPresent()) {
			logger.debug("samboot already registered in this JVM; another SpringApplication in it is not supervised again");
			return;
		}
		if (!SamSettings.enabled(environment)) {
			sayWhyOff("sam.enabled is false");
			return;
		}
		SamSettings settings = SamSettings.bind(environment);
		String reason = this.stayOffReason.apply(environment);
		if (reason != null) {
			sayWhyOff(reason);
			return;
		}
		this.registrar.register(settings);
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
