package dev.samboot.sam.internal.lean;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SupervisorLogFormatTests {

	@Test
	void loggerNamesAreShortenedFromTheLeftLikeSpringBootsConsole() {
		assertThat(SupervisorLogFormat.abbreviate("dev.samboot.sam.internal.supervisor.Supervisor", 40))
			.isEqualTo("d.s.sam.internal.supervisor.Supervisor");
		assertThat(SupervisorLogFormat.abbreviate("dev.samboot.sam.Sam", 40)).isEqualTo("dev.samboot.sam.Sam");
		assertThat(SupervisorLogFormat.abbreviate("a.b.VeryLongClassNameThatDoesNotFitAnyWidth", 10))
			.isEqualTo("a.b.VeryLongClassNameThatDoesNotFitAnyWidth");
		assertThat(SupervisorLogFormat.abbreviate(null, 40)).isEmpty();
	}

}
