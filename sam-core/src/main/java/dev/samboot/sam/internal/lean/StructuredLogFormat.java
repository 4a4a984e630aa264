package dev.samboot.sam.internal.lean;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

import dev.samboot.sam.SupervisorLog;

/**
 * The lean supervisor's log lines as one JSON object per line, with the members, names
 * and order that Spring Boot's structured console formats write ({@code ecs},
 * {@code logstash}, {@code gelf}), so that a log pipeline reads the supervisor's lines as
 * it reads the application's.
 */
final class StructuredLogFormat extends Formatter {

	/** The structured formats, as Spring Boot names them. */
	enum Kind {

		/** Elastic Common Schema, version 8.11. */
		ECS,

		/** Logstash's JSON, version 1. */
		LOGSTASH,

		/** Graylog Extended Log Format 1.1. */
		GELF

	}

	private final Kind kind;

	private final SupervisorLog.Service service;

	private final long pid;

	private final ZoneId zone;

	/**
	 * Create a new instance.
	 * @param kind the format
	 * @param service what to say about the application
	 * @param pid the process id to write
	 * @param zone the time zone of Logstash's timestamps
	 */
	StructuredLogFormat(Kind kind, SupervisorLog.Service service, long pid, ZoneId zone) {
		this.kind = kind;
		this.service = service;
		this.pid = pid;
		this.zone = zone;
	}

	/**
	 * Return the formatter for a format's name.
	 * @param id {@code ecs}, {@code logstash} or {@code gelf}
	 * @param service what to say about the application
	 * @return the formatter
	 */
	static StructuredLogFormat of(String id, SupervisorLog.Service service) {
		return new StructuredLogFormat(Kind.valueOf(id.toUpperCase(java.util.Locale.ROOT)), service,
				ProcessHandle.current().pid(), ZoneId.systemDefault());
	}

	@Override
	public String format(LogRecord record) {
		String message = formatMessage(record);
		String level = SupervisorLogFormat.level(record.getLevel());
		// the handler formats in the thread that logs
		String thread = Thread.currentThread().getName();
		Throwable thrown = record.getThrown();
		String json = switch (this.kind) {
			case ECS -> ecs(record, message, level, thread, thrown);
			case LOGSTASH -> logstash(record, message, level, thread, thrown);
			case GELF -> gelf(record, message, level, thread, thrown);
		};
		return json + System.lineSeparator();
	}

	private String ecs(LogRecord record, String message, String level, String thread, Throwable thrown) {
		return Json.object((json) -> {
			json.add("@timestamp", record.getInstant().toString());
			json.add("log", (log) -> log.add("level", level).add("logger", record.getLoggerName()));
			json.add("process", (process) -> process.add("pid", this.pid)
				.add("thread", (threadMembers) -> threadMembers.add("name", thread)));
			json.add("service",
					(service) -> service.addIfPresent("name", this.service.name())
						.addIfPresent("version", this.service.version())
						.addIfPresent("environment", this.service.environment())
						.add("node", (node) -> node.addIfPresent("name", this.service.nodeName())));
			json.add("message", message);
			if (thrown != null) {
				json.add("error",
						(error) -> error.add("type", thrown.getClass().getName())
							.add("message", thrown.getMessage())
							.add("stack_trace", stackTrace(thrown)));
			}
			json.add("ecs", (ecs) -> ecs.add("version", "8.11"));
		});
	}

	private String logstash(LogRecord record, String message, String level, String thread, Throwable thrown) {
		return Json.object((json) -> {
			json.add("@timestamp", DateTimeFormatter.ISO_OFFSET_DATE_TIME
				.format(OffsetDateTime.ofInstant(record.getInstant(), this.zone)));
			json.add("@version", "1");
			json.add("message", message);
			json.add("logger_name", record.getLoggerName());
			json.add("thread_name", thread);
			json.add("level", level);
			json.add("level_value", levelValue(level));
			if (thrown != null) {
				json.add("stack_trace", stackTrace(thrown));
			}
		});
	}

	private String gelf(LogRecord record, String message, String level, String thread, Throwable thrown) {
		return Json.object((json) -> {
			json.add("version", "1.1");
			// Graylog refuses a blank message
			json.add("short_message", (message == null || message.isBlank()) ? "(blank)" : message);
			json.addNumber("timestamp", new BigDecimal(record.getMillis()).movePointLeft(3).toPlainString());
			json.add("level", syslogSeverity(level));
			json.add("_level_name", level);
			json.add("_process_pid", this.pid);
			json.add("_process_thread_name", thread);
			json.addIfPresent("host", this.service.name());
			json.addIfPresent("_service_version", this.service.version());
			json.add("_log_logger", record.getLoggerName());
			if (thrown != null) {
				String stackTrace = stackTrace(thrown);
				json.add("full_message", message + "\n\n" + stackTrace);
				json.add("_error_type", thrown.getClass().getName());
				json.add("_error_stack_trace", stackTrace);
				json.add("_error_message", thrown.getMessage());
			}
		});
	}

	/** Logback's number for a level, which Logstash's {@code level_value} is. */
	static int levelValue(String level) {
		return switch (level) {
			case "ERROR" -> 40000;
			case "WARN" -> 30000;
			case "INFO" -> 20000;
			case "DEBUG" -> 10000;
			default -> 5000;
		};
	}

	/** The syslog severity of a level, which GELF's {@code level} is. */
	static int syslogSeverity(String level) {
		return switch (level) {
			case "ERROR" -> 3;
			case "WARN" -> 4;
			case "INFO" -> 6;
			default -> 7;
		};
	}

	private static String stackTrace(Throwable thrown) {
		StringWriter trace = new StringWriter();
		thrown.printStackTrace(new PrintWriter(trace));
		return trace.toString();
	}

}
