package dev.samboot.sam.internal.supervisor;

import java.util.EnumSet;

import dev.samboot.sam.Recovery;
import dev.samboot.sam.internal.supervisor.Instance.Phase;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class InstanceTests {

	@Test
	void everyPhaseHasItsMovesAndAnEndedInstanceMovesNoMore() {
		assertThat(Instance.MOVES).containsOnlyKeys(Phase.values());
		assertThat(Instance.MOVES.get(Phase.ENDED)).isEmpty();
		for (Phase phase : Phase.values()) {
			if (phase != Phase.ENDED) {
				assertThat(Instance.MOVES.get(phase)).as("%s can end", phase).contains(Phase.ENDED);
			}
		}
		assertThat(Instance.MOVES.get(Phase.WARNED)).containsExactlyInAnyOrder(Phase.KILLED, Phase.ENDED);
	}

	@Test
	void aMoveOutsideTheTableFailsLoudly() {
		for (Phase from : Phase.values()) {
			for (Phase to : EnumSet.complementOf(EnumSet.copyOf(Instance.MOVES.get(from)))) {
				if (to == from) {
					continue;
				}
				Instance instance = at(from);
				assertThatIllegalStateException().as("%s -> %s", from, to)
					.isThrownBy(() -> instance.moveTo(to))
					.withMessageContaining(from + " to " + to);
			}
		}
	}

	@Test
	void theCauseThatSaysMoreWins() {
		Instance instance = new Instance(1, null, 0);
		instance.cause(Recovery.Reason.HC_TIMEOUT);
		instance.cause(Recovery.Reason.UNHEALTHY);
		assertThat(instance.reason(143)).isEqualTo(Recovery.Reason.UNHEALTHY);
		instance.cause(Recovery.Reason.QUORUM_LOST);
		instance.cause(Recovery.Reason.UNHEALTHY);
		assertThat(instance.reason(143)).isEqualTo(Recovery.Reason.QUORUM_LOST);
		instance.markFailed();
		assertThat(instance.reason(137)).isEqualTo(Recovery.Reason.MARKED_FAILED);
	}

	@Test
	void withoutACauseTheReasonComesFromHowItEnded() {
		Instance neverStarted = new Instance(2, null, 0);
		assertThat(neverStarted.reason(1)).isEqualTo(Recovery.Reason.START_FAILED);
		Instance started = new Instance(3, null, 0);
		started.startCalled(true);
		assertThat(started.reason(3)).isEqualTo(Recovery.Reason.EXITED);
		assertThat(started.reason(137)).isEqualTo(Recovery.Reason.KILLED);
	}

	private static Instance at(Phase phase) {
		Instance instance = new Instance(1, null, 0);
		switch (phase) {
			case LAUNCHED -> {
			}
			case CONNECTED -> instance.moveTo(Phase.CONNECTED);
			case WAITING_FOR_QUORUM -> {
				instance.moveTo(Phase.CONNECTED);
				instance.moveTo(Phase.WAITING_FOR_QUORUM);
			}
			case STARTED -> {
				instance.moveTo(Phase.CONNECTED);
				instance.moveTo(Phase.STARTED);
			}
			case WARNED -> {
				instance.moveTo(Phase.CONNECTED);
				instance.moveTo(Phase.STARTED);
				instance.moveTo(Phase.WARNED);
			}
			case KILLED -> instance.moveTo(Phase.KILLED);
			case ENDED -> instance.moveTo(Phase.ENDED);
		}
		return instance;
	}

}
