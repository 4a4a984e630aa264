package dev.samboot.sam;

/**
 * The event-driven health check ({@code sam_hc_callback_t}). Answering {@code false} or
 * throwing means unhealthy: heartbeats stop for the rest of the instance and the
 * supervisor's warn signal follows within the interval.
 */
@FunctionalInterface
public interface HealthCheckCallback {

	/**
	 * Check the health of the application.
	 * @return whether the application is healthy
	 * @throws Exception when the check itself fails, which counts as unhealthy
	 */
	boolean isHealthy() throws Exception;

}
