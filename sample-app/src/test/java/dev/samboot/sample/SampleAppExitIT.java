package dev.samboot.sample;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.samboot.sample.SampleAppProcess.Instance;
import dev.samboot.sample.SampleAppProcess.ProcState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

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

	/**
	 * Also the supervisor's log lines, in this run: with the console in ECS JSON and the
	 * supervisor's {@code Instance} logger at DEBUG, the lean supervisor writes ECS JSON
	 * with the members Spring Boot writes for the instance's own lines, at that level.
	 */
	@Test
	@Timeout(120)
	void sigtermToTheSupervisorStopsBothProcessesWithoutRestartAndItsLinesFollowTheConsole() throws Exception {
		try (SampleAppProcess app = SampleAppProcess.start("sigterm", "--logging.structured.format.console=ecs",
				"--logging.level.dev.samboot.sam.internal.supervisor.Instance=debug")) {
			Instance first = app.awaitInstance(1, START_UP);
			app.supervisor().toHandle().destroy();
			assertThat(app.awaitExit(EXIT)).isEqualTo(143);
			assertThat(ProcState.of(first.pid())).as("instance 1, pid %d", first.pid()).isEmpty();
			assertThat(app.text()).contains("SIGTERM received: stopping instance 1 (pid " + first.pid() + ")")
				.contains("samboot supervision stopped: the context is closing")
				.contains("Instance 1 stopped with status 143")
				.contains("Supervisor exits with status 143")
				.doesNotContain("Launched instance 2");
			assertTheSupervisorsLinesAreEcsAtTheirLevels(app, first);
		}
	}

	private static void assertTheSupervisorsLinesAreEcsAtTheirLevels(SampleAppProcess app, Instance first) {
		JsonMapper mapper = JsonMapper.builder().build();
		List<JsonNode> supervisor = new ArrayList<>();
		Set<List<String>> instanceMembers = new HashSet<>();
		for (String line : app.lines()) {
			if (!line.startsWith("{")) {
				// a JVM's own warning may be there; a log line in the plain layout may
				// not
				assertThat(line).as("a line that is not JSON").doesNotContain(" --- [");
				continue;
			}
			JsonNode node = mapper.readTree(line);
			long pid = node.path("process").path("pid").asLong();
			if (pid == app.supervisorPid()) {
				supervisor.add(node);
			}
			else if (pid == first.pid() && !node.has("tags") && !node.has("error")) {
				instanceMembers.add(members(node));
			}
		}
		assertThat(supervisor).extracting((line) -> line.path("message").asString())
			.contains("Launched instance 1 of the active process (pid " + first.pid() + ")",
					"Instance 1: LAUNCHED -> CONNECTED", "Supervisor exits with status 143");
		assertThat(instanceMembers).as("Spring Boot's own ECS lines, in instance 1").isNotEmpty();
		for (JsonNode line : supervisor) {
			assertThat(instanceMembers).as("the members of %s", line).contains(members(line));
			assertThat(line.path("service").path("name").asString()).isEqualTo("sample-app");
			assertThat(line.path("ecs").path("version").asString()).isEqualTo("8.11");
		}
		assertThat(supervisor).filteredOn((line) -> line.path("log").path("level").asString().equals("DEBUG"))
			.as("DEBUG for the Instance logger only")
			.isNotEmpty()
			.allSatisfy((line) -> assertThat(line.path("log").path("logger").asString())
				.isEqualTo("dev.samboot.sam.internal.supervisor.Instance"));
	}

	/** The dotted paths of a line's values, in the order they were written. */
	private static List<String> members(JsonNode node) {
		List<String> paths = new ArrayList<>();
		collect("", node, paths);
		return paths;
	}

	private static void collect(String prefix, JsonNode node, List<String> paths) {
		for (String name : node.propertyNames()) {
			JsonNode value = node.get(name);
			if (value.isObject()) {
				collect(prefix + name + ".", value, paths);
			}
			else {
				paths.add(prefix + name);
			}
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
