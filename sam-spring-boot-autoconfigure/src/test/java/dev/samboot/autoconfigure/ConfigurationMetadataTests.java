package dev.samboot.autoconfigure;

import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.samboot.sam.Signals;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * The configuration metadata the build ships (what an IDE completes and explains): every
 * {@code sam.*} property the code binds is in it with a description, and the properties
 * that take one of a few values list them, each value described and accepted by
 * {@link SamSettings}. The bound properties are found by reflection over
 * {@link SamProperties}, so a new property without a description fails here.
 */
class ConfigurationMetadataTests {

	private static ConfigurationMetadata metadata;

	@BeforeAll
	static void load() throws IOException {
		metadata = ConfigurationMetadata.load();
	}

	@Test
	void everyBoundPropertyIsDescribed() {
		Set<String> bound = ConfigurationMetadata.boundProperties().keySet();
		assertThat(bound).contains("sam.interval", "sam.warn-signal", "sam.restart.backoff.reset-after",
				"sam.quorum.zookeeper.connect-string", "sam.cpg.send-timeout");
		Set<String> undescribed = new TreeSet<>();
		for (String name : bound) {
			String description = metadata.description(name);
			if (description == null || description.isBlank()) {
				undescribed.add(name);
			}
		}
		assertThat(undescribed).as("bound properties without a description in the metadata").isEmpty();
	}

	@Test
	void theMetadataHasNoPropertyTheCodeDoesNotBind() {
		assertThat(metadata.samPropertyNames()).as("sam.* properties in the metadata")
			.containsExactlyInAnyOrderElementsOf(ConfigurationMetadata.boundProperties().keySet());
	}

	@Test
	void everyEnumPropertyListsEachOfItsValues() {
		Map<String, Class<?>> bound = ConfigurationMetadata.boundProperties();
		assertThat(bound.values()).filteredOn(Class::isEnum).hasSizeGreaterThanOrEqualTo(3);
		bound.forEach((name, type) -> {
			if (type.isEnum()) {
				assertThat(metadata.hintValues(name).keySet()).as(name)
					.containsExactlyElementsOf(ConfigurationMetadata.enumValues(type));
			}
		});
		assertThat(metadata.hintValues("sam.policy")).containsOnlyKeys("quit", "restart", "quorum-quit",
				"quorum-restart");
		assertThat(metadata.hintValues("sam.start")).containsOnlyKeys("ready", "started", "manual");
		assertThat(metadata.hintValues("sam.quorum.provider")).containsOnlyKeys("corosync", "zookeeper");
	}

	@Test
	void warnSignalListsTheSignalsUsersPickAndTheirSigForms() {
		Map<String, String> values = metadata.hintValues("sam.warn-signal");
		assertThat(values).containsKeys("TERM", "SIGTERM", "INT", "SIGINT", "HUP", "SIGHUP", "QUIT", "SIGQUIT", "USR1",
				"SIGUSR1", "USR2", "SIGUSR2", "KILL", "SIGKILL");
		for (String value : values.keySet()) {
			// each name is Signals' own, and names the same signal with or without SIG
			int number = Signals.parse(value);
			assertThat(Signals.name(number)).as(value).isEqualTo(value.startsWith("SIG") ? value : "SIG" + value);
		}
		assertThat(metadata.hints().get("sam.warn-signal").get("providers")).as("numbers and the other names")
			.asString()
			.contains("any");
	}

	@Test
	void healthGroupListsLivenessAndEveryIndicator() {
		assertThat(metadata.hintValues("sam.health.group")).containsKeys("liveness", "*");
	}

	@Test
	void everyHintIsForABoundPropertyAndEveryValueIsDescribed() {
		Set<String> bound = ConfigurationMetadata.boundProperties().keySet();
		assertThat(metadata.hints().keySet()).filteredOn((name) -> name.startsWith("sam."))
			.isNotEmpty()
			.allSatisfy((name) -> {
				assertThat(bound).as("hinted property").contains(name);
				assertThat(metadata.hintValues(name)).as(name).isNotEmpty().allSatisfy((value, description) -> {
					assertThat(description).as(name + "=" + value).isNotBlank();
				});
			});
	}

	@Test
	void everyHintedValueIsAccepted() {
		for (String name : metadata.hints().keySet()) {
			if (!name.startsWith("sam.")) {
				continue;
			}
			for (String value : metadata.hintValues(name).keySet()) {
				MockEnvironment environment = new MockEnvironment();
				TestPropertyValues.of(name + "=" + value).applyTo(environment);
				assertThatNoException().as(name + "=" + value).isThrownBy(() -> SamSettings.bind(environment));
			}
		}
	}

}
