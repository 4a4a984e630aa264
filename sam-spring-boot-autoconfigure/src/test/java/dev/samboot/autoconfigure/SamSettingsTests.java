package dev.samboot.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import dev.samboot.sam.Backoff;
import dev.samboot.sam.RecoveryPolicy;
import dev.samboot.sam.SamOptions;
import dev.samboot.sam.Signals;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Binding and checking {@code sam.*}: the defaults, the accepted forms, and every kind of
 * wrong value, each reported with the property, the value and what is allowed.
 */
class SamSettingsTests {

	@Test
	void defaultsAreLibsamsWithAFiveSecondInterval() {
		SamSettings settings = SamSettings.bind(new MockEnvironment());
		assertThat(settings.interval()).isEqualTo(Duration.ofSeconds(5));
		assertThat(settings.policy()).isEqualTo(RecoveryPolicy.RESTART);
		assertThat(settings.warnSignal()).isEqualTo(Signals.SIGTERM);
		assertThat(settings.healthTimeout()).isEqualTo(Duration.ofMillis(2500));
		assertThat(settings.options().dataMaxSize()).isEqualTo(SamOptions.DEFAULT_DATA_MAX_SIZE);
		assertThat(settings.options().shutdownTimeout()).isEqualTo(Duration.ofSeconds(30));
		assertThat(settings.properties().enabled()).isTrue();
		assertThat(settings.properties().start()).isEqualTo(SamProperties.StartMode.READY);
		assertThat(settings.properties().health().enabled()).isTrue();
		assertThat(settings.properties().health().group()).isNull();
	}

	@Test
	void acceptsTheFormsUsersWrite() {
		SamSettings settings = SamSettings.bind(environment("sam.interval=1500ms", "sam.policy=quorum-quit",
				"sam.warn-signal=SIGUSR1", "sam.shutdown-timeout=0", "sam.data.max-size=64KB", "sam.health.timeout=1s",
				"sam.start=manual", "sam.cmap.enabled=true"));
		assertThat(settings.interval()).isEqualTo(Duration.ofMillis(1500));
		assertThat(settings.policy()).isEqualTo(RecoveryPolicy.QUORUM_QUIT.withCmap());
		assertThat(settings.warnSignal()).isEqualTo(Signals.SIGUSR1);
		assertThat(settings.options().shutdownTimeout()).isZero();
		assertThat(settings.options().dataMaxSize()).isEqualTo(64 * 1024);
		assertThat(settings.healthTimeout()).isEqualTo(Duration.ofSeconds(1));
		assertThat(settings.properties().start()).isEqualTo(SamProperties.StartMode.MANUAL);
	}

	@Test
	void warnSignalTakesNumbersAndNamesInAnyCase() {
		assertThat(SamSettings.bind(environment("sam.warn-signal=10")).warnSignal()).isEqualTo(10);
		assertThat(SamSettings.bind(environment("sam.warn-signal=kill")).warnSignal()).isEqualTo(Signals.SIGKILL);
		assertThat(SamSettings.bind(environment("sam.warn-signal=usr2")).warnSignal()).isEqualTo(Signals.SIGUSR2);
	}

	@Test
	void intervalZeroWatchesOnlyDeathAndNeedsNoHealthTimeout() {
		SamSettings settings = SamSettings.bind(environment("sam.interval=0"));
		assertThat(settings.interval()).isZero();
		assertThat(settings.healthTimeout()).isPositive();
	}

	@Test
	void restartRulesAreOffByDefaultAndBindWhenGiven() {
		SamSettings defaults = SamSettings.bind(new MockEnvironment());
		assertThat(defaults.options().maxRestarts()).isEqualTo(-1);
		assertThat(defaults.options().backoff().enabled()).isFalse();
		assertThat(defaults.options().startupTimeout()).isZero();
		assertThat(defaults.options().threadDumpDirectory()).hasFileName("samboot-thread-dumps");
		SamSettings settings = SamSettings.bind(environment("sam.restart.max-restarts=5", "sam.restart.window=2m",
				"sam.restart.backoff.initial=1s", "sam.restart.backoff.max=30s", "sam.restart.exit-codes=75",
				"sam.quit.exit-codes=78,64", "sam.startup-timeout=90s", "sam.thread-dump.enabled=false"));
		SamOptions options = settings.options();
		assertThat(options.maxRestarts()).isEqualTo(5);
		assertThat(options.restartWindow()).isEqualTo(Duration.ofMinutes(2));
		assertThat(options.backoff().initial()).isEqualTo(Duration.ofSeconds(1));
		assertThat(options.backoff().max()).isEqualTo(Duration.ofSeconds(30));
		assertThat(options.backoff().multiplier()).isEqualTo(2);
		assertThat(options.restartExitCodes()).containsExactly(75);
		assertThat(options.quitExitCodes()).containsExactlyInAnyOrder(78, 64);
		assertThat(options.startupTimeout()).isEqualTo(Duration.ofSeconds(90));
		assertThat(options.threadDumpDirectory()).isNull();
	}

	@Test
	void threadDumpsAreKeptWithinACountAndAnAge() {
		SamOptions defaults = SamSettings.bind(new MockEnvironment()).options();
		assertThat(defaults.threadDumpMaxCount()).isEqualTo(50);
		assertThat(defaults.threadDumpMaxAge()).isEqualTo(Duration.ofDays(7));
		SamOptions set = SamSettings
			.bind(environment("sam.thread-dump.max-count=5", "sam.thread-dump.max-age=36h",
					"sam.thread-dump.directory=/var/tmp/orders-dumps"))
			.options();
		assertThat(set.threadDumpMaxCount()).isEqualTo(5);
		assertThat(set.threadDumpMaxAge()).isEqualTo(Duration.ofHours(36));
		assertThat(set.threadDumpDirectory()).isEqualTo(java.nio.file.Path.of("/var/tmp/orders-dumps"));
		assertThat(SamSettings.bind(environment("sam.thread-dump.max-count=1", "sam.thread-dump.max-age=1ms"))
			.options()
			.threadDumpMaxAge()).as("the smallest bounds").isEqualTo(Duration.ofMillis(1));
	}

	@Test
	void recoveredInstancesThatFailToStartAreRetriedByDefault() {
		Backoff retry = SamSettings.bind(new MockEnvironment()).options().startRetry();
		assertThat(retry.initial()).isEqualTo(Duration.ofSeconds(1));
		assertThat(retry.max()).isEqualTo(Duration.ofSeconds(30));
		assertThat(retry.multiplier()).isEqualTo(2);
		assertThat(SamSettings.bind(environment("sam.restart.start-retry.enabled=false")).options().startRetry())
			.as("libsam's rule")
			.isNull();
		Backoff custom = SamSettings
			.bind(environment("sam.restart.start-retry.initial=250ms", "sam.restart.start-retry.max=2s",
					"sam.restart.start-retry.multiplier=3", "sam.restart.start-retry.jitter=0"))
			.options()
			.startRetry();
		assertThat(custom).isEqualTo(new Backoff(Duration.ofMillis(250), Duration.ofSeconds(2), 3, 0, Duration.ZERO));
	}

	@Test
	void anExitStatusCannotBothRestartAndQuit() {
		assertThatExceptionOfType(InvalidSamPropertyException.class)
			.isThrownBy(() -> SamSettings.bind(environment("sam.restart.exit-codes=3", "sam.quit.exit-codes=3")))
			.satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("sam.quit.exit-codes"));
	}

	@Test
	void zooKeeperQuorumNeedsItsConnectString() {
		assertThatExceptionOfType(InvalidSamPropertyException.class)
			.isThrownBy(
					() -> SamSettings.bind(environment("sam.policy=quorum-restart", "sam.quorum.provider=zookeeper")))
			.satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("sam.quorum.zookeeper.connect-string"));
		assertThatExceptionOfType(InvalidSamPropertyException.class)
			.isThrownBy(() -> SamSettings.bind(environment("sam.policy=quorum-quit", "sam.quorum.provider=zookeeper",
					"sam.quorum.zookeeper.connect-string=localhost:2181", "sam.quorum.zookeeper.session-timeout=0s")))
			.satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("sam.quorum.zookeeper.session-timeout"));
		SamSettings settings = SamSettings.bind(environment("sam.policy=quorum-restart",
				"sam.quorum.provider=zookeeper", "sam.quorum.zookeeper.connect-string=zk1:2181,zk2:2181,zk3:2181"));
		assertThat(settings.policy()).isEqualTo(RecoveryPolicy.QUORUM_RESTART);
		assertThat(settings.properties().quorum().zookeeper().sessionTimeout()).isEqualTo(Duration.ofSeconds(10));
	}

	@Test
	void theStartupCacheIsOffByDefaultAndNamedAfterTheApplicationWhenOn() {
		assertThat(SamSettings.bind(environment()).options().startupCacheDirectory()).isNull();
		SamOptions options = SamSettings
			.bind(environment("sam.restart.startup-cache.enabled=true", "spring.application.name=orders service"))
			.options();
		assertThat(options.startupCacheDirectory())
			.isEqualTo(Path.of(System.getProperty("java.io.tmpdir"), "samboot-startup-cache", "orders_service")
				.toAbsolutePath());
		assertThat(options.startupCacheTrainingJvmOptions()).containsExactly("-Dspring.context.exit=onRefresh");
		assertThat(options.startupCacheTrainingArguments()).containsExactly("--sam.enabled=false");
		assertThat(SamSettings
			.bind(environment("sam.restart.startup-cache.enabled=true",
					"sam.restart.startup-cache.directory=/var/cache/orders"))
			.options()
			.startupCacheDirectory()).isEqualTo(Path.of("/var/cache/orders"));
	}

	@Test
	void theStartupCacheDirectoryCannotBeAFile(@org.junit.jupiter.api.io.TempDir Path directory) throws Exception {
		Path file = java.nio.file.Files.writeString(directory.resolve("file"), "x");
		assertThatExceptionOfType(InvalidSamPropertyException.class)
			.isThrownBy(() -> SamSettings.bind(environment("sam.restart.startup-cache.enabled=true",
					"sam.restart.startup-cache.directory=" + file)))
			.satisfies((ex) -> {
				assertThat(ex.getProperty()).isEqualTo("sam.restart.startup-cache.directory");
				assertThat(ex.getValue()).hasToString(file.toString());
				assertThat(ex.getAllowed()).contains("not an existing file");
			});
	}

	@Test
	void zooKeeperSettingsAreIgnoredWithoutAQuorumPolicy() {
		assertThat(SamSettings.bind(environment("sam.quorum.provider=zookeeper")).policy())
			.isEqualTo(RecoveryPolicy.RESTART);
	}

	static Stream<Arguments> wrongValues() {
		return Stream.of(Arguments.of("sam.interval", "-1s", "from 0"),
				Arguments.of("sam.interval", "soon", "duration such as"),
				Arguments.of("sam.interval", "25d", "24.8 days"),
				Arguments.of("sam.policy", "reboot", "quit, restart, quorum-quit, quorum-restart"),
				Arguments.of("sam.policy", "quorum", "quit, restart, quorum-quit, quorum-restart"),
				Arguments.of("sam.warn-signal", "BOOM", "signal name such as TERM"),
				Arguments.of("sam.warn-signal", "0", "from 1 to 64"),
				Arguments.of("sam.warn-signal", "99", "from 1 to 64"),
				Arguments.of("sam.warn-signal", "-15", "from 1 to 64"),
				Arguments.of("sam.start", "later", "ready, started, manual"),
				Arguments.of("sam.shutdown-timeout", "-5s", "0 or more"),
				Arguments.of("sam.shutdown-timeout", "a while", "duration such as"),
				Arguments.of("sam.data.max-size", "1GB", "to 64MB"),
				Arguments.of("sam.data.max-size", "-1KB", "from 0B"),
				Arguments.of("sam.data.max-size", "lots", "data size such as"),
				Arguments.of("sam.health.timeout", "0s", "greater than 0 and at most sam.interval"),
				Arguments.of("sam.health.timeout", "10s", "greater than 0 and at most sam.interval"),
				Arguments.of("sam.health.group", " ", "health group"),
				Arguments.of("sam.health.enabled", "maybe", "true or false"),
				Arguments.of("sam.cmap.enabled", "yes please", "true or false"),
				Arguments.of("sam.quorum.provider", "etcd", "corosync or zookeeper"),
				Arguments.of("sam.restart.max-restarts", "-2", "-1 (no limit)"),
				Arguments.of("sam.restart.window", "0s", "greater than 0"),
				Arguments.of("sam.restart.backoff.multiplier", "0.5", "1 or more"),
				Arguments.of("sam.restart.backoff.jitter", "1.5", "from 0 to 1"),
				Arguments.of("sam.restart.backoff.initial", "-1s", "0 (no wait) or more"),
				Arguments.of("sam.restart.exit-codes", "1,300", "from 0 to 255"),
				Arguments.of("sam.restart.start-retry.initial", "0s", "greater than 0"),
				Arguments.of("sam.restart.start-retry.max", "500ms", "at least sam.restart.start-retry.initial"),
				Arguments.of("sam.restart.start-retry.multiplier", "0", "1 or more"),
				Arguments.of("sam.restart.start-retry.jitter", "-0.1", "from 0 to 1"),
				Arguments.of("sam.restart.start-retry.enabled", "often", "true or false"),
				Arguments.of("sam.startup-timeout", "-1m", "0 (no limit) or more"),
				Arguments.of("sam.thread-dump.max-count", "0", "1 or more"),
				Arguments.of("sam.thread-dump.max-count", "-5", "1 or more"),
				Arguments.of("sam.thread-dump.max-count", "many", "1 or more"),
				Arguments.of("sam.thread-dump.max-age", "0s", "greater than 0"),
				Arguments.of("sam.thread-dump.max-age", "-1d", "greater than 0"),
				Arguments.of("sam.thread-dump.max-age", "forever", "duration such as"),
				Arguments.of("sam.restart.startup-cache.enabled", "perhaps", "true or false"),
				Arguments.of("sam.cpg.group", "", "not blank"), Arguments.of("sam.cpg.group", "  ", "not blank"),
				Arguments.of("sam.cpg.group", "x".repeat(128), "at most 127 bytes of UTF-8"),
				Arguments.of("sam.cpg.group", "\u00e9".repeat(64), "at most 127 bytes of UTF-8"),
				Arguments.of("sam.cpg.group", "a\u0000b", "without NUL characters"),
				Arguments.of("sam.cpg.rejoin-timeout", "0s", "greater than 0"),
				Arguments.of("sam.cpg.rejoin-timeout", "-1s", "greater than 0"),
				Arguments.of("sam.cpg.rejoin-timeout", "soon", "duration such as"),
				Arguments.of("sam.cpg.max-message-size", "0B", "from 1B to 16MB"),
				Arguments.of("sam.cpg.max-message-size", "17MB", "from 1B to 16MB"),
				Arguments.of("sam.cpg.max-message-size", "lots", "data size such as"),
				Arguments.of("sam.cpg.send-timeout", "-1s", "0 (no retry) to 1m"),
				Arguments.of("sam.cpg.send-timeout", "2m", "0 (no retry) to 1m"),
				Arguments.of("sam.cpg.send-timeout", "never", "duration such as"));
	}

	@Test
	void noCpgGroupUnlessNamedAndItsDefaultsCountInIntervals() {
		assertThat(CpgSettings.bind(environment()).enabled()).isFalse();
		CpgSettings defaults = CpgSettings.bind(environment("sam.cpg.group=orders"));
		assertThat(defaults.group()).isEqualTo("orders");
		assertThat(defaults.rejoinTimeout()).as("3 x the default interval").isEqualTo(Duration.ofSeconds(15));
		assertThat(defaults.maxMessageBytes()).isEqualTo(1024 * 1024);
		assertThat(defaults.sendTimeout()).isEqualTo(Duration.ofSeconds(5));
		assertThat(CpgSettings.bind(environment("sam.cpg.group=orders", "sam.cpg.send-timeout=0s")).sendTimeout())
			.isZero();
		assertThat(CpgSettings.bind(environment("sam.cpg.group=orders", "sam.cpg.send-timeout=1m")).sendTimeout())
			.isEqualTo(Duration.ofMinutes(1));
		assertThat(CpgSettings.bind(environment("sam.cpg.group=orders", "sam.interval=2s")).rejoinTimeout())
			.isEqualTo(Duration.ofSeconds(6));
		assertThat(CpgSettings.bind(environment("sam.cpg.group=orders", "sam.interval=0")).rejoinTimeout())
			.as("no interval: 3 x the default one")
			.isEqualTo(Duration.ofSeconds(15));
		CpgSettings set = CpgSettings.bind(environment("sam.cpg.group=" + "\u00e9".repeat(63) + "x",
				"sam.cpg.rejoin-timeout=750ms", "sam.cpg.max-message-size=16MB"));
		assertThat(set.group()).as("127 bytes of UTF-8").hasSize(64);
		assertThat(set.rejoinTimeout()).isEqualTo(Duration.ofMillis(750));
		assertThat(set.maxMessageBytes()).isEqualTo(16 * 1024 * 1024);
		assertThat(CpgSettings.bind(environment("sam.cpg.group=false")).group()).as("a name, whatever it reads like")
			.isEqualTo("false");
	}

	@Test
	void cpgSettingsAreReadAloneWhenSupervisionIsOff() {
		CpgSettings settings = CpgSettings
			.bind(environment("sam.enabled=false", "sam.policy=nonsense", "sam.cpg.group=orders"));
		assertThat(settings.group()).isEqualTo("orders");
		assertThatExceptionOfType(InvalidSamPropertyException.class)
			.isThrownBy(() -> CpgSettings
				.bind(environment("sam.enabled=false", "sam.cpg.group=orders", "sam.cpg.max-message-size=20MB")))
			.satisfies((ex) -> {
				assertThat(ex.getProperty()).isEqualTo("sam.cpg.max-message-size");
				assertThat(ex.getValue()).isEqualTo("20MB");
			});
	}

	@ParameterizedTest(name = "{0}={1}")
	@MethodSource("wrongValues")
	void wrongValueNamesThePropertyTheValueAndWhatIsAllowed(String property, String value, String allowed) {
		MockEnvironment environment = environment().withProperty(property, value);
		assertThatExceptionOfType(InvalidSamPropertyException.class).isThrownBy(() -> SamSettings.bind(environment))
			.satisfies((ex) -> {
				assertThat(ex.getProperty()).isEqualTo(property);
				assertThat(String.valueOf(ex.getValue())).as("the value as written").isEqualTo(value);
				assertThat(ex.getAllowed()).contains(allowed);
				assertThat(ex.getMessage()).contains(property).contains(allowed);
			});
		if (property.startsWith("sam.cpg.")) {
			assertThatExceptionOfType(InvalidSamPropertyException.class).as("checked the same when read alone")
				.isThrownBy(() -> CpgSettings.bind(environment))
				.satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo(property));
		}
	}

	private static MockEnvironment environment(String... pairs) {
		MockEnvironment environment = new MockEnvironment();
		TestPropertyValues.of(pairs).applyTo(environment);
		return environment;
	}

}
