package dev.samboot.sam;

import java.lang.System.Logger.Level;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * How a lean supervisor ({@link SamOptions.Builder#leanSupervisor}) writes its log lines
 * on standard output, so that they read like the application's: plain lines in Spring
 * Boot's console layout, or one JSON object per line in one of Spring Boot's structured
 * formats, with the levels the application's logging configuration gives samboot's
 * loggers. A supervisor that stays in the JVM that called {@code register()} logs through
 * that JVM's logging instead, and does not use this.
 *
 * @param format the structured format: {@code ecs}, {@code logstash} or {@code gelf}, or
 * {@code null} (or blank) for plain lines; any other name (a formatter class of the
 * application's own, which the lean supervisor cannot load) gives plain lines, and the
 * supervisor says so once at WARN
 * @param levels the lowest level logged, by logger name or name prefix ({@code ""} for
 * the root): the most specific one applies, as in Spring Boot's {@code logging.level.*};
 * a logger under none of them logs at INFO
 * @param service what the structured formats say about the application
 */
public record SupervisorLog(String format, Map<String, Level> levels, Service service) {

	/** Plain lines at INFO and above, as the lean supervisor wrote them so far. */
	public static final SupervisorLog PLAIN = new SupervisorLog(null, Map.of(), Service.NONE);

	/**
	 * Check and copy.
	 * @throws NullPointerException for {@code null} levels, level or service
	 */
	public SupervisorLog {
		format = (format == null || format.isBlank()) ? null : format.trim();
		levels = Map.copyOf(levels);
		Objects.requireNonNull(service, "service");
	}

	/**
	 * Return the structured format the lean supervisor writes.
	 * @return {@code ecs}, {@code logstash}, {@code gelf}, or {@code null} for plain
	 * lines
	 */
	public String structuredFormat() {
		if (this.format == null) {
			return null;
		}
		String id = this.format.toLowerCase(Locale.ROOT);
		return switch (id) {
			case "ecs", "logstash", "gelf" -> id;
			default -> null;
		};
	}

	/**
	 * Return a format the lean supervisor cannot write.
	 * @return the format's name, or {@code null} when it can write the one asked for
	 */
	public String unsupportedFormat() {
		return (this.format != null && structuredFormat() == null) ? this.format : null;
	}

	/**
	 * What the structured formats say about the application, as Spring Boot's
	 * {@code logging.structured.ecs.service.*} and {@code logging.structured.gelf.*}
	 * properties do ({@code spring.application.name} and
	 * {@code spring.application.version} when not set). Empty values are left out.
	 *
	 * @param name the application's name: ECS {@code service.name}, GELF {@code host}
	 * @param version its version: ECS {@code service.version}, GELF
	 * {@code _service_version}
	 * @param environment ECS {@code service.environment}
	 * @param nodeName ECS {@code service.node.name}
	 */
	public record Service(String name, String version, String environment, String nodeName) {

		/** Nothing said about the application. */
		public static final Service NONE = new Service(null, null, null, null);

		/**
		 * Drop empty values.
		 */
		public Service {
			name = emptyToNull(name);
			version = emptyToNull(version);
			environment = emptyToNull(environment);
			nodeName = emptyToNull(nodeName);
		}

		private static String emptyToNull(String value) {
			return (value == null || value.isEmpty()) ? null : value;
		}

	}

}
