package dev.samboot.sample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import dev.samboot.sample.SampleAppProcess.Instance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.samboot.sample.SampleAppProcess.START_UP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The sample jar under {@code sam.policy=quorum-restart} and
 * {@code sam.cmap.enabled=true} against the node's corosync (CI starts a one-node
 * cluster): the lean supervisor carries corosync's bindings, the instance hears that the
 * cluster is quorate, and the state is in cmap for an operator until a clean stop removes
 * it. Skipped, saying why, where no corosync runs.
 */
@ExtendWith(PrintOutputOnFailure.class)
class CorosyncIT {

	@Test
	@Timeout(120)
	void quorumAndCmapWorkFromTheLeanSupervisor() throws Exception {
		assumeTrue(quorumtoolAnswers(), "no corosync answers corosync-quorumtool here");
		try (SampleAppProcess app = SampleAppProcess.start("corosync", "--sam.policy=quorum-restart",
				"--sam.cmap.enabled=true")) {
			Instance first = app.awaitInstance(1, START_UP);
			assertThat(first.json().get("quorate").asBoolean()).isTrue();
			assertThat(first.json().get("cmapPublishing").asBoolean()).isTrue();
			assertThat(first.json().get("policy").asString()).isEqualTo("quorum-restart+cmap");
			String prefix = "resources.process." + app.supervisorPid() + ".";
			assertThat(run("corosync-cmapctl", prefix)).contains(prefix + "state (str) = running")
				.contains(prefix + "recovery (str) = restart")
				.contains(prefix + "poll_period (u64) = 2000");
			assertThat(app.metric("sam.quorate")).isEqualTo(1.0);
			assertThat(app.text()).doesNotContain("Supervising in this JVM");
			app.supervisor().toHandle().destroy();
			assertThat(app.awaitExit(Duration.ofSeconds(40))).isEqualTo(143);
			assertThat(run("corosync-cmapctl", prefix)).doesNotContain(prefix);
		}
	}

	private static boolean quorumtoolAnswers() {
		try {
			Process tool = new ProcessBuilder("corosync-quorumtool", "-s").redirectErrorStream(true).start();
			tool.getInputStream().readAllBytes();
			int status = tool.waitFor();
			return status == 0 || status == 2;
		}
		catch (IOException ex) {
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	private static String run(String... command) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		process.waitFor();
		return output;
	}

}
