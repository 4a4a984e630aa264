package dev.samboot.sample;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import dev.samboot.sample.SampleAppProcess.Instance;
import dev.samboot.sample.SampleAppProcess.Launch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static dev.samboot.sample.SampleAppProcess.START_UP;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample jar recovers from each kind of failure its demo endpoints cause: a crash, a
 * health indicator turned DOWN, a health indicator that hangs. Interval T and the health
 * timeout are the sample's own ({@code application.yml}: 2 s and 1 s).
 */
@ExtendWith(PrintOutputOnFailure.class)
class SampleAppRecoveryIT {

	private static final Duration T = Duration.ofSeconds(2);

	/**
	 * From the warn signal to the launch of the next instance: the JVM runs its shutdown
	 * hooks (supervision stopped, graceful web shutdown) and exits; measured at 0.4-0.6
	 * s.
	 */
	private static final Duration SHUTDOWN = Duration.ofMillis(1500);

	@Test
	@Timeout(150)
	void crashIsRecoveredByANewInstanceThatKeepsTheCounter() throws Exception {
		Path classLoading = Files
			.createDirectories(SampleAppProcess.jar().resolveSibling("e2e").resolve("crash-classes"));
		try (Stream<Path> old = Files.list(classLoading)) {
			old.forEach((file) -> file.toFile().delete());
		}
		try (SampleAppProcess app = SampleAppProcess.start("crash", SampleAppProcess.jar(),
				List.of("-Xlog:class+load:file=" + classLoading.resolve("cl-%p-%t.log")))) {
			Instance first = app.awaitInstance(1, START_UP);
			assertSupervisedBeforeSpringBoot(classLoading, app.supervisorPid());
			assertThat(first.supervisorPid()).isEqualTo(app.supervisorPid());
			assertThat(first.pid()).isNotEqualTo(app.supervisorPid());
			assertThat(first.restarts()).isZero();
			assertThat(first.recoveries().size()).isZero();
			HttpResponse<String> refused = app.postForResponse("/actuator/sam/restart");
			assertThat(refused.statusCode()).as("write operations are off by default: " + refused.body())
				.isBetween(400, 499);
			JsonNode info = JsonMapper.builder().build().readTree(app.getBody("/actuator/info")).path("sam");
			assertThat(info.path("instanceId").asInt()).isEqualTo(1);
			assertThat(info.path("supervisorPid").asLong()).isEqualTo(app.supervisorPid());
			assertThat(info.path("pid").asLong()).isEqualTo(first.pid());
			assertThat(info.path("policy").asString()).isEqualTo("restart");
			assertThat(app.post("/demo/counter").trim()).isEqualTo("1");
			assertThat(app.post("/demo/counter").trim()).isEqualTo("2");
			app.post("/demo/crash?status=3");
			Instance second = app.awaitInstance(2, START_UP);
			assertThat(second.pid()).isNotIn(first.pid(), app.supervisorPid());
			assertThat(second.supervisorPid()).isEqualTo(app.supervisorPid());
			assertThat(second.restarts()).isEqualTo(1);
			assertThat(second.recoveries().size()).isOne();
			assertRecovery(second.recoveries().get(0), first, "exited", 3);
			assertThat(app.getBody("/demo/counter").trim()).isEqualTo("2");
			assertThat(app.metric("sam.instance.id")).isEqualTo(second.id());
			assertThat(app.metric("sam.restarts")).isEqualTo(second.restarts());
			assertThat(app.children()).containsOnlyKeys(second.pid());
			assertThat(app.text()).contains("Instance 1 ended (exited, status 3): restarting");
			assertThat(app.launch(3)).as("the refused restart restarted nothing").isEmpty();
		}
	}

	@Test
	@Timeout(150)
	void unhealthyInstanceIsWarnedWithSigtermAndReplaced() throws Exception {
		try (SampleAppProcess app = SampleAppProcess.start("unhealthy")) {
			Instance first = app.awaitInstance(1, START_UP);
			app.post("/demo/counter");
			Instant fault = Instant.now();
			app.post("/demo/unhealthy");
			Instance second = awaitReplacement(app, "POST /demo/unhealthy", fault, first);
			assertThat(app.text()).contains("Instance 1 reports it is unhealthy: health check answered unhealthy");
			assertThat(app.getBody("/demo/counter").trim()).isEqualTo("1");
			assertThat(app.getBody("/actuator/health")).contains("\"status\":\"UP\"");
			assertThat(second.restarts()).isEqualTo(1);
		}
	}

	@Test
	@Timeout(150)
	void hangingHealthCheckIsWarnedWithSigtermAndReplaced() throws Exception {
		try (SampleAppProcess app = SampleAppProcess.start("hang")) {
			Instance first = app.awaitInstance(1, START_UP);
			Instant fault = Instant.now();
			app.post("/demo/hang");
			Instance second = awaitReplacement(app, "POST /demo/hang", fault, first);
			assertThat(app.text()).contains("Instance 1 reports it is unhealthy: health check failed: "
					+ "java.util.concurrent.TimeoutException: The check of health group 'liveness' did not answer "
					+ "within 1000 ms");
			assertThat(second.restarts()).isEqualTo(1);
		}
	}

	/**
	 * Within 2T of the fault the supervisor sends SIGTERM (T at most until the next
	 * check, T of silence after it); the instance shuts down, exits 143 and instance 2 is
	 * launched at once.
	 */
	private static Instance awaitReplacement(SampleAppProcess app, String what, Instant fault, Instance first) {
		Launch launch = app.awaitLaunch(2, T.multipliedBy(3).plus(SHUTDOWN));
		Duration faultToLaunch = Duration.between(fault, launch.time());
		Instance second = app.awaitInstance(2, START_UP);
		Duration launchToServing = Duration.between(launch.time(), Instant.now());
		System.out.printf(
				"%s: fault to launch of instance 2 %d ms (bound 2T + %d ms = %d ms), launch to serving" + " %d ms%n",
				what, faultToLaunch.toMillis(), SHUTDOWN.toMillis(), T.multipliedBy(2).plus(SHUTDOWN).toMillis(),
				launchToServing.toMillis());
		assertThat(faultToLaunch).isLessThanOrEqualTo(T.multipliedBy(2).plus(SHUTDOWN));
		assertThat(app.text())
			.contains("Instance 1 (pid " + first.pid() + ") reported its health check failed: sending SIGTERM");
		assertRecovery(second.lastRecovery(), first, "unhealthy", 143);
		assertThat(second.pid()).isNotIn(first.pid(), app.supervisorPid());
		assertThat(ProcessHandle.of(first.pid()).filter(ProcessHandle::isAlive)).isEmpty();
		assertThat(app.children()).containsOnlyKeys(second.pid());
		return second;
	}

	/**
	 * The jar is built with samboot's layout: the JVM the user started became the
	 * supervisor from the launcher, and Spring Boot never loaded in it.
	 */
	private static void assertSupervisedBeforeSpringBoot(Path classLoading, long supervisorPid) throws IOException {
		String launcherJvm = null;
		try (Stream<Path> files = Files.list(classLoading)) {
			for (Path file : files.filter((f) -> f.getFileName().toString().startsWith("cl-" + supervisorPid + "-"))
				.toList()) {
				String text = Files.readString(file);
				if (text.contains(" dev.samboot.launcher.SamJarLauncher ")) {
					launcherJvm = text;
				}
			}
		}
		assertThat(launcherJvm).as("the class-loading log of the JVM started with java -jar").isNotNull();
		assertThat(launcherJvm).contains(" dev.samboot.autoconfigure.LauncherSupervision ")
			.contains(" dev.samboot.sam.internal.process.NativeExec ")
			.doesNotContain(" org.springframework.boot.SpringApplication ")
			.doesNotContain(" org.springframework.context.");
		// the lean supervisor runs from the copies the launcher loaded its decision from
		java.util.regex.Matcher copies = java.util.regex.Pattern.compile(
				" dev\\.samboot\\.autoconfigure\\.LauncherSupervision source: file:(\\S+)/sam-spring-boot-autoconfigure-")
			.matcher(launcherJvm);
		assertThat(copies.find()).as("LauncherSupervision loaded from the launcher's copies").isTrue();
		String command = Files.readString(Path.of("/proc", Long.toString(supervisorPid), "cmdline")).replace('\0', ' ');
		assertThat(command).contains(" -cp " + copies.group(1) + "/sam-core-");
	}

	private static void assertRecovery(JsonNode recovery, Instance ended, String reason, int exitStatus) {
		assertThat(recovery.path("instance").asInt()).isEqualTo(ended.id());
		assertThat(recovery.path("pid").asLong()).isEqualTo(ended.pid());
		assertThat(recovery.path("reason").asString()).isEqualTo(reason);
		assertThat(recovery.path("exitStatus").asInt()).isEqualTo(exitStatus);
		assertThat(recovery.path("action").asString()).isEqualTo("restart");
		assertThat(recovery.path("time").asString()).isNotEmpty();
	}

}
