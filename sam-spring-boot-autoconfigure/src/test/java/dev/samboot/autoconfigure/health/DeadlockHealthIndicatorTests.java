package dev.samboot.autoconfigure.health;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@Timeout(30)
class DeadlockHealthIndicatorTests {

	private final DeadlockHealthIndicator indicator = new DeadlockHealthIndicator();

	@Test
	void upWithoutDeadlock() {
		assertThat(this.indicator.health().getStatus()).isEqualTo(Status.UP);
	}

	@Test
	void downWithTheDeadlockedThreadsNamed() throws Exception {
		ReentrantLock first = new ReentrantLock();
		ReentrantLock second = new ReentrantLock();
		CountDownLatch bothHeld = new CountDownLatch(2);
		Thread one = deadlocking("deadlock-one", first, second, bothHeld);
		Thread two = deadlocking("deadlock-two", second, first, bothHeld);
		try {
			await().atMost(10, TimeUnit.SECONDS).until(() -> this.indicator.health().getStatus().equals(Status.DOWN));
			Health health = this.indicator.health();
			assertThat(health.getDetails().get("threads"))
				.asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
				.hasSize(2)
				.anySatisfy((thread) -> assertThat(thread.toString()).contains("\"deadlock-one\" waits for")
					.contains("held by \"deadlock-two\""));
		}
		finally {
			// a deadlock on ReentrantLock can be broken by interruption
			one.interrupt();
			two.interrupt();
			one.join(5000);
			two.join(5000);
		}
		assertThat(List.of(one.isAlive(), two.isAlive())).containsOnly(false);
	}

	private static Thread deadlocking(String name, ReentrantLock held, ReentrantLock wanted, CountDownLatch bothHeld) {
		Thread thread = new Thread(() -> {
			held.lock();
			try {
				bothHeld.countDown();
				bothHeld.await();
				wanted.lockInterruptibly();
				wanted.unlock();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			finally {
				held.unlock();
			}
		}, name);
		thread.setDaemon(true);
		thread.start();
		return thread;
	}

}
