package dev.samboot.sample;

import java.util.concurrent.CountDownLatch;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * A health indicator the demo endpoints can break: turned DOWN, or made to block forever,
 * as a stuck database connection would.
 */
@Component("demo")
public class DemoHealthIndicator implements HealthIndicator {

	enum Mode {

		UP, DOWN, HANG

	}

	private final CountDownLatch never = new CountDownLatch(1);

	private volatile Mode mode = Mode.UP;

	void mode(Mode mode) {
		this.mode = mode;
	}

	@Override
	public Health health() {
		return switch (this.mode) {
			case UP -> Health.up().build();
			case DOWN -> Health.down().withDetail("reason", "POST /demo/unhealthy").build();
			case HANG -> hang();
		};
	}

	private Health hang() {
		while (true) {
			try {
				this.never.await();
			}
			catch (InterruptedException ex) {
				// a stuck call ignores interruption too; only the supervisor ends this
			}
		}
	}

}
