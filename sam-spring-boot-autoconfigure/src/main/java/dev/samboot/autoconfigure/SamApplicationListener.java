package dev.samboot.autoconfigure;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.samboot.sam.DeferredSettings;
import dev.samboot.sam.EarlyLaunch;
import dev.samboot.sam.Sam;
import dev.samboot.sam.SamException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.boot.context.event.ApplicationStartingEvent;
import org.springframework.boot.context.event.SpringApplicationEvent;
import org.springframework.boot.context.logging.LoggingApplicationListener;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * The early hook: once the environment is prepared (config data loaded, logging
 * initialized) and before any bean exists, binds {@code sam.*} and registers with libsam.
 * In an active process {@link Sam#register()} returns the instance id and start-up goes
 * on; the auto-configuration then finds the handle through {@link Sam#current()}.
 *
 * <p>
 * In an active process the exchange with the supervisor (the settings handed over, the
 * connection, the hello and welcome) runs on a thread of its own, beside the rest of the
 * start-up (banner, context creation, initializers), and is joined when the context is
 * prepared, before it refreshes: a restarted instance, or instance 1 whose supervisor is
 * still setting up, does not wait for its supervisor with the CPU idle. Binding
 * {@code sam.*} stays on the main thread, so a wrong value stops start-up where it always
 * did; a refusal or an unreachable supervisor stops it at the join, before any bean
 * exists, with the same failure analysis. In the process the user started,
 * {@code register()} becomes the supervisor and never returns, so it runs on the main
 * thread.
 *
 * <p>
 * Where what is known when the application starts (the command line, system properties,
 * environment variables and {@link StayOffConditions}) says this process will supervise,
 * it does not wait for its configuration files: it launches instance 1 at once and
 * becomes a lean supervisor ({@link DeferredSettings}, from {@link SamStartingListener},
 * the first listener of that event), leaving the CPU to instance 1, which reads the
 * configuration anyway. Instance 1 binds {@code sam.*} and hands the settings over before
 * it registers; a wrong value stops its start-up with the failure analysis, and the
 * supervisor exits with its status; {@code sam.enabled=false} in a configuration file
 * detaches it, and the supervisor stays only as its parent, passing signals on.
 * {@code sam.supervisor.lean=false} (on the command line, as a system property or
 * {@code SAM_SUPERVISOR_LEAN}) keeps the process the user started as it is until its
 * configuration is read: instance 1 is still launched early, and killed before it has run
 * any of the application if the configuration then says this process will not supervise.
 * {@code sam.supervisor.early-launch=false} launches it in {@code register()} instead,
 * once this process has read its configuration and turned into the supervisor.
 *
 * <p>
 * Listed in {@code META-INF/spring.factories}. It stays off, saying why once at INFO,
 * wherever relaunching the JVM would be wrong: see {@link StayOffConditions}.
 */
public class SamApplicationListener implements ApplicationListener<SpringApplicationEvent>, Ordered {

	/** Right after logging is initialized, which comes after config data. */
	public static final int ORDER = LoggingApplicationListener.DEFAULT_ORDER + 1;

	private static final Log logger = LogFactory.getLog(SamApplicationListener.class);

	private static final AtomicBoolean saidWhyOff = new AtomicBoolean();

	/** One early launch per JVM, for its first SpringApplication. */
	private static final AtomicBoolean triedEarlyLaunch = new AtomicBoolean();

	/**
	 * One registration per JVM, for its first SpringApplication, even while under way.
	 */
	private static final AtomicBoolean registeringInThisJvm = new AtomicBoolean();

	private final Function<ConfigurableEnvironment, String> stayOffReason;

	private final Registrar registrar;

	private final Supplier<Optional<EarlyLaunch>> earlyLauncher;

	private final AtomicBoolean earlyLaunchTried;

	private final Deferral deferral;

	private final BooleanSupplier activeProcess;

	private final AtomicBoolean registering;

	private volatile EarlyLaunch earlyLaunch;

	private volatile CompletableFuture<Void> registration;

	public SamApplicationListener() {
		this(StayOffConditions::reason, SamApplicationListener::register, EarlyLaunch::launch, triedEarlyLaunch,
				Deferral.SYSTEM, Sam::isActiveProcess, registeringInThisJvm);
	}

	SamApplicationListener(Function<ConfigurableEnvironment, String> stayOffReason, Registrar registrar) {
		this(stayOffReason, registrar, null, new AtomicBoolean(), Deferral.NONE);
	}

	SamApplicationListener(Function<ConfigurableEnvironment, String> stayOffReason, Registrar registrar,
			Supplier<Optional<EarlyLaunch>> earlyLauncher, AtomicBoolean earlyLaunchTried) {
		this(stayOffReason, registrar, earlyLauncher, earlyLaunchTried, Deferral.NONE);
	}

	SamApplicationListener(Function<ConfigurableEnvironment, String> stayOffReason, Registrar registrar,
			Supplier<Optional<EarlyLaunch>> earlyLauncher, AtomicBoolean earlyLaunchTried, Deferral deferral) {
		this(stayOffReason, registrar, earlyLauncher, earlyLaunchTried, deferral, () -> false, new AtomicBoolean());
	}

	SamApplicationListener(Function<ConfigurableEnvironment, String> stayOffReason, Registrar registrar,
			Supplier<Optional<EarlyLaunch>> earlyLauncher, AtomicBoolean earlyLaunchTried, Deferral deferral,
			BooleanSupplier activeProcess, AtomicBoolean registering) {
		this.stayOffReason = stayOffReason;
		this.registrar = registrar;
		this.earlyLauncher = earlyLauncher;
		this.earlyLaunchTried = earlyLaunchTried;
		this.deferral = deferral;
		this.activeProcess = activeProcess;
		this.registering = registering;
	}

	/**
	 * The supervisor that starts before the settings are known
	 * ({@link DeferredSettings}); a seam for tests.
	 */
	interface Deferral {

		/** No supervisor waits for settings, and none is started so. */
		Deferral NONE = new Deferral() {

			@Override
			public String supervise() {
				return "not in this test";
			}

			@Override
			public boolean pending() {
				return false;
			}

			@Override
			public void send(SamSettings settings) {
				throw new IllegalStateException("no supervisor waits for settings");
			}

			@Override
			public void detach(String reason) {
				throw new IllegalStateException("no supervisor waits for settings");
			}

		};

		/** The real one. */
		Deferral SYSTEM = new Deferral() {

			@Override
			public String supervise() {
				return DeferredSettings.supervise();
			}

			@Override
			public boolean pending() {
				return DeferredSettings.pending();
			}

			@Override
			public void send(SamSettings settings) {
				DeferredSettings.send(settings.options(), settings.warnSignal());
			}

			@Override
			public void detach(String reason) {
				DeferredSettings.detach(reason);
			}

		};

		/**
		 * Become a supervisor that waits for instance 1's settings; returns only if that
		 * is not possible.
		 * @return why not
		 */
		String supervise();

		/**
		 * Whether this is instance 1 of a supervisor that waits for its settings.
		 * @return whether to send them
		 */
		boolean pending();

		void send(SamSettings settings);

		void detach(String reason);

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
		else if (event instanceof ApplicationPreparedEvent) {
			awaitRegistration();
		}
		else if (event instanceof ApplicationFailedEvent) {
			cancelEarlyLaunch();
		}
	}

	private void onStarting(ApplicationStartingEvent event) {
		if (this.earlyLauncher == null || Sam.current().isPresent()
				|| !EarlySwitches.earlyLaunchWanted(event.getArgs(), System.getProperties(), System.getenv())
				|| this.stayOffReason.apply(null) != null || !this.earlyLaunchTried.compareAndSet(false, true)) {
			return;
		}
		String notDeferred = SamStartingListener.notDeferred();
		if (notDeferred != null) {
			logger.debug("Not supervising before the configuration is read: " + notDeferred);
		}
		try {
			this.earlyLaunch = this.earlyLauncher.get().orElse(null);
		}
		catch (SamException ex) {
			// register() launches it, and says what is wrong where it can be analysed
			logger.debug("Instance 1 not launched early: " + ex.getMessage());
		}
	}

	private void onEnvironmentPrepared(ApplicationEnvironmentPreparedEvent event) {
		ConfigurableEnvironment environment = event.getEnvironment();
		if (Sam.current().isPresent() || this.registering.get()) {
			logger.debug(
					"samboot already registered in this JVM; another SpringApplication in it is not supervised again");
			cancelEarlyLaunch();
			return;
		}
		// instance 1 of a supervisor that started before the settings were known: it
		// binds them and hands them over, or tells the supervisor it runs unsupervised
		boolean deferred = this.deferral.pending();
		try {
			if (!SamSettings.enabled(environment)) {
				cancelEarlyLaunch();
				off(deferred, "sam.enabled is false");
				return;
			}
			SamSettings settings = SamSettings.bind(environment);
			String reason = this.stayOffReason.apply(environment);
			if (reason != null) {
				cancelEarlyLaunch();
				off(deferred, reason);
				return;
			}
			boolean active = this.activeProcess.getAsBoolean();
			if (deferred || !active) {
				// once, in the process that binds the settings for the supervisor
				ShutdownTiming
					.warnings(settings, ShutdownTiming.phaseTimeout(environment),
							ShutdownTiming.phaseTimeoutSet(environment))
					.forEach(logger::warn);
			}
			if (deferred || active) {
				registerInBackground(settings, deferred);
				return;
			}
			EarlyLaunch early = this.earlyLaunch;
			this.registrar.register((early != null) ? settings.withEarlyLaunch(early) : settings);
		}
		finally {
			// on every way out but the supervisor's (which never returns): not
			// supervising, a wrong value, or supervision that could not start
			cancelEarlyLaunch();
		}
	}

	/**
	 * In an active process: hand the settings over (instance 1 of a supervisor that waits
	 * for them) and register on a thread of its own, joined by
	 * {@link #awaitRegistration}.
	 */
	private void registerInBackground(SamSettings settings, boolean deferred) {
		if (!this.registering.compareAndSet(false, true)) {
			return;
		}
		CompletableFuture<Void> registered = new CompletableFuture<>();
		this.registration = registered;
		Thread worker = new Thread(() -> {
			try {
				if (deferred) {
					this.deferral.send(settings);
				}
				this.registrar.register(settings);
				registered.complete(null);
			}
			catch (Throwable ex) {
				registered.completeExceptionally(ex);
			}
		}, "sam-register");
		worker.setDaemon(true);
		worker.start();
	}

	/**
	 * Wait for the registration started in the background, once the context is prepared
	 * and before it refreshes, and stop start-up with its failure if it failed.
	 */
	private void awaitRegistration() {
		CompletableFuture<Void> registered = this.registration;
		if (registered == null) {
			return;
		}
		this.registration = null;
		boolean interrupted = false;
		try {
			while (true) {
				try {
					registered.get();
					return;
				}
				catch (InterruptedException ex) {
					// start-up goes on only registered or failed
					interrupted = true;
				}
				catch (ExecutionException ex) {
					Throwable cause = ex.getCause();
					if (cause instanceof RuntimeException runtime) {
						throw runtime;
					}
					if (cause instanceof Error error) {
						throw error;
					}
					throw new IllegalStateException("Registering with the supervisor failed", cause);
				}
			}
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	private void off(boolean deferred, String reason) {
		if (deferred) {
			this.deferral.detach(reason);
		}
		sayWhyOff(reason);
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
