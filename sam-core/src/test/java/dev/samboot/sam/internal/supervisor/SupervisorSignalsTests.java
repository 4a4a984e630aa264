package dev.samboot.sam.internal.supervisor;

import java.util.Set;

import dev.samboot.sam.Signals;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SupervisorSignalsTests {

	@Test
	void saysNothingWhenBothStopSignalsAreHandled() {
		assertThat(SupervisorSignals.ignoredNotice((signal) -> signal == Signals.SIGQUIT)).isEmpty();
	}

	@Test
	void namesAnIgnoredSigintAndTheSignalThatStillStops() {
		assertThat(SupervisorSignals.ignoredNotice(Set.of(Signals.SIGINT)::contains)).hasValue(
				"SIGINT inherited as ignored (as by a background job of a script): the supervisor leaves it so, and "
						+ "SIGINT sent to it does nothing; stop it with SIGTERM");
	}

	@Test
	void namesAnIgnoredSigterm() {
		assertThat(SupervisorSignals.ignoredNotice(Set.of(Signals.SIGTERM)::contains))
			.hasValueSatisfying((notice) -> assertThat(notice).startsWith("SIGTERM inherited as ignored")
				.endsWith("stop it with SIGINT"));
	}

	@Test
	void namesBoth() {
		assertThat(SupervisorSignals.ignoredNotice(Set.of(Signals.SIGTERM, Signals.SIGINT)::contains))
			.hasValueSatisfying((notice) -> assertThat(notice).startsWith("SIGTERM and SIGINT inherited as ignored")
				.contains("leaves them so, and SIGTERM and SIGINT sent to it do nothing")
				.endsWith("only SIGKILL stops it"));
	}

}
