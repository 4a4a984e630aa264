package dev.samboot.sam.internal.lean;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * The lean supervisor's log lines, on standard output and in Spring Boot's console
 * layout, so that they read like the lines the supervisor wrote before it replaced its
 * JVM.
 */
final class SupervisorLogFormat extends Formatter {

	private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
		.withZone(ZoneOffset.UTC);

	private final long pid = ProcessHandle.current().pid();

	/**
	 * Send the root logger's records to standard output in this format.
	 */
	static void install() {
		Logger root = Logger.getLogger("");
		for (Handler handler : root.getHandlers()) {
			root.removeHandler(handler);
		}
		// a handler of its own on System.out: ConsoleHandler.setOutputStream would close
		// System.err
		Handler out = new StreamHandler(System.out, new SupervisorLogFormat()) {

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
		out.setLevel(Level.INFO);
		root.addHandler(out);
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
