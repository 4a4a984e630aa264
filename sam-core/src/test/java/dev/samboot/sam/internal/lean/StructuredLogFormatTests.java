package dev.samboot.sam.internal.lean;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import dev.samboot.sam.SupervisorLog;
import dev.samboot.sam.internal.lean.StructuredLogFormat.Kind;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lean supervisor's structured lines carry the members Spring Boot 4.1's
 * {@code ElasticCommonSchemaStructuredLogFormatter},
 * {@code LogstashStructuredLogFormatter} and
 * {@code GraylogExtendedLogFormatStructuredLogFormatter} write for a Logback event
 * without MDC, key-value pairs or markers, in the same order and with the same values.
 */
class StructuredLogFormatTests {

	private static final Instant TIME = Instant.parse("2024-09-04T14:22:10.385123456Z");

	private static final String LOGGER = "dev.samboot.sam.internal.supervisor.Supervisor";

	private static final SupervisorLog.Service SERVICE = new SupervisorLog.Service("orders", "1.4.2", "production",
			"node-7");

	private final JsonMapper mapper = JsonMapper.builder().build();

	@Test
	void ecsLineHasBootsMembers() {
		JsonNode line = format(Kind.ECS, SERVICE, record(Level.INFO, "Launched instance {0} (pid {1})", null));
		assertThat(paths(line)).containsExactly("@timestamp", "log.level", "log.logger", "process.pid",
				"process.thread.name", "service.name", "service.version", "service.environment", "service.node.name",
				"message", "ecs.version");
		assertThat(line.path("@timestamp").asString()).isEqualTo("2024-09-04T14:22:10.385123456Z");
		assertThat(line.path("log").path("level").asString()).isEqualTo("INFO");
		assertThat(line.path("log").path("logger").asString()).isEqualTo(LOGGER);
		assertThat(line.path("process").path("pid").asLong()).isEqualTo(4242);
		assertThat(line.path("process").path("thread").path("name").asString())
			.isEqualTo(Thread.currentThread().getName());
		assertThat(line.path("service").path("name").asString()).isEqualTo("orders");
		assertThat(line.path("service").path("node").path("name").asString()).isEqualTo("node-7");
		assertThat(line.path("message").asString()).isEqualTo("Launched instance 2 (pid 1234)");
		assertThat(line.path("ecs").path("version").asString()).isEqualTo("8.11");
	}

	@Test
	void ecsLineWithoutServiceDetailsKeepsBootsEmptyNodeObject() {
		JsonNode line = format(Kind.ECS, SupervisorLog.Service.NONE, record(Level.WARNING, "plain", null));
		assertThat(paths(line)).containsExactly("@timestamp", "log.level", "log.logger", "process.pid",
				"process.thread.name", "message", "ecs.version");
		assertThat(line.path("service").path("node").isObject()).isTrue();
		assertThat(line.path("log").path("level").asString()).isEqualTo("WARN");
	}

	@Test
	void ecsLineWithAnExceptionHasTheError() {
		IllegalStateException failure = new IllegalStateException("broken \"pipe\"");
		JsonNode line = format(Kind.ECS, SERVICE, record(Level.SEVERE, "Cannot supervise", failure));
		assertThat(paths(line)).containsSubsequence("message", "error.type", "error.message", "error.stack_trace",
				"ecs.version");
		assertThat(line.path("log").path("level").asString()).isEqualTo("ERROR");
		assertThat(line.path("error").path("type").asString()).isEqualTo("java.lang.IllegalStateException");
		assertThat(line.path("error").path("message").asString()).isEqualTo("broken \"pipe\"");
		assertThat(line.path("error").path("stack_trace").asString())
			.startsWith("java.lang.IllegalStateException: broken \"pipe\"")
			.contains("\tat " + getClass().getName());
	}

	@Test
	void logstashLineHasBootsMembers() {
		ZoneId paris = ZoneId.of("Europe/Paris");
		JsonNode line = format(new StructuredLogFormat(Kind.LOGSTASH, SERVICE, 4242, paris),
				record(Level.FINE, "Instance {0}: LAUNCHED -> CONNECTED", null));
		assertThat(paths(line)).containsExactly("@timestamp", "@version", "message", "logger_name", "thread_name",
				"level", "level_value");
		assertThat(line.path("@timestamp").asString()).isEqualTo("2024-09-04T16:22:10.385123456+02:00");
		assertThat(OffsetDateTime.parse(line.path("@timestamp").asString()).toInstant()).isEqualTo(TIME);
		assertThat(line.path("@version").asString()).isEqualTo("1");
		assertThat(line.path("logger_name").asString()).isEqualTo(LOGGER);
		assertThat(line.path("level").asString()).isEqualTo("DEBUG");
		assertThat(line.path("level_value").asInt()).isEqualTo(10000);
	}

	@Test
	void logstashLineWithAnExceptionHasTheStackTrace() {
		JsonNode line = format(Kind.LOGSTASH, SERVICE, record(Level.WARNING, "jcmd failed", new RuntimeException()));
		assertThat(paths(line)).endsWith("level_value", "stack_trace");
		assertThat(line.path("stack_trace").asString()).startsWith("java.lang.RuntimeException");
		assertThat(line.path("level_value").asInt()).isEqualTo(30000);
	}

	@Test
	void gelfLineHasBootsMembers() {
		JsonNode line = format(Kind.GELF, SERVICE, record(Level.INFO, "Supervisor exits with status {0}", null));
		assertThat(paths(line)).containsExactly("version", "short_message", "timestamp", "level", "_level_name",
				"_process_pid", "_process_thread_name", "host", "_service_version", "_log_logger");
		assertThat(line.path("version").asString()).isEqualTo("1.1");
		assertThat(line.path("short_message").asString()).isEqualTo("Supervisor exits with status 2");
		assertThat(line.path("timestamp").isNumber()).isTrue();
		assertThat(line.path("timestamp").decimalValue()).isEqualByComparingTo(new BigDecimal("1725459730.385"));
		assertThat(line.path("level").asInt()).as("syslog's informational").isEqualTo(6);
		assertThat(line.path("_level_name").asString()).isEqualTo("INFO");
		assertThat(line.path("_process_pid").asLong()).isEqualTo(4242);
		assertThat(line.path("host").asString()).isEqualTo("orders");
		assertThat(line.path("_service_version").asString()).isEqualTo("1.4.2");
		assertThat(line.path("_log_logger").asString()).isEqualTo(LOGGER);
	}

	@Test
	void gelfLineWithAnExceptionHasTheFullMessageAndTheError() {
		JsonNode line = format(Kind.GELF, SupervisorLog.Service.NONE,
				record(Level.SEVERE, "Cannot supervise", new IllegalArgumentException("no")));
		assertThat(paths(line)).containsExactly("version", "short_message", "timestamp", "level", "_level_name",
				"_process_pid", "_process_thread_name", "_log_logger", "full_message", "_error_type",
				"_error_stack_trace", "_error_message");
		assertThat(line.path("level").asInt()).as("syslog's error").isEqualTo(3);
		assertThat(line.path("full_message").asString())
			.startsWith("Cannot supervise\n\njava.lang.IllegalArgumentException: no");
		assertThat(line.path("_error_message").asString()).isEqualTo("no");
	}

	@Test
	void gelfNeverWritesABlankShortMessage() {
		assertThat(format(Kind.GELF, SERVICE, record(Level.INFO, " ", null)).path("short_message").asString())
			.isEqualTo("(blank)");
	}

	@Test
	void levelsAreBootsWhateverTheFormat() {
		assertThat(StructuredLogFormat.levelValue("TRACE")).isEqualTo(5000);
		assertThat(StructuredLogFormat.levelValue("ERROR")).isEqualTo(40000);
		assertThat(StructuredLogFormat.syslogSeverity("TRACE")).isEqualTo(7);
		assertThat(StructuredLogFormat.syslogSeverity("DEBUG")).isEqualTo(7);
		assertThat(StructuredLogFormat.syslogSeverity("WARN")).isEqualTo(4);
		assertThat(format(Kind.ECS, SERVICE, record(Level.FINER, "x", null)).path("log").path("level").asString())
			.isEqualTo("TRACE");
	}

	@Test
	void aMessageOverSeveralLinesStaysOneLine() {
		for (Kind kind : Kind.values()) {
			String text = new StructuredLogFormat(kind, SERVICE, 1, ZoneId.of("UTC"))
				.format(record(Level.INFO, "first\nsecond \"quoted\" \u00e9", new RuntimeException("a\nb")));
			assertThat(text).as(kind.name()).endsWith(System.lineSeparator());
			assertThat(text.strip()).as(kind.name()).doesNotContain("\n").doesNotContain("\r");
			JsonNode line = this.mapper.readTree(text);
			String message = (kind == Kind.GELF) ? line.path("short_message").asString()
					: line.path("message").asString();
			assertThat(message).isEqualTo("first\nsecond \"quoted\" \u00e9");
		}
	}

	private JsonNode format(Kind kind, SupervisorLog.Service service, LogRecord record) {
		return format(new StructuredLogFormat(kind, service, 4242, ZoneId.of("UTC")), record);
	}

	private JsonNode format(StructuredLogFormat format, LogRecord record) {
		String text = format.format(record);
		assertThat(text).endsWith(System.lineSeparator());
		assertThat(text.strip()).doesNotContain("\n");
		return this.mapper.readTree(text);
	}

	private static LogRecord record(Level level, String message, Throwable thrown) {
		LogRecord record = new LogRecord(level, message);
		record.setLoggerName(LOGGER);
		record.setInstant(TIME);
		record.setParameters(new Object[] { "2", "1234" });
		record.setThrown(thrown);
		return record;
	}

	/** The dotted paths of a line's values, in the order they were written. */
	private static List<String> paths(JsonNode node) {
		List<String> paths = new ArrayList<>();
		collect("", node, paths);
		return paths;
	}

	private static void collect(String prefix, JsonNode node, List<String> paths) {
		Iterator<String> names = node.propertyNames().iterator();
		while (names.hasNext()) {
			String name = names.next();
			JsonNode value = node.get(name);
			if (value.isObject()) {
				collect(prefix + name + ".", value, paths);
			}
			else {
				paths.add(prefix + name);
			}
		}
	}

}
