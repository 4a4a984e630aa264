package dev.samboot.sample;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static dev.samboot.sample.SampleAppProcess.START_UP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Wrong {@code sam.*} values given to the real jar as program arguments: refused before
 * any of the application runs, within seconds, with Spring Boot's failure analysis naming
 * the property and what it accepts, and a non-zero status. Instance 1, launched at once,
 * binds them and stops; the supervisor launches no other.
 */
@ExtendWith(PrintOutputOnFailure.class)
class BadConfigurationIT {

	private static final Duration FAIL_FAST = Duration.ofSeconds(30);

	private static final String DURATION = "a duration such as 500ms, 5s or 1m";

	private static final String INTERVAL = "from 0 (only the death of the process is watched) to 2147483647ms";

	private static final String SIGNAL = "a signal name such as TERM, SIGUSR1 or KILL, or a number from 1 to 64";

	private static final String DATA_SIZE = "a data size such as 64KB or 1MB, from 0B to 64MB";

	private static final String HEALTH_TIMEOUT = "greater than 0 and at most sam.interval";

	private static final String BOOLEAN = "to true or false";

	private static final String CS_ERR_LIBRARY = "cs_error_t 2";

	static Stream<BadValue> badValues() {
		return Stream.of(new BadValue("negative interval", "sam.interval", INTERVAL, "--sam.interval=-1s"),
				new BadValue("unparsable interval", "sam.interval", DURATION, "--sam.interval=soon"),
				new BadValue("interval too long", "sam.interval", INTERVAL, "--sam.interval=30d"),
				new BadValue("unknown policy", "sam.policy", "one of quit, restart, quorum-quit, quorum-restart",
						"--sam.policy=sometimes"),
				new BadValue("unknown signal", "sam.warn-signal", SIGNAL, "--sam.warn-signal=SIGFOO"),
				new BadValue("signal 0", "sam.warn-signal", SIGNAL, "--sam.warn-signal=0"),
				new BadValue("signal 99", "sam.warn-signal", SIGNAL, "--sam.warn-signal=99"),
				new BadValue("unparsable shutdown timeout", "sam.shutdown-timeout", DURATION,
						"--sam.shutdown-timeout=forever"),
				new BadValue("negative shutdown timeout", "sam.shutdown-timeout", "0 or more",
						"--sam.shutdown-timeout=-5s"),
				new BadValue("data max-size too large", "sam.data.max-size", DATA_SIZE, "--sam.data.max-size=1GB"),
				new BadValue("unparsable data max-size", "sam.data.max-size", DATA_SIZE, "--sam.data.max-size=lots"),
				new BadValue("negative data max-size", "sam.data.max-size", DATA_SIZE, "--sam.data.max-size=-1KB"),
				new BadValue("health timeout 0", "sam.health.timeout", HEALTH_TIMEOUT, "--sam.health.timeout=0"),
				new BadValue("health timeout longer than the interval", "sam.health.timeout", HEALTH_TIMEOUT,
						"--sam.interval=1s", "--sam.health.timeout=2s"),
				new BadValue("unknown start", "sam.start", "one of ready, started, manual", "--sam.start=later"),
				new BadValue("blank health group", "sam.health.group",
						"the name of a health group defined under management.endpoint.health.group",
						"--sam.health.group= "),
				new BadValue("health enabled not a boolean", "sam.health.enabled", BOOLEAN,
						"--sam.health.enabled=nope"),
				new BadValue("cmap enabled not a boolean", "sam.cmap.enabled", BOOLEAN, "--sam.cmap.enabled=perhaps"),
				new BadValue("enabled not a boolean", "sam.enabled", BOOLEAN, "--sam.enabled=maybe"),
				BadValue.withoutCorosync("quorum-restart without corosync", "sam.policy", CS_ERR_LIBRARY,
						"--sam.policy=quorum-restart"),
				BadValue.withoutCorosync("quorum-quit without corosync", "sam.policy", CS_ERR_LIBRARY,
						"--sam.policy=quorum-quit"),
				BadValue.withoutCorosync("cmap without corosync", "sam.cmap.enabled", CS_ERR_LIBRARY,
						"--sam.cmap.enabled=true"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("badValues")
	@Execution(ExecutionMode.CONCURRENT)
	@Timeout(90)
	void badValueStopsStartUpBeforeAnythingIsLaunched(BadValue bad) throws Exception {
		assumeFalse(bad.needsNoCorosync() && corosyncRuns(), "corosync runs on this machine");
		try (SampleAppProcess app = SampleAppProcess.start("bad-" + bad.slug(), bad.args().toArray(String[]::new))) {
			long start = System.nanoTime();
			int status = app.awaitExit(FAIL_FAST);
			long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
			System.out.printf("%-42s exit %d after %5d ms: %s%n", bad.name(), status, millis,
					app.lines().stream().filter((line) -> line.contains(bad.property())).findFirst().orElse("").trim());
			assertThat(status).isNotZero();
			assertThat(app.text()).contains("APPLICATION FAILED TO START")
				.contains(bad.property())
				.contains(bad.allowed())
				.doesNotContain("Launched instance");
		}
	}

	/**
	 * A group is known only to the application context, so an unknown one is found by
	 * instance 1, which fails before {@code start()}: the supervisor quits with its
	 * status and restarts nothing.
	 */
	@Test
	@Timeout(120)
	void unknownHealthGroupStopsInstanceOneBeforeItStartsAndTheSupervisorQuits() throws Exception {
		try (SampleAppProcess app = SampleAppProcess.start("bad-unknown-health-group",
				"--sam.health.group=nosuchgroup")) {
			assertThat(app.awaitExit(START_UP)).isEqualTo(1);
			assertThat(app.text()).contains("APPLICATION FAILED TO START")
				.contains("the property 'sam.health.group' has the value 'nosuchgroup'")
				.contains("Set 'sam.health.group' to the name of a health group defined under "
						+ "management.endpoint.health.group, or * for every health indicator; defined are [")
				.contains("liveness")
				.contains("Instance 1 exited with status 1 while not started: quitting")
				.doesNotContain("Launched instance 2");
		}
	}

	private static boolean corosyncRuns() {
		return ProcessHandle.allProcesses()
			.anyMatch((process) -> process.info()
				.command()
				.filter((command) -> command.endsWith("/corosync"))
				.isPresent());
	}

	/**
	 * One wrong configuration.
	 *
	 * @param name what is wrong
	 * @param property the property the message must name
	 * @param allowed what the message must say is allowed
	 * @param args the program arguments
	 * @param needsNoCorosync whether the case assumes no corosync runs on this machine
	 */
	record BadValue(String name, String property, String allowed, List<String> args, boolean needsNoCorosync) {

		BadValue(String name, String property, String allowed, String... args) {
			this(name, property, allowed, List.of(args), false);
		}

		static BadValue withoutCorosync(String name, String property, String allowed, String... args) {
			return new BadValue(name, property, allowed, List.of(args), true);
		}

		String slug() {
			return this.name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
		}

		@Override
		public String toString() {
			return this.name + " " + this.args;
		}

	}

}
