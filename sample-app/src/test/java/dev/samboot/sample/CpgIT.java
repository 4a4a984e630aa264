package dev.samboot.sample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import dev.samboot.corosync.RunningCorosync;
import dev.samboot.sample.SampleAppProcess.Instance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static dev.samboot.sample.SampleAppProcess.START_UP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Two sample jars, each its own supervisor, on this node with {@code sam.cpg.group} set
 * to the same group of this run's own, against the node's corosync: each instance sees
 * the other, a message sent through one is delivered to both, and when one instance
 * crashes the other sees it leave ({@code procdown}) and its successor, a new pid, join;
 * the successor sees both members again. Skipped, saying why, where no corosync runs.
 */
@ExtendWith(PrintOutputOnFailure.class)
class CpgIT {

	private static final Duration DELIVERY = Duration.ofSeconds(20);

	private final JsonMapper json = JsonMapper.builder().build();

	@Test
	@Timeout(240)
	void twoSamplesShareAGroupAndSeeACrashedInstanceLeaveAndItsSuccessorJoin() throws Exception {
		String reason = RunningCorosync.cpgUnavailableReason();
		assumeTrue(reason == null, () -> "corosync is not running here, skipping the CPG test: " + reason);
		String group = "samboot-cpg-it-" + UUID.randomUUID();
		try (SampleAppProcess a = SampleAppProcess.start("cpg-a", "--sam.cpg.group=" + group);
				SampleAppProcess b = SampleAppProcess.start("cpg-b", "--sam.cpg.group=" + group)) {
			Instance a1 = a.awaitInstance(1, START_UP);
			Instance b1 = b.awaitInstance(1, START_UP);
			awaitMembers(a, a1.pid(), b1.pid());
			awaitMembers(b, a1.pid(), b1.pid());
			JsonNode described = cpg(a);
			assertThat(described.path("group").asString()).isEqualTo(group);
			assertThat(described.path("joined").asBoolean()).isTrue();
			assertThat(described.path("self").path("pid").asLong()).isEqualTo(a1.pid());
			assertThat(described.path("self").path("nodeId").asLong()).isPositive();

			a.post("/demo/cpg/messages", "text/plain", "héllo from a");
			awaitDelivered(a, a1.pid(), "héllo from a");
			awaitDelivered(b, a1.pid(), "héllo from a");
			assertThat(cpg(a).path("messagesSent").asLong()).isEqualTo(1);
			assertThat(cpg(b).path("messagesSent").asLong()).isZero();
			assertThat(cpg(b).path("messagesDelivered").asLong()).isEqualTo(1);
			assertCpgLive(a);
			assertCpgLive(b);

			a.post("/demo/crash?status=3");
			Instance a2 = a.awaitInstance(2, START_UP);
			assertThat(a2.pid()).isNotEqualTo(a1.pid());
			awaitMembers(a, a2.pid(), b1.pid());
			awaitMembers(b, a2.pid(), b1.pid());
			List<JsonNode> changes = new ArrayList<>();
			this.json.readTree(b.getBody("/demo/cpg/members")).path("changes").forEach(changes::add);
			int left = indexOf(changes, "left", a1.pid(), "procdown");
			int joined = indexOf(changes, "joined", a2.pid(), "join");
			assertThat(left).as("b saw instance 1 of a leave, killed: %s", changes).isNotNegative();
			assertThat(joined).as("then instance 2 of a join: %s", changes).isGreaterThan(left);
			assertCpgLive(a);

			b.post("/demo/cpg/messages", "text/plain", "welcome back");
			awaitDelivered(a, b1.pid(), "welcome back");
			assertThat(cpg(a).path("messagesDelivered").asLong()).as("instance 2 counts from its own start")
				.isEqualTo(1);
		}
		assertThat(run("corosync-cpgtool")).as("both supervisors and their instances are gone, and the group with them")
			.doesNotContain(group);
	}

	private void awaitMembers(SampleAppProcess app, long... pids) {
		Set<Long> wanted = java.util.Arrays.stream(pids).boxed().collect(Collectors.toSet());
		await("members " + wanted).atMost(DELIVERY).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
			Set<Long> members = new java.util.HashSet<>();
			cpg(app).path("members").forEach((member) -> members.add(member.path("pid").asLong()));
			assertThat(members).as("the members in /actuator/sam").isEqualTo(wanted);
		});
	}

	private void awaitDelivered(SampleAppProcess app, long pid, String text) {
		await("delivery of '" + text + "'").atMost(DELIVERY).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
			JsonNode messages = this.json.readTree(app.getBody("/demo/cpg/messages"));
			assertThat(messages.valueStream()
				.filter((message) -> message.path("pid").asLong() == pid
						&& message.path("text").asString().equals(text))
				.count()).as("'%s' from %s in %s", text, pid, messages).isEqualTo(1);
		});
	}

	private void assertCpgLive(SampleAppProcess app) {
		JsonNode liveness = this.json.readTree(app.getBody("/actuator/health/liveness"));
		assertThat(liveness.path("status").asString()).isEqualTo("UP");
		JsonNode cpg = liveness.path("components").path("cpg");
		assertThat(cpg.path("status").asString()).as("cpg in %s", liveness).isEqualTo("UP");
		assertThat(cpg.path("details").path("members").asInt()).isEqualTo(2);
	}

	private JsonNode cpg(SampleAppProcess app) {
		return this.json.readTree(app.getBody("/actuator/sam")).path("cpg");
	}

	private static int indexOf(List<JsonNode> changes, String field, long pid, String reason) {
		for (int i = 0; i < changes.size(); i++) {
			for (JsonNode member : changes.get(i).path(field)) {
				if (member.path("pid").asLong() == pid && reason.equals(member.path("reason").asString())) {
					return i;
				}
			}
		}
		return -1;
	}

	private static String run(String... command) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		process.waitFor();
		return output;
	}

}
