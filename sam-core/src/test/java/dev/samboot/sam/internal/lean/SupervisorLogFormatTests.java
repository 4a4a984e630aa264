package dev.samboot.sam.internal.lean;

import java.io.ByteArrayOutputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Logger;

import dev.samboot.sam.SupervisorLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lean supervisor's lines: plain in Spring Boot's console layout, or structured, at
 * the levels given by logger name, the most specific name deciding as in Spring Boot's
 * {@code logging.level.*}. Installed on this JVM's root logger for each test, and put
 * back after it.
 */
class SupervisorLogFormatTests {

	private static final SupervisorLog.Service SERVICE = new SupervisorLog.Service("orders", null, null, null);

	private final ByteArrayOutputStream output = new ByteArrayOutputStream();

	private final JsonMapper mapper = JsonMapper.builder().build();

	private Handler[] rootHandlers;

	private java.util.logging.Level rootLevel;

	@BeforeEach
	void keepTheRootLogger() {
		Logger root = Logger.getLogger("");
		this.rootHandlers = root.getHandlers();
		this.rootLevel = root.getLevel();
	}

	@AfterEach
	void restoreTheRootLogger() {
		// clears the levels a test set, then puts the handlers back
		SupervisorLogFormat.install(SupervisorLog.PLAIN, new ByteArrayOutputStream());
		Logger root = Logger.getLogger("");
		Arrays.stream(root.getHandlers()).forEach(root::removeHandler);
		Arrays.stream(this.rootHandlers).forEach(root::addHandler);
		root.setLevel(this.rootLevel);
	}

	@Test
	void loggerNamesAreShortenedFromTheLeftLikeSpringBootsConsole() {
		assertThat(SupervisorLogFormat.abbreviate("dev.samboot.sam.internal.supervisor.Supervisor", 40))
			.isEqualTo("d.s.sam.internal.supervisor.Supervisor");
		assertThat(SupervisorLogFormat.abbreviate("dev.samboot.sam.Sam", 40)).isEqualTo("dev.samboot.sam.Sam");
		assertThat(SupervisorLogFormat.abbreviate("a.b.VeryLongClassNameThatDoesNotFitAnyWidth", 10))
			.isEqualTo("a.b.VeryLongClassNameThatDoesNotFitAnyWidth");
		assertThat(SupervisorLogFormat.abbreviate(null, 40)).isEmpty();
	}

	@Test
	void plainLinesHaveSpringBootsConsoleLayout() {
		SupervisorLogFormat.install(SupervisorLog.PLAIN, this.output);
		System.getLogger("dev.samboot.sam.internal.supervisor.Supervisor")
			.log(Level.INFO, "Launched instance {0}", "1");
		assertThat(lines()).singleElement()
			.asString()
			.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z  INFO " + ProcessHandle.current().pid()
					+ " --- \\[supervisor\\] d\\.s\\.sam\\.internal\\.supervisor\\.Supervisor   : Launched instance 1");
	}

	@Test
	void byDefaultInfoAndAboveAppear() {
		SupervisorLogFormat.install(json(Map.of()), this.output);
		logAtEveryLevel("dev.samboot.sam.Sam");
		assertThat(levelsLogged()).containsExactly("INFO", "WARN", "ERROR");
	}

	@Test
	void theMostSpecificNameDecides() {
		SupervisorLogFormat.install(json(Map.of("", Level.WARNING, "dev.samboot", Level.DEBUG, "dev.samboot.sam",
				Level.ERROR, "dev.samboot.sam.internal.supervisor.Supervisor", Level.TRACE)), this.output);
		logAtEveryLevel("dev.samboot.corosync.Cpg");
		assertThat(levelsLogged()).as("dev.samboot").containsExactly("DEBUG", "INFO", "WARN", "ERROR");
		logAtEveryLevel("dev.samboot.sam.internal.lean.LeanSupervisor");
		assertThat(levelsLogged()).as("dev.samboot.sam").containsExactly("ERROR");
		logAtEveryLevel("dev.samboot.sam.internal.supervisor.Supervisor");
		assertThat(levelsLogged()).as("the class").containsExactly("TRACE", "DEBUG", "INFO", "WARN", "ERROR");
		logAtEveryLevel("org.example.Other");
		assertThat(levelsLogged()).as("root").containsExactly("WARN", "ERROR");
	}

	@Test
	void offSilencesEvenErrors() {
		SupervisorLogFormat.install(json(Map.of("dev.samboot", Level.OFF)), this.output);
		logAtEveryLevel("dev.samboot.sam.Sam");
		assertThat(lines()).isEmpty();
	}

	@Test
	void installingAgainForgetsEarlierLevels() {
		SupervisorLogFormat.install(json(Map.of("dev.samboot.sam", Level.ERROR)), this.output);
		SupervisorLogFormat.install(json(Map.of("", Level.INFO)), this.output);
		logAtEveryLevel("dev.samboot.sam.Sam");
		assertThat(levelsLogged()).containsExactly("INFO", "WARN", "ERROR");
	}

	@Test
	void structuredLinesAreOneJsonObjectEach() {
		SupervisorLogFormat.install(new SupervisorLog("ECS", Map.of(), SERVICE), this.output);
		System.getLogger("dev.samboot.sam.Sam").log(Level.INFO, "Supervisor pid {0}: \"x\"\nnext", "7");
		System.getLogger("dev.samboot.sam.Sam").log(Level.ERROR, "failed", new IllegalStateException("boom"));
		List<String> lines = lines();
		assertThat(lines).hasSize(2);
		JsonNode first = this.mapper.readTree(lines.get(0));
		assertThat(first.path("message").asString()).isEqualTo("Supervisor pid 7: \"x\"\nnext");
		assertThat(first.path("service").path("name").asString()).isEqualTo("orders");
		assertThat(first.path("process").path("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
		assertThat(this.mapper.readTree(lines.get(1)).path("error").path("message").asString()).isEqualTo("boom");
	}

	@Test
	void aFormatTheSupervisorCannotWriteGivesPlainLinesAndOneWarning() {
		SupervisorLog custom = new SupervisorLog("com.example.OurFormatter", Map.of(), SERVICE);
		assertThat(custom.structuredFormat()).isNull();
		assertThat(custom.unsupportedFormat()).isEqualTo("com.example.OurFormatter");
		SupervisorLogFormat.install(custom, this.output);
		System.getLogger("dev.samboot.sam.Sam").log(Level.INFO, "Supervisor pid 7");
		List<String> lines = lines();
		assertThat(lines).hasSize(2);
		assertThat(lines.get(0)).contains(" WARN ")
			.contains("--- [supervisor]")
			.endsWith(": The supervisor cannot write log lines in the format 'com.example.OurFormatter' "
					+ "(it writes ecs, logstash and gelf): its lines are plain");
		assertThat(lines.get(1)).contains("  INFO ").endsWith(": Supervisor pid 7");
	}

	@Test
	void formatNamesAreReadAsSpringBootReadsThem() {
		assertThat(new SupervisorLog(" Logstash ", Map.of(), SERVICE).structuredFormat()).isEqualTo("logstash");
		assertThat(new SupervisorLog("gelf", Map.of(), SERVICE).structuredFormat()).isEqualTo("gelf");
		assertThat(new SupervisorLog("", Map.of(), SERVICE).format()).isNull();
		assertThat(new SupervisorLog("", Map.of(), SERVICE).unsupportedFormat()).isNull();
		assertThat(SupervisorLog.PLAIN.structuredFormat()).isNull();
	}

	private static SupervisorLog json(Map<String, Level> levels) {
		return new SupervisorLog("logstash", levels, SERVICE);
	}

	private static void logAtEveryLevel(String loggerName) {
		System.Logger logger = System.getLogger(loggerName);
		for (Level level : List.of(Level.TRACE, Level.DEBUG, Level.INFO, Level.WARNING, Level.ERROR)) {
			logger.log(level, "at " + level);
		}
	}

	/** The levels of the structured lines logged since the last call. */
	private List<String> levelsLogged() {
		List<String> levels = lines().stream()
			.map((line) -> this.mapper.readTree(line).path("level").asString())
			.toList();
		this.output.reset();
		return levels;
	}

	private List<String> lines() {
		String text = this.output.toString(StandardCharsets.UTF_8);
		return text.isEmpty() ? List.of() : List.of(text.split(System.lineSeparator()));
	}

}
