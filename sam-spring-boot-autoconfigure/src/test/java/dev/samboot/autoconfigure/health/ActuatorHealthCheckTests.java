package dev.samboot.autoconfigure.health;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;

import dev.samboot.autoconfigure.health.ActuatorHealthCheck.HealthSnapshot;
import dev.samboot.autoconfigure.health.HealthCheckResult.Outcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Actuator's health as libsam's callback: UP is healthy, anything else is not, and a
 * check that throws or hangs counts as an error within its timeout.
 */
@Timeout(10)
class ActuatorHealthCheckTests {

	private final List<HealthCheckResult> results = new CopyOnWriteArrayList<>();

	private final CountDownLatch release = new CountDownLatch(1);

	private ActuatorHealthCheck check;

	@AfterEach
	void releaseHungChecks() {
		this.release.countDown();
		if (this.check != null) {
			this.check.destroy();
		}
	}

	private ActuatorHealthCheck check(java.util.concurrent.Callable<HealthSnapshot> health) {
		this.check = new ActuatorHealthCheck(health, Duration.ofMillis(200), "all health indicators");
		this.check.addListener(this.results::add);
		return this.check;
	}

	@Test
	void upIsHealthy() throws Exception {
		assertThat(check(() -> new HealthSnapshot("UP", List.of())).isHealthy()).isTrue();
		assertThat(this.results).singleElement().satisfies((result) -> {
			assertThat(result.outcome()).isEqualTo(Outcome.UP);
			assertThat(result.status()).isEqualTo("UP");
			assertThat(result.detail()).isNull();
		});
	}

	@Test
	void downOutOfServiceAndUnknownAreNotHealthy() throws Exception {
		for (String status : List.of("DOWN", "OUT_OF_SERVICE", "UNKNOWN")) {
			assertThat(check(() -> new HealthSnapshot(status, List.of("db=" + status))).isHealthy()).as(status)
				.isFalse();
		}
		assertThat(this.results).extracting(HealthCheckResult::outcome).containsOnly(Outcome.DOWN);
		assertThat(this.check.lastResult().detail()).isEqualTo("status UNKNOWN [db=UNKNOWN]");
	}

	@Test
	void exceptionIsAnErrorAndPropagates() {
		ActuatorHealthCheck check = check(() -> {
			throw new IllegalStateException("registry broken");
		});
		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(check::isHealthy)
			.withMessageContaining("registry broken");
		assertThat(check.lastResult().outcome()).isEqualTo(Outcome.ERROR);
	}

	@Test
	void checkThatHangsTimesOutAndTheNextOneFailsAtOnce() {
		ActuatorHealthCheck check = check(this::hangIgnoringInterrupts);
		long start = System.nanoTime();
		assertThatExceptionOfType(TimeoutException.class).isThrownBy(check::isHealthy)
			.withMessageContaining("did not answer within 200 ms");
		long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
		assertThat(elapsedMillis).isBetween(190L, 2000L);
		assertThat(check.lastResult().outcome()).isEqualTo(Outcome.ERROR);
		assertThat(check.lastResult().duration()).isGreaterThanOrEqualTo(Duration.ofMillis(190));
		long again = System.nanoTime();
		assertThatExceptionOfType(TimeoutException.class).isThrownBy(check::isHealthy)
			.withMessageContaining("has still not answered");
		assertThat((System.nanoTime() - again) / 1_000_000).as("no second wait on a stuck check").isLessThan(150);
	}

	private HealthSnapshot hangIgnoringInterrupts() {
		while (true) {
			try {
				this.release.await();
				return new HealthSnapshot("UP", List.of());
			}
			catch (InterruptedException ex) {
				// as a stuck driver call would
			}
		}
	}

	@Test
	void listenerFailureDoesNotChangeTheVerdict() throws Exception {
		ActuatorHealthCheck check = check(() -> new HealthSnapshot("UP", List.of()));
		check.addListener((result) -> {
			throw new IllegalStateException("listener broken");
		});
		assertThat(check.isHealthy()).isTrue();
	}

}
