package dev.samboot.sam.internal.lean;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

import dev.samboot.sam.SupervisorLog;

/**
 * The lean supervisor's log lines, on standard output and in Spring Boot's console
 * layout, so that they read like the lines the supervisor wrote before it replaced its
 * JVM; or, as the application's console asks, in one of Spring Boot's structured formats
 * ({@link StructuredLogFormat}). Either way at the levels the application gives samboot's
 * loggers.
 */
final class SupervisorLogFormat extends Formatter {

	private static final System.Logger logger = System.getLogger(LeanSupervisor.class.getName());

	private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
		.withZone(ZoneOffset.UTC);

	/**
	 * The loggers whose levels were set: java.util.logging holds loggers weakly, and one
	 * collected would forget its level.
	 */
	private static final List<Logger> configured = new ArrayList<>();

	private final long pid = ProcessHandle.current().pid();

	/**
	 * Send the root logger's records to standard output, plain, at INFO and above.
	 */
	static void install() {
		install(SupervisorLog.PLAIN);
	}

	/**
	 * Send the root logger's records to standard output in a log's format and at its
	 * levels; a format the supervisor cannot write gives plain lines, and a warning.
	 * @param log the format and levels
	 */
	static void install(SupervisorLog log) {
		install(log, System.out);
	}

	/**
	 * Send the root logger's records to a stream in a log's format and at its levels.
	 * @param log the format and levels
	 * @param stream where the lines go
	 */
	static synchronized void install(SupervisorLog log, OutputStream stream) {
		Logger root = Logger.getLogger("");
		for (Handler handler : root.getHandlers()) {
			root.removeHandler(handler);
		}
		Formatter formatter = (log.structuredFormat() != null)
				? StructuredLogFormat.of(log.structuredFormat(), log.service()) : new SupervisorLogFormat();
		// a handler of its own on System.out: ConsoleHandler.setOutputStream would close
		// System.err
		Handler out = new StreamHandler(stream, formatter) {

			@Override
			public synchronized void publish(LogRecord record) {
				super.publish(record);
				flush();
			}

			@Override
			public synchronized void close() {
				flush();
			}

		};
		// the loggers' levels decide
		out.setLevel(Level.ALL);
		root.addHandler(out);
		setLevels(log.levels());
		if (log.unsupportedFormat() != null) {
			logger.log(System.Logger.Level.WARNING,
					"The supervisor cannot write log lines in the format ''{0}'' (it writes ecs, logstash and gelf): "
							+ "its lines are plain",
					log.unsupportedFormat());
		}
	}

	/**
	 * Set the loggers' levels: the root's, INFO unless given, and those given by name,
	 * from which the loggers below each name inherit theirs.
	 */
	private static void setLevels(Map<String, System.Logger.Level> levels) {
		for (Logger earlier : configured) {
			earlier.setLevel(null);
		}
		configured.clear();
		Logger.getLogger("").setLevel(julLevel(levels.getOrDefault("", System.Logger.Level.INFO)));
		levels.forEach((name, level) -> {
			if (!name.isEmpty()) {
				Logger named = Logger.getLogger(name);
				named.setLevel(julLevel(level));
				configured.add(named);
			}
		});
	}

	/**
	 * Return the java.util.logging level that lets a System.Logger level and those above
	 * it through, as the JDK maps them.
	 * @param level the level
	 * @return the java.util.logging level
	 */
	static Level julLevel(System.Logger.Level level) {
		return switch (level) {
			case ALL -> Level.ALL;
			case TRACE -> Level.FINER;
			case DEBUG -> Level.FINE;
			case INFO -> Level.INFO;
			case WARNING -> Level.WARNING;
			case ERROR -> Level.SEVERE;
			case OFF -> Level.OFF;
		};
	}

	@Override
	public String format(LogRecord record) {
		String logger = abbreviate(record.getLoggerName(), 40);
		StringBuilder line = new StringBuilder(160).append(TIME.format(Instant.ofEpochMilli(record.getMillis())))
			.append(' ')
			.append(String.format("%5s", level(record.getLevel())))
			.append(' ')
			.append(this.pid)
			.append(" --- [supervisor] ")
			.append(String.format("%-40s", logger))
			.append(" : ")
			.append(formatMessage(record))
			.append(System.lineSeparator());
		if (record.getThrown() != null) {
			StringWriter trace = new StringWriter();
			record.getThrown().printStackTrace(new PrintWriter(trace));
			line.append(trace);
		}
		return line.toString();
	}

	static String level(Level level) {
		if (level.intValue() >= Level.SEVERE.intValue()) {
			return "ERROR";
		}
		if (level.intValue() >= Level.WARNING.intValue()) {
			return "WARN";
		}
		if (level.intValue() >= Level.INFO.intValue()) {
			return "INFO";
		}
		return (level.intValue() >= Level.FINE.intValue()) ? "DEBUG" : "TRACE";
	}

	/**
	 * Shorten a logger name as Logback's {@code %logger{width}} does in Spring Boot's
	 * console pattern: package segments become their first letter, from the left, until
	 * the name fits; the class name stays whole.
	 */
	static String abbreviate(String name, int width) {
		if (name == null) {
			return "";
		}
		String[] segments = name.split("\\.");
		int length = name.length();
		for (int i = 0; i < segments.length - 1 && length > width; i++) {
			length -= segments[i].length() - 1;
			segments[i] = segments[i].substring(0, 1);
		}
		return String.join(".", segments);
	}

}
