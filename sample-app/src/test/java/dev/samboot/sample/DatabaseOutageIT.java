package dev.samboot.sample;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.samboot.sample.SampleAppProcess.Instance;
import dev.samboot.sample.SampleAppProcess.Restart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static dev.samboot.sample.SampleAppProcess.START_UP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real PostgreSQL that goes away under the sample jar ({@code postgres} profile,
 * {@link DemoDatabase}). A database outage is not an application outage: while it lasts
 * the instance keeps running (Actuator's {@code db} indicator is DOWN, the
 * {@code liveness} group that samboot checks stays UP) and serves again, through its
 * pool, once the database is back. An instance that must be replaced while the database
 * is away cannot start (its table is created at start-up): the supervisor tries again
 * with growing waits, never quits, and the first instance launched after the database is
 * back serves. Skipped, saying why, where PostgreSQL is not installed.
 */
@ExtendWith(PrintOutputOnFailure.class)
class DatabaseOutageIT {

	private static final Duration OUTAGE = Duration.ofSeconds(12);

	private final JsonMapper json = JsonMapper.builder().build();

	@Test
	@Timeout(180)
	void databaseOutageRestartsNothingAndTheInstanceServesAgainWhenItIsBack() throws Exception {
		try (PostgresServer postgres = PostgresServer.start("outage");
				SampleAppProcess app = SampleAppProcess.start("db-outage", arguments(postgres))) {
			Instance first = app.awaitInstance(1, START_UP);
			assertThat(app.post("/demo/db").trim()).isEqualTo("1");
			assertThat(app.getBody("/demo/db")).startsWith("1 rows at ");
			assertThat(component(app.get("/actuator/health"), "db")).isEqualTo("UP");

			postgres.stop();
			Instant end = Instant.now().plus(OUTAGE);
			List<String> dbStatuses = new ArrayList<>();
			List<Integer> demoDbCodes = new ArrayList<>();
			int checks = 0;
			while (Instant.now().isBefore(end)) {
				Instance serving = app.instance()
					.orElseThrow(() -> new AssertionError("no instance answers during the outage\n" + app.tail()));
				assertThat(serving.id()).as("instance id during the outage").isEqualTo(1);
				assertThat(serving.pid()).isEqualTo(first.pid());
				assertThat(status(app.get("/actuator/health/liveness"))).as("liveness during the outage")
					.isEqualTo("UP");
				dbStatuses.add(component(app.get("/actuator/health"), "db"));
				demoDbCodes.add(app.statusIfAnswered("/demo/db").orElse(-1));
				checks++;
				Thread.sleep(500);
			}
			System.out.printf("During the %d s outage: %d checks, db indicator %s, GET /demo/db %s%n",
					OUTAGE.toSeconds(), checks, dbStatuses, demoDbCodes);
			assertThat(dbStatuses).as("db indicator during the outage").isNotEmpty().containsOnly("DOWN");
			assertThat(demoDbCodes).as("GET /demo/db during the outage").containsOnly(503);
			assertThat(app.launch(2)).as("a second instance").isEmpty();
			assertThat(app.text()).doesNotContain("missed its health check").doesNotContain("Instance 1 ended");

			postgres.start();
			await("GET /demo/db to serve again").atMost(Duration.ofSeconds(30))
				.pollInterval(Duration.ofMillis(250))
				.until(() -> app.statusIfAnswered("/demo/db").orElse(-1) == 200);
			assertThat(app.post("/demo/db").trim()).isEqualTo("2");
			assertThat(component(app.get("/actuator/health"), "db")).isEqualTo("UP");
			Instance after = app.instance().orElseThrow();
			assertThat(after.id()).isEqualTo(1);
			assertThat(after.pid()).isEqualTo(first.pid());
			assertThat(after.restarts()).isZero();
			assertThat(after.recoveries().size()).isZero();
			assertThat(app.launch(2)).isEmpty();
		}
	}

	@Test
	@Timeout(180)
	void instancesThatCannotStartWithoutTheDatabaseAreRetriedUntilItIsBack() throws Exception {
		try (PostgresServer postgres = PostgresServer.start("start-retry");
				SampleAppProcess app = SampleAppProcess.start("db-start-retry", arguments(postgres))) {
			Instance first = app.awaitInstance(1, START_UP);
			assertThat(app.post("/demo/db").trim()).isEqualTo("1");
			assertThat(app.post("/demo/counter").trim()).isEqualTo("1");

			postgres.stop();
			app.post("/demo/crash?status=3");
			List<Restart> failures = awaitStartFailures(app, 2);
			assertThat(app.supervisor().isAlive()).isTrue();
			assertThat(failures.get(0).instance()).isEqualTo(2);
			assertThat(failures.get(1).instance()).isEqualTo(3);
			assertThat(failures).allSatisfy((failure) -> assertThat(failure.status()).isNotZero());
			assertThat(failures.get(1).backoffMillis()).as("the second wait grows")
				.isGreaterThan(failures.get(0).backoffMillis());
			assertThat(app.text()).contains("Connection to 127.0.0.1:" + postgres.port() + " refused");

			postgres.start();
			Instance serving = awaitServing(app, Duration.ofSeconds(90));
			assertThat(serving.id()).isGreaterThanOrEqualTo(4);
			assertThat(serving.pid()).isNotEqualTo(first.pid());
			assertThat(serving.supervisorPid()).isEqualTo(app.supervisorPid());
			assertThat(app.getBody("/demo/db")).startsWith("1 rows at ");
			assertThat(app.getBody("/demo/counter").trim()).isEqualTo("1");
			List<String> reasons = new ArrayList<>();
			serving.recoveries().forEach((recovery) -> reasons.add(recovery.path("reason").asString()));
			assertThat(reasons).as("recoveries")
				.startsWith("exited", "start-failed", "start-failed")
				.hasSize(serving.id() - 1);
			assertThat(reasons.subList(1, reasons.size())).containsOnly("start-failed");
			JsonNode crash = serving.recoveries().get(0);
			assertThat(crash.path("instance").asInt()).isEqualTo(1);
			assertThat(crash.path("exitStatus").asInt()).isEqualTo(3);
			assertThat(app.children()).containsOnlyKeys(serving.pid());
		}
	}

	private static String[] arguments(PostgresServer postgres) {
		return new String[] { "--spring.profiles.active=postgres", "--spring.datasource.url=" + postgres.jdbcUrl(),
				"--sam.interval=2s" };
	}

	/**
	 * Wait until the supervisor has logged {@code count} start-up failures and their
	 * restarts, checking that it stays up meanwhile.
	 */
	static List<Restart> awaitStartFailures(SampleAppProcess app, int count) {
		List<Restart> failures = new ArrayList<>();
		await("%d start-failed restarts".formatted(count)).atMost(Duration.ofSeconds(40L * count))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> {
				if (!app.supervisor().isAlive()) {
					throw new AssertionError("The supervisor exited with status " + app.supervisor().exitValue()
							+ " while instances failed to start\n" + app.tail());
				}
				failures.clear();
				app.restarts()
					.stream()
					.filter((restart) -> "start-failed".equals(restart.reason()))
					.forEach(failures::add);
				return failures.size() >= count;
			});
		System.out.println("Start-up failures: " + failures);
		return List.copyOf(failures);
	}

	/** Wait for whichever instance serves next. */
	static Instance awaitServing(SampleAppProcess app, Duration timeout) {
		Instance[] found = new Instance[1];
		await("an instance to serve").atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> {
			if (!app.supervisor().isAlive()) {
				throw new AssertionError(
						"The supervisor exited with status " + app.supervisor().exitValue() + "\n" + app.tail());
			}
			Optional<Instance> instance = app.instance();
			instance.ifPresent((serving) -> found[0] = serving);
			return instance.filter((serving) -> "STARTED".equals(serving.state())).isPresent();
		});
		return found[0];
	}

	private String status(Optional<HttpResponse<String>> response) {
		return response.map((answer) -> this.json.readTree(answer.body()).path("status").asString()).orElse("none");
	}

	private String component(Optional<HttpResponse<String>> response, String name) {
		return response
			.map((answer) -> this.json.readTree(answer.body()).path("components").path(name).path("status").asString())
			.orElse("none");
	}

}
