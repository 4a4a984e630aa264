package dev.samboot.autoconfigure.metrics;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.samboot.autoconfigure.health.HealthCheckResult;
import dev.samboot.sam.Recovery;
import dev.samboot.sam.Sam;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * samboot's meters: gauges {@code sam.instance.id} and {@code sam.restarts}, counter
 * {@code sam.healthchecks} tagged {@code outcome} ({@code up}, {@code down},
 * {@code error}), timer {@code sam.healthcheck.duration}; from the recoveries the
 * supervisor handed over (its last 32), counter {@code sam.recoveries} tagged
 * {@code reason} and the time spent waiting to restart, {@code sam.restart.backoff}.
 */
public class SamMetrics implements MeterBinder {

	private final Sam sam;

	private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();

	public SamMetrics(Sam sam) {
		this.sam = sam;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		Gauge.builder("sam.instance.id", this.sam, Sam::instanceId)
			.description("Id of this instance of the active process: 1 for the first, one more per recovery")
			.register(registry);
		Gauge.builder("sam.restarts", this.sam, Sam::restarts)
			.description("Instances the supervisor started after the first")
			.register(registry);
		if (this.sam.policy().quorum()) {
			Gauge
				.builder("sam.quorate", this.sam,
						(sam) -> sam.quorate().map((quorate) -> quorate ? 1.0 : 0.0).orElse(Double.NaN))
				.description("Whether the cluster is quorate (1) or not (0), as the supervisor last said")
				.register(registry);
		}
		for (HealthCheckResult.Outcome outcome : HealthCheckResult.Outcome.values()) {
			healthChecks(registry, outcome);
		}
		healthCheckDuration(registry);
		for (Recovery.Reason reason : Recovery.Reason.values()) {
			FunctionCounter.builder("sam.recoveries", this.sam, (sam) -> recoveries(sam, reason))
				.description("Recoveries the supervisor made, among the last 32 it handed over")
				.tag("reason", reason.value())
				.register(registry);
		}
		FunctionCounter
			.builder("sam.restart.backoff", this.sam,
					(sam) -> sam.recoveries().stream().mapToLong((recovery) -> recovery.backoff().toMillis()).sum()
							/ 1000.0)
			.description("Time the supervisor waited before restarts, among the last 32 recoveries")
			.baseUnit("seconds")
			.register(registry);
		this.registries.add(registry);
	}

	/**
	 * Count and time one health check in every bound registry.
	 * @param result the check's result
	 */
	public void record(HealthCheckResult result) {
		for (MeterRegistry registry : this.registries) {
			healthChecks(registry, result.outcome()).increment();
			healthCheckDuration(registry).record(result.duration());
		}
	}

	private static double recoveries(Sam sam, Recovery.Reason reason) {
		return sam.recoveries().stream().filter((recovery) -> recovery.reason() == reason).count();
	}

	private static Counter healthChecks(MeterRegistry registry, HealthCheckResult.Outcome outcome) {
		return Counter.builder("sam.healthchecks")
			.description("Health checks run as libsam's event-driven callback")
			.tag("outcome", outcome.value())
			.register(registry);
	}

	private static Timer healthCheckDuration(MeterRegistry registry) {
		return Timer.builder("sam.healthcheck.duration").description("Time one health check took").register(registry);
	}

}
