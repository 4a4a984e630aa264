package dev.samboot.autoconfigure;

import java.lang.System.Logger.Level;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.samboot.sam.SupervisorLog;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.structured.ElasticCommonSchemaProperties;
import org.springframework.boot.logging.structured.GraylogExtendedLogFormatProperties;
import org.springframework.core.ResolvableType;
import org.springframework.core.env.Environment;

/**
 * What the lean supervisor, which has no Spring to read them, needs of the application's
 * logging properties so that its lines read like the application's console:
 * {@code logging.structured.format.console}, what that format says about the application
 * ({@code logging.structured.ecs.service.*}, {@code logging.structured.gelf.*},
 * {@code spring.application.name} and {@code spring.application.version}, as Spring Boot
 * reads them), and the {@code logging.level.*} (through {@code logging.group.*}) that
 * apply to samboot's loggers.
 */
final class SupervisorLogSettings {

	/** The package of every logger the supervisor logs with. */
	private static final String SAMBOOT = "dev.samboot";

	private static final Bindable<Map<String, LogLevel>> LEVELS = Bindable.mapOf(String.class, LogLevel.class);

	private static final Bindable<Map<String, List<String>>> GROUPS = Bindable
		.of(ResolvableType.forClassWithGenerics(Map.class, ResolvableType.forClass(String.class),
				ResolvableType.forClassWithGenerics(List.class, String.class)));

	private SupervisorLogSettings() {
	}

	/**
	 * Read the logging properties that the lean supervisor follows.
	 * @param environment the prepared environment
	 * @return the supervisor's log format and levels
	 */
	static SupervisorLog from(Environment environment) {
		String format = environment.getProperty("logging.structured.format.console");
		return new SupervisorLog(format, levels(environment), service(format, environment));
	}

	private static SupervisorLog.Service service(String format, Environment environment) {
		String id = (format != null) ? format.trim().toLowerCase(Locale.ROOT) : "";
		if (id.equals("ecs")) {
			ElasticCommonSchemaProperties.Service service = ElasticCommonSchemaProperties.get(environment).service();
			return new SupervisorLog.Service(service.name(), service.version(), service.environment(),
					service.nodeName());
		}
		if (id.equals("gelf")) {
			GraylogExtendedLogFormatProperties gelf = GraylogExtendedLogFormatProperties.get(environment);
			return new SupervisorLog.Service(gelf.host(), gelf.service().version(), null, null);
		}
		return SupervisorLog.Service.NONE;
	}

	/**
	 * The levels set for the root and for the names that are {@code dev.samboot}, above
	 * it or below it; those set through a group first, so that a name set itself decides.
	 */
	private static Map<String, Level> levels(Environment environment) {
		Binder binder = Binder.get(environment);
		Map<String, LogLevel> levels = binder.bind("logging.level", LEVELS).orElseGet(Collections::emptyMap);
		Map<String, List<String>> groups = binder.bind("logging.group", GROUPS).orElseGet(Collections::emptyMap);
		Map<String, Level> supervisor = new LinkedHashMap<>();
		levels.forEach((name, level) -> {
			List<String> members = groups.get(name);
			if (members != null && level != null) {
				members.forEach((member) -> put(supervisor, member, level));
			}
		});
		levels.forEach((name, level) -> {
			if (!groups.containsKey(name) && level != null) {
				put(supervisor, name, level);
			}
		});
		return supervisor;
	}

	private static void put(Map<String, Level> levels, String name, LogLevel level) {
		String logger = name.trim();
		if (logger.equalsIgnoreCase("root")) {
			levels.put("", level(level));
		}
		else if (logger.equals(SAMBOOT) || logger.startsWith(SAMBOOT + ".") || SAMBOOT.startsWith(logger + ".")) {
			levels.put(logger, level(level));
		}
	}

	private static Level level(LogLevel level) {
		return switch (level) {
			case TRACE -> Level.TRACE;
			case DEBUG -> Level.DEBUG;
			case INFO -> Level.INFO;
			case WARN -> Level.WARNING;
			case ERROR, FATAL -> Level.ERROR;
			case OFF -> Level.OFF;
		};
	}

}
