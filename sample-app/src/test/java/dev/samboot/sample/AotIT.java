package dev.samboot.sample;

import java.util.List;

import dev.samboot.sample.SampleAppProcess.Instance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.samboot.sample.SampleAppProcess.START_UP;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample application processed ahead of time ({@code spring-boot:process-aot},
 * packaged as {@code sample-app-<version>-aot.jar}) and run on a JVM with
 * {@code -Dspring.aot.enabled=true}: its bean definitions were fixed at build time, by a
 * JVM that was not registered, and it is still supervised, or runs unsupervised when
 * supervision is turned off only at run time.
 */
@ExtendWith(PrintOutputOnFailure.class)
class AotIT {

	private static final List<String> AOT_ENABLED = List.of("-Dspring.aot.enabled=true");

	private static final String AOT_STARTED = "Starting AOT-processed SampleApplication";

	@Test
	@Timeout(150)
	void processedAheadOfTimeTheApplicationIsSupervisedAndACrashIsRestarted() throws Exception {
		try (SampleAppProcess app = SampleAppProcess.start("aot-crash", SampleAppProcess.jar("aot"), AOT_ENABLED)) {
			// STARTED: the Sam bean, SamLifecycle and the endpoint exist, and start() was
			// called
			Instance first = app.awaitInstance(1, START_UP);
			assertThat(first.supervisorPid()).isEqualTo(app.supervisorPid());
			assertThat(first.json().path("healthCheck").asString()).isEqualTo("event-driven");
			assertThat(first.json().path("healthChecked").asString()).isEqualTo("health group 'liveness'");
			assertThat(app.post("/demo/counter").trim()).isEqualTo("1");
			assertThat(app.metric("sam.instance.id")).isEqualTo(1);
			app.post("/demo/crash?status=3");
			Instance second = app.awaitInstance(2, START_UP);
			assertThat(second.restarts()).isEqualTo(1);
			assertThat(second.supervisorPid()).isEqualTo(app.supervisorPid());
			assertThat(second.pid()).isNotIn(first.pid(), app.supervisorPid());
			assertThat(app.getBody("/demo/counter").trim()).isEqualTo("1");
			assertThat(app.metric("sam.restarts")).isEqualTo(1);
			assertThat(app.text()).contains("samboot supervision started: instance 1")
				.contains("Instance 1 ended (exited, status 3): restarting")
				.contains("samboot supervision started: instance 2");
			assertThat(app.lines().stream().filter((line) -> line.contains(AOT_STARTED)))
				.as("both instances run the application processed ahead of time")
				.hasSize(2);
		}
	}

	@Test
	@Timeout(90)
	void processedAheadOfTimeWithSupervisionOffAtRunTimeTheApplicationRunsUnsupervised() throws Exception {
		try (SampleAppProcess app = SampleAppProcess.start("aot-off", SampleAppProcess.jar("aot"), AOT_ENABLED,
				"--sam.enabled=false")) {
			app.awaitOk("/actuator/health", START_UP);
			assertThat(app.post("/demo/counter").trim()).isEqualTo("1");
			assertThat(app.status("/actuator/sam")).isEqualTo(404);
			assertThat(app.status("/actuator/metrics/sam.restarts")).isEqualTo(404);
			assertThat(app.text()).contains("samboot supervision is off: sam.enabled is false")
				.contains(AOT_STARTED)
				.doesNotContain("Launched instance");
		}
	}

}
