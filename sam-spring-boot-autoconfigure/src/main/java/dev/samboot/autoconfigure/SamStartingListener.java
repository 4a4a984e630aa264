package dev.samboot.autoconfigure;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.samboot.sam.DeferredSettings;
import dev.samboot.sam.Sam;

import org.springframework.boot.context.event.ApplicationStartingEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * The first listener of Spring Boot's first event: where the command line, system
 * properties and environment variables leave supervision, the early launch and the lean
 * supervisor on, and nothing in {@link StayOffConditions} keeps samboot off, the process
 * the user started launches instance 1 and becomes the lean supervisor here
 * ({@link DeferredSettings#supervise()}), before the other listeners of the event have
 * run: every millisecond before the launch is one instance 1 starts later. It says
 * nothing itself, because the application's logging is not set up yet;
 * {@link SamApplicationListener} logs why at DEBUG when this process did not become the
 * supervisor here, and launches instance 1 early in the way that keeps this process as it
 * is until its configuration is read.
 *
 * <p>
 * Listed in {@code META-INF/spring.factories}. A jar built with samboot's layout
 * ({@code sam-spring-boot-layout}) makes the same decision from its launcher, before
 * Spring Boot loads ({@link LauncherSupervision}); this listener then only takes over
 * what the launcher said.
 */
public class SamStartingListener implements ApplicationListener<ApplicationStartingEvent>, Ordered {

	/** One try per JVM, for its first SpringApplication. */
	private static final AtomicBoolean triedInThisJvm = new AtomicBoolean();

	/** samboot's launcher, at the root of a jar built with samboot's layout. */
	static final String LAUNCHER = "dev.samboot.launcher.SamJarLauncher";

	/** Why the last try returned, for {@link SamApplicationListener} to log. */
	private static volatile String notDeferred;

	private final Function<ConfigurableEnvironment, String> stayOffReason;

	private final Supplier<Boolean> activeProcess;

	private final SamApplicationListener.Deferral deferral;

	private final AtomicBoolean tried;

	private final Supplier<String> launcherOutcome;

	public SamStartingListener() {
		this(StayOffConditions::reason, Sam::isActiveProcess, SamApplicationListener.Deferral.SYSTEM, triedInThisJvm,
				SamStartingListener::launcherOutcome);
	}

	SamStartingListener(Function<ConfigurableEnvironment, String> stayOffReason, Supplier<Boolean> activeProcess,
			SamApplicationListener.Deferral deferral, AtomicBoolean tried) {
		this(stayOffReason, activeProcess, deferral, tried, () -> null);
	}

	SamStartingListener(Function<ConfigurableEnvironment, String> stayOffReason, Supplier<Boolean> activeProcess,
			SamApplicationListener.Deferral deferral, AtomicBoolean tried, Supplier<String> launcherOutcome) {
		this.stayOffReason = stayOffReason;
		this.activeProcess = activeProcess;
		this.deferral = deferral;
		this.tried = tried;
		this.launcherOutcome = launcherOutcome;
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

	@Override
	public void onApplicationEvent(ApplicationStartingEvent event) {
		superviseIfWanted(event.getArgs());
	}

	void superviseIfWanted(String[] args) {
		String launcher = this.launcherOutcome.get();
		if (launcher != null) {
			notDeferred = launcher;
			return;
		}
		if (Sam.current().isPresent() || this.activeProcess.get()
				|| !EarlySwitches.supervisionWanted(args, System.getProperties(), System.getenv())
				|| this.stayOffReason.apply(null) != null || !this.tried.compareAndSet(false, true)) {
			return;
		}
		// never returns when this process becomes the supervisor
		notDeferred = this.deferral.supervise();
	}

	/**
	 * What samboot's launcher ({@code sam-spring-boot-layout}) said when it tried to make
	 * this process the supervisor before Spring Boot loaded: it tried in a class loader
	 * of its own, so its answer is read from the launcher's class, on the system class
	 * path.
	 * @return why the launcher did not supervise, or {@code null} if no launcher tried
	 */
	static String launcherOutcome() {
		try {
			Class<?> launcher = Class.forName(LAUNCHER, false, ClassLoader.getSystemClassLoader());
			Object outcome = launcher.getMethod("outcome").invoke(null);
			return (outcome != null) ? "samboot's launcher did not supervise: " + outcome : null;
		}
		catch (ReflectiveOperationException | LinkageError | RuntimeException ex) {
			return null;
		}
	}

	/**
	 * Why this process did not become the supervisor when the application started.
	 * @return the reason, or {@code null} if it was not tried
	 */
	static String notDeferred() {
		return notDeferred;
	}

}
