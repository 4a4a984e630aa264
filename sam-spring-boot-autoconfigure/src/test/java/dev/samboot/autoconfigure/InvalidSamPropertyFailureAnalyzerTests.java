package dev.samboot.autoconfigure;

import dev.samboot.sam.CsError;
import dev.samboot.sam.SamException;
import org.junit.jupiter.api.Test;

import org.springframework.boot.diagnostics.FailureAnalysis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the failure analyzers say about a wrong value and about a supervisor that cannot
 * start.
 */
class InvalidSamPropertyFailureAnalyzerTests {

	@Test
	void wrongValueSaysPropertyValueAndWhatIsAllowed() {
		InvalidSamPropertyException failure = new InvalidSamPropertyException("sam.warn-signal", "99",
				SamSettings.ALLOWED.get("sam.warn-signal"),
				new IllegalArgumentException("Signal number 99 is outside 1-64"));
		FailureAnalysis analysis = new InvalidSamPropertyFailureAnalyzer().analyze(new IllegalStateException(failure));
		assertThat(analysis.getDescription()).contains("'sam.warn-signal'")
			.contains("'99'")
			.contains("Signal number 99 is outside 1-64");
		assertThat(analysis.getAction()).contains("Set 'sam.warn-signal' to a signal name such as TERM")
			.contains("sam.enabled=false");
	}

	@Test
	void corosyncMissingSuggestsStartingItOrAPlainPolicy() {
		SamException failure = new SamException(CsError.LIBRARY,
				"corosync's client library is not available (install corosync)");
		FailureAnalysis analysis = new SamFailureAnalyzer().analyze(failure);
		assertThat(analysis.getDescription()).contains("corosync").contains("cs_error_t 2");
		assertThat(analysis.getAction()).contains("Start corosync").contains("sam.policy=restart");
	}

	@Test
	void launchFailureSaysWhatMustStillExist() {
		SamException failure = new SamException(CsError.LIBRARY, "Cannot launch the active process: error=2");
		assertThat(new SamFailureAnalyzer().analyze(failure).getAction()).contains("working directory");
	}

}
