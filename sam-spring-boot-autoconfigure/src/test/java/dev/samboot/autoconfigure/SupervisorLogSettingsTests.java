package dev.samboot.autoconfigure;

import java.lang.System.Logger.Level;
import java.util.Map;

import dev.samboot.sam.SupervisorLog;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The application's logging properties that the lean supervisor follows, read as Spring
 * Boot reads them, and handed over in {@code SamOptions}.
 */
class SupervisorLogSettingsTests {

	@Test
	void withoutLoggingPropertiesTheLinesArePlainAtInfo() {
		SupervisorLog log = SupervisorLogSettings.from(new MockEnvironment());
		assertThat(log).isEqualTo(SupervisorLog.PLAIN);
		assertThat(SamSettings.bind(new MockEnvironment()).options().supervisorLog()).isEqualTo(SupervisorLog.PLAIN);
	}

	@Test
	void ecsSaysWhatBootsEcsFormatSaysAboutTheApplication() {
		SupervisorLog log = SupervisorLogSettings.from(environment("logging.structured.format.console=ecs",
				"spring.application.name=orders", "spring.application.version=1.4.2"));
		assertThat(log.structuredFormat()).isEqualTo("ecs");
		assertThat(log.service()).isEqualTo(new SupervisorLog.Service("orders", "1.4.2", null, null));
		SupervisorLog set = SupervisorLogSettings.from(environment("logging.structured.format.console=ecs",
				"spring.application.name=orders", "logging.structured.ecs.service.name=orders-eu",
				"logging.structured.ecs.service.version=2", "logging.structured.ecs.service.environment=production",
				"logging.structured.ecs.service.node-name=node-7"));
		assertThat(set.service()).isEqualTo(new SupervisorLog.Service("orders-eu", "2", "production", "node-7"));
	}

	@Test
	void gelfHasTheHostAndTheVersion() {
		SupervisorLog log = SupervisorLogSettings.from(environment("logging.structured.format.console=gelf",
				"spring.application.name=orders", "logging.structured.gelf.service.version=3.0"));
		assertThat(log.service()).isEqualTo(new SupervisorLog.Service("orders", "3.0", null, null));
		assertThat(SupervisorLogSettings
			.from(environment("logging.structured.format.console=gelf", "spring.application.name=orders",
					"logging.structured.gelf.host=host-1"))
			.service()
			.name()).isEqualTo("host-1");
	}

	@Test
	void logstashSaysNothingAboutTheApplication() {
		SupervisorLog log = SupervisorLogSettings
			.from(environment("logging.structured.format.console=logstash", "spring.application.name=orders"));
		assertThat(log.structuredFormat()).isEqualTo("logstash");
		assertThat(log.service()).isEqualTo(SupervisorLog.Service.NONE);
	}

	@Test
	void aFormatterClassOfTheApplicationsOwnIsHandedOverAsUnsupported() {
		SupervisorLog log = SupervisorLogSettings
			.from(environment("logging.structured.format.console=com.example.OrdersFormatter"));
		assertThat(log.structuredFormat()).isNull();
		assertThat(log.unsupportedFormat()).isEqualTo("com.example.OrdersFormatter");
	}

	@Test
	void theLevelsOfTheRootAndOfSambootsLoggersAreHandedOver() {
		SupervisorLog log = SupervisorLogSettings.from(environment("logging.level.root=warn", "logging.level.dev=error",
				"logging.level.dev.samboot=debug", "logging.level.dev.samboot.sam=trace",
				"logging.level.dev.samboot.sam.internal.supervisor.Supervisor=off", "logging.level.dev.sambootx=info",
				"logging.level.org.springframework=debug", "logging.level.dev.other=debug"));
		assertThat(log.levels()).containsExactlyInAnyOrderEntriesOf(
				Map.of("", Level.WARNING, "dev", Level.ERROR, "dev.samboot", Level.DEBUG, "dev.samboot.sam",
						Level.TRACE, "dev.samboot.sam.internal.supervisor.Supervisor", Level.OFF));
	}

	@Test
	void levelsAreReadAsBootReadsThem() {
		SupervisorLog log = SupervisorLogSettings.from(environment("logging.level.ROOT=Fatal",
				"logging.level.dev.samboot=false", "logging.level.dev.samboot.corosync=WARN"));
		assertThat(log.levels()).as("FATAL is ERROR; YAML's off reads as false")
			.containsExactlyInAnyOrderEntriesOf(
					Map.of("", Level.ERROR, "dev.samboot", Level.OFF, "dev.samboot.corosync", Level.WARNING));
	}

	@Test
	void aGroupSetsItsMembersAndANameSetItselfDecides() {
		SupervisorLog log = SupervisorLogSettings.from(environment("logging.group.supervision=dev.samboot,org.example",
				"logging.level.supervision=debug", "logging.level.dev.samboot=info",
				"logging.group.corosync=dev.samboot.corosync", "logging.level.corosync=error"));
		assertThat(log.levels())
			.containsExactlyInAnyOrderEntriesOf(Map.of("dev.samboot", Level.INFO, "dev.samboot.corosync", Level.ERROR));
	}

	@Test
	void theSettingsCarryTheLogToTheOptions() {
		SupervisorLog log = SamSettings
			.bind(environment("logging.structured.format.console=ecs", "logging.level.dev.samboot=debug",
					"spring.application.name=orders"))
			.options()
			.supervisorLog();
		assertThat(log).isEqualTo(new SupervisorLog("ecs", Map.of("dev.samboot", Level.DEBUG),
				new SupervisorLog.Service("orders", null, null, null)));
	}

	private static MockEnvironment environment(String... pairs) {
		MockEnvironment environment = new MockEnvironment();
		TestPropertyValues.of(pairs).applyTo(environment);
		return environment;
	}

}
