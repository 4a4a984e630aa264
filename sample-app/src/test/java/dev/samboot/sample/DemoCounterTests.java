package dev.samboot.sample;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.samboot.sam.Recovery;
import dev.samboot.sam.Sam;
import dev.samboot.sam.Signals;
import dev.samboot.test.SamTestSupervisor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample's counter, which it keeps in the supervisor's stored data, tested as an
 * application tests its own code with {@code sam-spring-boot-starter-test}: in a
 * {@code @SpringBootTest} on a random port, with a simulated recovery in between. No
 * second JVM: the supervisor runs on a thread of this one.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DemoCounterTests {

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@Value("${local.server.port}")
	private int port;

	@Autowired
	private Sam sam;

	@Autowired
	private SamTestSupervisor supervisor;

	@Test
	void theCounterSurvivesARecovery() throws Exception {
		long before = Long.parseLong(send("POST", "/demo/counter").trim());
		assertThat(send("POST", "/demo/counter").trim()).isEqualTo(Long.toString(before + 1));
		int instance = this.sam.instanceId();

		this.supervisor.recover();

		assertThat(this.supervisor.signalsSent()).as("the sample's warn signal").endsWith(Signals.SIGTERM);
		assertThat(send("GET", "/demo/counter").trim()).as("restored by the next instance")
			.isEqualTo(Long.toString(before + 1));
		JsonNode described = JsonMapper.builder().build().readTree(send("GET", "/actuator/sam"));
		assertThat(described.get("instanceId").asInt()).isEqualTo(instance + 1);
		assertThat(described.get("state").asString()).isEqualTo("STARTED");
		JsonNode last = described.get("recoveries").get(described.get("recoveries").size() - 1);
		assertThat(last.get("reason").asString()).isEqualTo(Recovery.Reason.HC_TIMEOUT.value());
		assertThat(last.get("instance").asInt()).isEqualTo(instance);
	}

	private String send(String method, String path) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.method(method, HttpRequest.BodyPublishers.noBody())
			.timeout(Duration.ofSeconds(10))
			.build();
		HttpResponse<String> response = this.http.send(request, HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(method + " " + path).isEqualTo(200);
		return response.body();
	}

}
