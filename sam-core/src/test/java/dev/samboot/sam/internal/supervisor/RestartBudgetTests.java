package dev.samboot.sam.internal.supervisor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import dev.samboot.sam.Backoff;
import dev.samboot.sam.Recovery;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RestartBudgetTests {

	private static final long S = TimeUnit.SECONDS.toNanos(1);

	private static RestartBudget budget(int maxRestarts, long window) {
		Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(8), 2, 0, Duration.ofSeconds(30));
		Backoff retry = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(2), 2, 0, Duration.ZERO);
		return new RestartBudget(
				new RestartRules(maxRestarts, window, backoff, retry, Set.of(), Set.of(), 0, null, null, () -> 0.5));
	}

	@Test
	void intensityCountsTheRestartsWithinTheWindow() {
		RestartBudget budget = budget(2, 10 * S);
		Instance ended = new Instance(1, null, 0);
		assertThat(budget.exhausted(0)).isFalse();
		budget.restart(0, ended, false);
		budget.restart(S, ended, false);
		assertThat(budget.exhausted(2 * S)).isTrue();
		assertThat(budget.exhausted(10 * S)).as("the first has left the window").isFalse();
	}

	@Test
	void restartsInARowWaitLongerUntilAnInstanceRanLongEnough() {
		RestartBudget budget = budget(-1, 0);
		List<Long> waits = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			waits.add(budget.restart(i * S, new Instance(i + 1, null, 0), false) / 1_000_000);
		}
		assertThat(waits).containsExactly(1000L, 2000L, 4000L, 8000L, 8000L);
		Instance ranLong = new Instance(6, null, 0);
		ranLong.running(S);
		assertThat(budget.restart(40 * S, ranLong, false) / 1_000_000).isEqualTo(1000L);
	}

	@Test
	void failedStartsHaveTheirOwnSeriesWhichAStartEnds() {
		RestartBudget budget = budget(-1, 0);
		Instance failed = new Instance(2, null, 0);
		assertThat(budget.restart(0, failed, true) / 1_000_000).isEqualTo(500L);
		assertThat(budget.restart(0, failed, true) / 1_000_000).isEqualTo(1000L);
		assertThat(budget.restart(0, failed, false) / 1_000_000).as("the crash series is apart").isEqualTo(1000L);
		budget.started();
		assertThat(budget.restart(0, failed, true) / 1_000_000).isEqualTo(500L);
	}

	@Test
	void historyKeepsTheMostRecent() {
		RecoveryHistory history = new RecoveryHistory(2);
		for (int i = 1; i <= 3; i++) {
			history
				.add(new Recovery(java.time.Instant.EPOCH, i, i, Recovery.Reason.EXITED, 1, Recovery.Action.RESTART));
		}
		assertThat(history.recent()).extracting(Recovery::instance).containsExactly(2, 3);
	}

}
