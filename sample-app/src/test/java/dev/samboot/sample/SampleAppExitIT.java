package dev.samboot.sample;

import java.time.Duration;

import dev.samboot.sample.SampleAppProcess.Instance;
import dev.samboot.sample.SampleAppProcess.ProcState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.samboot.sample.SampleAppProcess.START_UP;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the sample jar ends: stopped from outside like a service, or quitting with the
 * status of a crashed instance under {@code sam.policy=quit}.
 */
@ExtendWith(PrintOutputOnFailure.class)
class SampleAppExitIT {

	/** Within the default {@code sam.shutdown-timeout} of 30 s, and then some. */
	private static final Duration EXIT = Duration.ofSeconds(40);

	@Test
	@Timeout(120)
	void sigtermToTheSupervisorStopsBothProcessesWithoutRestart() throws Exception {
		try (SampleAppProcess app = SampleAppProcess.start("sigterm")) {
			Instance first = app.awaitInstance(1, START_UP);
			app.supervisor().toHandle().destroy();
			assertThat(app.awaitExit(EXIT)).isEqualTo(143);
			assertThat(ProcState.of(first.pid())).as("instance 1, pid %d", first.pid()).isEmpty();
			assertThat(app.text()).contains("SIGTERM received: stopping instance 1 (pid " + first.pid() + ")")
				.contains("samboot supervision stopped: the context is closing")
				.contains("Instance 1 stopped with status 143")
				.contains("Supervisor exits with status 143")
				.doesNotContain("Launched instance 2");
		}
	}

	@Test
	@Timeout(120)
	void quitPolicyMakesTheSupervisorExitWithTheStatusOfTheCrash() throws Exception {
		try (SampleAppProcess app = SampleAppProcess.start("quit", "--sam.policy=quit")) {
			Instance first = app.awaitInstance(1, START_UP);
			assertThat(first.json().path("policy").asString()).isEqualTo("quit");
			app.post("/demo/crash?status=7");
			assertThat(app.awaitExit(EXIT)).isEqualTo(7);
			assertThat(ProcState.of(first.pid())).as("instance 1, pid %d", first.pid()).isEmpty();
			assertThat(app.text()).contains("Instance 1 ended (exited, status 7): quitting")
				.contains("Supervisor exits with status 7")
				.doesNotContain("Launched instance 2");
		}
	}

}
