package dev.samboot.autoconfigure.health;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import dev.samboot.autoconfigure.health.HealthCheckResult.Outcome;
import dev.samboot.sam.HealthCheckCallback;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.DisposableBean;

/**
 * Actuator's health as libsam's health-check callback: UP is healthy; any other status,
 * an exception, or no answer within the timeout is not. The check runs on its own thread
 * so that a health indicator that hangs cannot hold up the verdict.
 */
public class ActuatorHealthCheck implements HealthCheckCallback, DisposableBean {

	private static final Log logger = LogFactory.getLog(ActuatorHealthCheck.class);

	private final Callable<HealthSnapshot> health;

	private final Duration timeout;

	private final String description;

	private final ExecutorService executor = Executors.newSingleThreadExecutor((runnable) -> {
		Thread thread = new Thread(runnable, "sam-health-indicators");
		thread.setDaemon(true);
		return thread;
	});

	private final List<Consumer<HealthCheckResult>> listeners = new CopyOnWriteArrayList<>();

	private volatile HealthCheckResult last;

	private final AtomicBoolean busy = new AtomicBoolean();

	/**
	 * Create a new instance.
	 * @param health reads the aggregated health
	 * @param timeout the longest one check may take
	 * @param description what is checked, such as "all health indicators" or "health
	 * group 'sam'"
	 */
	public ActuatorHealthCheck(Callable<HealthSnapshot> health, Duration timeout, String description) {
		this.health = health;
		this.timeout = timeout;
		this.description = description;
	}

	/**
	 * Be told of every check's result.
	 * @param listener called on the health-check thread
	 */
	public void addListener(Consumer<HealthCheckResult> listener) {
		this.listeners.add(listener);
	}

	@Override
	public synchronized boolean isHealthy() throws Exception {
		Instant time = Instant.now();
		long start = System.nanoTime();
		HealthCheckResult result;
		Exception failure = null;
		try {
			HealthSnapshot snapshot = check();
			boolean up = "UP".equals(snapshot.status());
			result = new HealthCheckResult(up ? Outcome.UP : Outcome.DOWN, snapshot.status(), time, since(start),
					up ? null : snapshot.describe());
		}
		catch (Exception ex) {
			failure = ex;
			result = new HealthCheckResult(Outcome.ERROR, null, time, since(start), ex.getMessage());
		}
		record(result);
		if (failure != null) {
			throw failure;
		}
		return result.outcome() == Outcome.UP;
	}

	private HealthSnapshot check() throws Exception {
		// a cancelled future is "done" while its thread may still be stuck in an
		// indicator
		if (this.busy.get()) {
			throw new TimeoutException("The previous check of " + this.description + " has still not answered");
		}
		Future<HealthSnapshot> running = this.executor.submit(() -> {
			this.busy.set(true);
			try {
				return this.health.call();
			}
			finally {
				this.busy.set(false);
			}
		});
		try {
			return running.get(this.timeout.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException ex) {
			running.cancel(true);
			throw new TimeoutException(
					"The check of " + this.description + " did not answer within " + this.timeout.toMillis() + " ms");
		}
		catch (ExecutionException ex) {
			Throwable cause = ex.getCause();
			throw new IllegalStateException("The check of " + this.description + " failed: " + cause, cause);
		}
	}

	private void record(HealthCheckResult result) {
		HealthCheckResult previous = this.last;
		this.last = result;
		if (result.outcome() != Outcome.UP && (previous == null || previous.outcome() == Outcome.UP)) {
			logger.warn("Health check " + result.outcome().value() + ": " + result.detail());
		}
		for (Consumer<HealthCheckResult> listener : this.listeners) {
			try {
				listener.accept(result);
			}
			catch (RuntimeException ex) {
				logger.debug("A health-check listener failed", ex);
			}
		}
	}

	private static Duration since(long start) {
		return Duration.ofNanos(System.nanoTime() - start);
	}

	/**
	 * Return the result of the most recent check.
	 * @return the result, or {@code null} before the first check
	 */
	public HealthCheckResult lastResult() {
		return this.last;
	}

	/**
	 * Return what this check consults.
	 * @return a description such as "all health indicators"
	 */
	public String description() {
		return this.description;
	}

	@Override
	public void destroy() {
		this.executor.shutdownNow();
	}

	/**
	 * The aggregated health at one moment.
	 *
	 * @param status the status code, such as {@code UP}
	 * @param notUp the components whose status is not UP, as {@code name=STATUS}
	 */
	public record HealthSnapshot(String status, List<String> notUp) {

		String describe() {
			return "status " + this.status + (this.notUp.isEmpty() ? "" : " " + this.notUp);
		}

	}

}
