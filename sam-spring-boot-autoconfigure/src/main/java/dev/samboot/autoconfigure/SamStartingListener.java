package dev.samboot.autoconfigure;

import java.util.Map;
import java.util.Properties;
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
 * ({@code sam-spring-boot-layout}) makes the same call from its launcher, before Spring
 * Boot loads ({@link #superviseBeforeSpringBoot}).
 */
public class SamStartingListener implements ApplicationListener<ApplicationStartingEvent>, Ordered {

	/** One try per JVM, for its first SpringApplication. */
	private static final AtomicBoolean triedInThisJvm = new AtomicBoolean();

	/** Why the last try returned, for {@link SamApplicationListener} to log. */
	private static volatile String notDeferred;

	private final Function<ConfigurableEnvironment, String> stayOffReason;

	private final Supplier<Boolean> activeProcess;

	private final SamApplicationListener.Deferral deferral;

	private final AtomicBoolean tried;

	public SamStartingListener() {
		this(StayOffConditions::reason, Sam::isActiveProcess, SamApplicationListener.Deferral.SYSTEM, triedInThisJvm);
	}

	SamStartingListener(Function<ConfigurableEnvironment, String> stayOffReason, Supplier<Boolean> activeProcess,
			SamApplicationListener.Deferral deferral, AtomicBoolean tried) {
		this.stayOffReason = stayOffReason;
		this.activeProcess = activeProcess;
		this.deferral = deferral;
		this.tried = tried;
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

	@Override
	public void onApplicationEvent(ApplicationStartingEvent event) {
		superviseIfWanted(event.getArgs());
	}

	/**
	 * What the launcher of a jar built with samboot's layout calls before the
	 * application's main class loads: the same as this listener does at Spring Boot's
	 * first event, a second or so sooner. Never returns when this process becomes the
	 * supervisor; the listener does not try again in a JVM that tried here.
	 * @param args the application's arguments
	 */
	public static void superviseBeforeSpringBoot(String[] args) {
		new SamStartingListener().superviseIfWanted(args);
	}

	void superviseIfWanted(String[] args) {
		if (Sam.current().isPresent() || this.activeProcess.get()
				|| !wanted(args, System.getProperties(), System.getenv()) || this.stayOffReason.apply(null) != null
				|| !this.tried.compareAndSet(false, true)) {
			return;
		}
		// never returns when this process becomes the supervisor
		notDeferred = this.deferral.supervise();
	}

	/**
	 * Whether what is known before the configuration files leaves supervision, the early
	 * launch and the lean supervisor on, with no quorum provider that needs the
	 * application's classes.
	 * @param args the application's arguments
	 * @param systemProperties the system properties
	 * @param env the environment variables
	 * @return whether to become the supervisor now
	 */
	static boolean wanted(String[] args, Properties systemProperties, Map<String, String> env) {
		return EarlySwitches.earlyLaunchWanted(args, systemProperties, env)
				&& EarlySwitches.deferredWanted(args, systemProperties, env);
	}

	/**
	 * Why this process did not become the supervisor when the application started.
	 * @return the reason, or {@code null} if it was not tried
	 */
	static String notDeferred() {
		return notDeferred;
	}

}
