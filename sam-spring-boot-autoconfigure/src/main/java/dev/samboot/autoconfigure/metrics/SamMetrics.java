package dev.samboot.autoconfigure.metrics;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.samboot.autoconfigure.health.HealthCheckResult;
import dev.samboot.sam.Recovery;
import dev.samboot.sam.Sam;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * samboot's meters. Gauge {@code sam.instance.id}; counters {@code sam.restarts},
 * {@code sam.recoveries} (tagged {@code reason}) and {@code sam.restart.backoff}
 * (seconds), read from the totals the supervisor hands to every instance, so that they
 * only grow for the supervisor's lifetime and Prometheus' {@code rate()} and
 * {@code increase()} are right across restarts; timer {@code sam.healthcheck} tagged
 * {@code outcome} ({@code up}, {@code down}, {@code error}); gauge {@code sam.quorate}
 * under a quorum policy.
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
			.description("Id of this instance of the active process: 1 for the first, one more per restart")
			.register(registry);
		FunctionCounter.builder("sam.restarts", this.sam, (sam) -> sam.totals().restarts())
			.description("Instances the supervisor started after the first, since it started")
			.baseUnit("restarts")
			.register(registry);
		for (Recovery.Reason reason : Recovery.Reason.values()) {
			FunctionCounter.builder("sam.recoveries", this.sam, (sam) -> sam.totals().recoveries(reason))
				.description("Instances the supervisor recovered (restarted, or quit after), by why they ended, "
						+ "since it started")
				.baseUnit("recoveries")
				.tag("reason", reason.value())
				.register(registry);
		}
		FunctionCounter
			.builder("sam.restart.backoff", this.sam, (sam) -> sam.totals().backoff().toNanos() / 1_000_000_000.0)
			.description("Time the supervisor waited before restarts, since it started")
			.baseUnit("seconds")
			.register(registry);
		if (this.sam.policy().quorum()) {
			Gauge
				.builder("sam.quorate", this.sam,
						(sam) -> sam.quorate().map((quorate) -> quorate ? 1.0 : 0.0).orElse(Double.NaN))
				.description("Whether the cluster is quorate (1) or not (0), as the supervisor last said")
				.register(registry);
		}
		for (HealthCheckResult.Outcome outcome : HealthCheckResult.Outcome.values()) {
			healthCheck(registry, outcome);
		}
		this.registries.add(registry);
	}

	/**
	 * Time one health check, tagged with its outcome, in every bound registry.
	 * @param result the check's result
	 */
	public void record(HealthCheckResult result) {
		for (MeterRegistry registry : this.registries) {
			healthCheck(registry, result.outcome()).record(result.duration());
		}
	}

	private static Timer healthCheck(MeterRegistry registry, HealthCheckResult.Outcome outcome) {
		return Timer.builder("sam.healthcheck")
			.description("Health checks run as libsam's event-driven callback, by outcome")
			.tag("outcome", outcome.value())
			.register(registry);
	}

}
