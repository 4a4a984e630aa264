package dev.samboot.autoconfigure;

import dev.samboot.autoconfigure.health.ActuatorHealthCheck;
import dev.samboot.sam.HealthCheckCallback;
import dev.samboot.sam.Sam;
import dev.samboot.sam.SamException;
import dev.samboot.sam.SamState;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.SmartApplicationListener;

/**
 * Ties libsam's {@code start()} and {@code stop()} to the application's life: registers
 * the health-check callback and calls {@code start()} when the application is ready (or
 * started, per {@code sam.start}); calls {@code stop()} first thing when the context
 * closes cleanly, so that a normal exit is a normal exit and not a failure to recover
 * from. After the warn signal the supervisor recovers the instance anyway (once warned,
 * stop() does not make it a quit).
 */
public class SamLifecycle implements SmartLifecycle, SmartApplicationListener {

	private static final Log logger = LogFactory.getLog(SamLifecycle.class);

	private final Sam sam;

	private final SamProperties.StartMode startMode;

	private final HealthCheckCallback callback;

	private volatile boolean running;

	/**
	 * Create a new instance.
	 * @param sam the registered handle
	 * @param startMode when to call {@code start()}
	 * @param callback the event-driven health check, or {@code null} when the application
	 * sends heartbeats itself
	 */
	public SamLifecycle(Sam sam, SamProperties.StartMode startMode, HealthCheckCallback callback) {
		this.sam = sam;
		this.startMode = startMode;
		this.callback = callback;
	}

	@Override
	public boolean supportsEventType(Class<? extends ApplicationEvent> eventType) {
		return ApplicationReadyEvent.class.isAssignableFrom(eventType)
				|| ApplicationStartedEvent.class.isAssignableFrom(eventType);
	}

	@Override
	public void onApplicationEvent(ApplicationEvent event) {
		if ((event instanceof ApplicationReadyEvent && this.startMode == SamProperties.StartMode.READY)
				|| (event instanceof ApplicationStartedEvent && this.startMode == SamProperties.StartMode.STARTED)) {
			startSupervision();
		}
	}

	/**
	 * Register the callback (if any) and call {@code start()}; from now on the supervisor
	 * expects heartbeats. Does nothing unless the handle is registered and not yet
	 * started.
	 */
	public synchronized void startSupervision() {
		if (this.sam.state() != SamState.REGISTERED) {
			return;
		}
		if (this.callback != null && !this.sam.eventDriven()) {
			this.sam.hcCallbackRegister(this.callback);
		}
		this.sam.start();
		logger.info("samboot supervision started: instance " + this.sam.instanceId() + ", "
				+ (this.sam.eventDriven() ? "heartbeats every " + this.sam.interval().dividedBy(4).toMillis()
						+ " ms, checking " + checked() : "heartbeats sent by the application")
				+ ((this.sam.interval().isZero()) ? ", no time limit (interval 0)" : ""));
	}

	private String checked() {
		return (this.callback instanceof ActuatorHealthCheck check) ? check.description()
				: "nothing but that this JVM runs";
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public synchronized void stop() {
		this.running = false;
		if (this.sam.state() != SamState.STARTED) {
			return;
		}
		try {
			this.sam.stop();
			logger.info("samboot supervision stopped: the context is closing");
		}
		catch (SamException ex) {
			logger.warn("Could not stop supervision: " + ex.getMessage());
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/**
	 * Stop supervision before anything else stops (graceful web shutdown included).
	 */
	@Override
	public int getPhase() {
		return Integer.MAX_VALUE;
	}

}
