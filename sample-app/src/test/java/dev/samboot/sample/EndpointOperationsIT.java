package dev.samboot.sample;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

import dev.samboot.sample.SampleAppProcess.Instance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static dev.samboot.sample.SampleAppProcess.START_UP;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sam endpoint's write operations on the real sample jar: with
 * {@code management.endpoint.sam.access=unrestricted} an orderly restart through the warn
 * signal and Spring's graceful shutdown to the next instance, recorded as
 * {@code requested}; the {@code sam} section of {@code /actuator/info}. That they are
 * refused by default is checked on the default sample by {@code SampleAppRecoveryIT}.
 */
@ExtendWith(PrintOutputOnFailure.class)
class EndpointOperationsIT {

	private final JsonMapper json = JsonMapper.builder().build();

	@Test
	@Timeout(150)
	void restartIsOrderlyWhenAccessIsGranted() throws Exception {
		try (SampleAppProcess app = SampleAppProcess.start("restart",
				"--management.endpoint.sam.access=unrestricted")) {
			Instance first = app.awaitInstance(1, START_UP);
			assertThat(app.post("/demo/counter").trim()).isEqualTo("1");
			Instant asked = Instant.now();
			JsonNode answer = this.json.readTree(app.post("/actuator/sam/restart"));
			assertThat(answer.path("action").asString()).isEqualTo("restart");
			assertThat(answer.path("instance").asInt()).isEqualTo(1);
			assertThat(answer.path("next").asString()).contains("SIGTERM", "instance 2");
			Instance second = app.awaitInstance(2, START_UP);
			System.out.printf("requested restart: instance 2 served %d ms after the request%n",
					Duration.between(asked, Instant.now()).toMillis());
			JsonNode recovery = second.lastRecovery();
			assertThat(recovery.path("reason").asString()).isEqualTo("requested");
			assertThat(recovery.path("action").asString()).isEqualTo("restart");
			assertThat(recovery.path("instance").asInt()).isEqualTo(1);
			assertThat(recovery.path("backoffMillis").asLong()).isZero();
			assertThat(recovery.path("exitStatus").asInt()).as("ended by its graceful shutdown, not SIGKILL")
				.isNotEqualTo(137);
			assertThat(second.json().path("totals").path("recoveries").path("requested").asLong()).isEqualTo(1);
			assertThat(app.getBody("/demo/counter").trim()).isEqualTo("1");
			assertThat(app.text()).contains("Instance 1 (pid " + first.pid() + ") asked for a restart: sending SIGTERM")
				.contains("Restart of instance 1 requested through the sam endpoint");
			JsonNode info = this.json.readTree(app.getBody("/actuator/info")).path("sam");
			assertThat(info.path("instanceId").asInt()).isEqualTo(2);
			assertThat(info.path("restarts").asLong()).isEqualTo(1);
			HttpResponse<String> markFailed = app.postForResponse("/actuator/sam/mark-failed");
			assertThat(markFailed.statusCode()).as("the policy has no cmap flag").isEqualTo(400);
			assertThat(this.json.readTree(markFailed.body()).path("error").asString()).isEqualTo("INVALID_PARAM");
		}
	}

}
