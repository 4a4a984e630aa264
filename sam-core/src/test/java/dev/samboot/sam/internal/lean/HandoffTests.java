package dev.samboot.sam.internal.lean;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

import dev.samboot.sam.Backoff;
import dev.samboot.sam.EarlyLaunch;
import dev.samboot.sam.RecoveryPolicy;
import dev.samboot.sam.SamOptions;
import dev.samboot.sam.SupervisorLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The handoff to the lean supervisor carries every option: an option added to
 * {@link SamOptions} fails {@link #everyOptionIsHandedOver()} until it is set here, and
 * then until the handoff carries it.
 */
class HandoffTests {

	/** The accessors of {@link SamOptions} that are not handed over, and why. */
	private static final Map<String, String> NOT_HANDED_OVER = Map.of("quorumSource",
			"the application's own class: with one the supervisor stays in its JVM (LeanSupervisor.obstacle)",
			"statePublisher",
			"the application's own class: with one the supervisor stays in its JVM (LeanSupervisor.obstacle)",
			"supervisorJvmOptions", "the lean supervisor supervises in its own JVM rather than replacing it again");

	/** The keys whose absence means the option or value is not set. */
	private static final Set<String> OPTIONAL_KEYS = Set.of("start-retry", "thread-dumps", "startup-cache", "data",
			"early.pid", "log.format", "log.service.name", "log.service.version", "log.service.environment",
			"log.service.node-name");

	private static final byte[] DATA = { 0, 1, 2, (byte) 0xff, '=', '\n' };

	private static final List<String> COMMAND = List.of("/usr/lib/jvm/bin/java", "-Dname=a b", "", "-jar",
			"/opt/äpp/app.jar", "--greeting=héllo\nworld");

	@TempDir
	Path temp;

	/** ASCII half of the time, else any code point but a lone surrogate. */
	private static int codePoint(java.util.Random random) {
		if (random.nextBoolean()) {
			return random.nextInt(0x80);
		}
		int codePoint = random.nextInt(0x110000);
		return (codePoint >= 0xD800 && codePoint <= 0xDFFF) ? 0xE000 + (codePoint - 0xD800) : codePoint;
	}

	@Test
	void propertiesAreWrittenWithoutTheDateCommentAndReadBackWhateverTheyHold() throws Exception {
		Properties properties = new Properties();
		properties.setProperty("plain", "value");
		properties.setProperty(" key with spaces ", "  leading and trailing  ");
		properties.setProperty("a=b:c#d!e", "x=y:z#w!v");
		properties.setProperty("escapes", "back\\slash\ttab\nnewline\rreturn\fform");
		properties.setProperty("#comment-like", "!also");
		properties.setProperty("unicode ☃ é", "日本語 ✓");
		properties.setProperty("empty", "");
		java.util.Random random = new java.util.Random(16);
		for (int i = 0; i < 200; i++) {
			StringBuilder key = new StringBuilder();
			StringBuilder value = new StringBuilder();
			for (int c = random.nextInt(12); c > 0; c--) {
				key.appendCodePoint(codePoint(random));
				value.appendCodePoint(codePoint(random));
			}
			properties.setProperty("random." + i + key, value.toString());
		}
		byte[] bytes = Handoff.toBytes(properties);
		assertThat(new String(bytes, java.nio.charset.StandardCharsets.UTF_8)).doesNotStartWith("#");
		assertThat(Handoff.fromBytes(bytes)).isEqualTo(properties);
		Path file = this.temp.resolve("handoff.properties");
		Handoff.store(properties, file);
		assertThat(Handoff.load(file)).isEqualTo(properties);
	}

	@Test
	void everyOptionIsHandedOver() throws Exception {
		SamOptions source = everyOptionSet();
		SamOptions defaults = SamOptions.builder(Duration.ZERO, RecoveryPolicy.QUIT).build();
		assertThat(accessors().stream().map(Method::getName)).containsAll(NOT_HANDED_OVER.keySet());
		for (Method accessor : accessors()) {
			if (!NOT_HANDED_OVER.containsKey(accessor.getName())) {
				assertThat(comparable(accessor.invoke(source)))
					.as("%s() must be set to a value other than its default in everyOptionSet()", accessor.getName())
					.isNotEqualTo(comparable(accessor.invoke(defaults)));
			}
		}
		Path file = this.temp.resolve("handoff.properties");
		new Handoff(source, 12, DATA, COMMAND).writeTo(file);
		Handoff read = Handoff.readFrom(file);
		for (Method accessor : accessors()) {
			Object value = accessor.invoke(read.options());
			if (NOT_HANDED_OVER.containsKey(accessor.getName())) {
				assertThat(value)
					.as("%s() is not handed over: %s", accessor.getName(), NOT_HANDED_OVER.get(accessor.getName()))
					.isNull();
			}
			else {
				assertThat(comparable(value)).as("%s() read back", accessor.getName())
					.isEqualTo(comparable(accessor.invoke(source)));
			}
		}
		assertThat(read.warnSignal()).isEqualTo(12);
		assertThat(read.data()).containsExactly(DATA);
		assertThat(read.command()).isEqualTo(COMMAND);
	}

	@Test
	void optionsLeftAtTheirDefaultsStayThere() throws Exception {
		SamOptions source = SamOptions.builder(Duration.ofSeconds(2), RecoveryPolicy.RESTART).build();
		Handoff read = Handoff.read(new Handoff(source, 0, null, COMMAND).write());
		for (Method accessor : accessors()) {
			assertThat(comparable(accessor.invoke(read.options()))).as("%s() read back", accessor.getName())
				.isEqualTo(comparable(accessor.invoke(source)));
		}
		assertThat(read.data()).isNull();
	}

	@Test
	void settingsSentByInstanceOneAndTheWaitingSupervisorsHandoffMakeTheWholeHandoff() throws Exception {
		SamOptions source = everyOptionSet().withEarlyLaunch(null);
		Properties settings = Handoff.fromBytes(Handoff.toBytes(Handoff.settings(source, 12)));
		assertThat(Handoff.relaunchReason(settings)).isNull();
		assertThat(Handoff.wantedJvmOptions(settings)).isEqualTo(source.supervisorJvmOptions());
		dev.samboot.sam.EarlyLaunch early = dev.samboot.sam.EarlyLaunch.adopt(ProcessHandle.current().pid(), this.temp,
				new byte[32]);
		Properties deferred = Handoff.deferred(COMMAND, early, List.of("-Xint", "-Xmx20m"));
		assertThat(Handoff.isDeferred(deferred)).isTrue();
		assertThat(Handoff.isDeferred(settings)).isFalse();
		assertThat(Handoff.deferredJvmOptions(deferred)).containsExactly("-Xint", "-Xmx20m");
		Properties full = Handoff.merge(deferred, settings);
		assertThat(full.stringPropertyNames()).contains("early.pid", "early.directory", "early.token")
			.noneMatch((key) -> key.startsWith("wanted.") || key.startsWith("deferred"));
		Handoff read = Handoff.read(full, null);
		for (Method accessor : accessors()) {
			if (!NOT_HANDED_OVER.containsKey(accessor.getName()) && !accessor.getName().equals("earlyLaunch")) {
				assertThat(comparable(accessor.invoke(read.options()))).as("%s() read back", accessor.getName())
					.isEqualTo(comparable(accessor.invoke(source)));
			}
		}
		assertThat(read.warnSignal()).isEqualTo(12);
		assertThat(read.command()).as("the waiting supervisor's command").isEqualTo(COMMAND);
		assertThat(Handoff.relaunchReason(Handoff.relaunch("no lean supervisor"))).isEqualTo("no lean supervisor");
		assertThatIllegalArgumentException().isThrownBy(() -> Handoff.fromBytes("\\u12".getBytes()));
	}

	@Test
	void aMissingKeyIsNamed() {
		Properties complete = new Handoff(everyOptionSet(), 12, DATA, COMMAND).write();
		assertThat(complete.stringPropertyNames()).containsAll(OPTIONAL_KEYS);
		for (String key : complete.stringPropertyNames()) {
			Properties partial = new Properties();
			partial.putAll(complete);
			partial.remove(key);
			if (OPTIONAL_KEYS.contains(key)) {
				Handoff.read(partial);
			}
			else {
				assertThatIllegalArgumentException().as(key)
					.isThrownBy(() -> Handoff.read(partial))
					.withMessage("The lean supervisor's handoff has no \"" + key + "\"");
			}
		}
	}

	@Test
	void aValueThatCannotBeReadIsNamed() {
		Properties properties = new Handoff(everyOptionSet(), 12, DATA, COMMAND).write();
		properties.setProperty("backoff", "1,2,3");
		assertThatIllegalArgumentException().isThrownBy(() -> Handoff.read(properties))
			.withMessageStartingWith("The lean supervisor's handoff has a \"backoff\" that cannot be read");
	}

	@Test
	void aLogLevelThatCannotBeReadIsNamed() {
		Properties properties = new Handoff(everyOptionSet(), 12, DATA, COMMAND).write();
		properties.setProperty("log.levels.0", "dev.samboot=LOUD");
		assertThatIllegalArgumentException().isThrownBy(() -> Handoff.read(properties))
			.withMessage("The lean supervisor's handoff has a log level that cannot be read: \"dev.samboot=LOUD\"");
		assertThatIllegalArgumentException().isThrownBy(() -> Handoff.supervisorLog(properties));
	}

	@Test
	void theApplicationsOwnQuorumSourceCannotBeHandedOver() {
		SamOptions options = SamOptions.builder(Duration.ofSeconds(1), RecoveryPolicy.QUORUM_RESTART)
			.quorumSource(() -> null)
			.build();
		assertThatIllegalArgumentException().isThrownBy(() -> new Handoff(options, 12, null, COMMAND));
	}

	/**
	 * Every option set to a value other than its default (interval and policy have none).
	 */
	private SamOptions everyOptionSet() {
		return SamOptions.builder(Duration.ofMillis(1500), RecoveryPolicy.QUORUM_RESTART.withCmap())
			.dataMaxSize(4096)
			.shutdownTimeout(Duration.ofSeconds(7))
			.restartIntensity(5, Duration.ofMinutes(2))
			.backoff(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(30), 2.5, 0.2, Duration.ofMinutes(5)))
			.retryFailedStarts(new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(10), 1.5, 0.1, Duration.ZERO))
			.exitCodes(Set.of(3, 75), Set.of(2, 78))
			.startupTimeout(Duration.ofSeconds(90))
			.threadDumps(this.temp.resolve("dumps"))
			.threadDumpLimits(7, Duration.ofHours(36))
			.supervisorLog(new SupervisorLog("ecs",
					Map.of("", System.Logger.Level.WARNING, "dev.samboot", System.Logger.Level.DEBUG,
							"dev.samboot.sam.internal.supervisor.Supervisor", System.Logger.Level.TRACE, "odd=name",
							System.Logger.Level.OFF),
					new SupervisorLog.Service("orders \u00e9", "1.4.2", "production", "node\n7")))
			.startupCache(this.temp.resolve("cache"))
			.startupCacheTraining(List.of("-Dspring.context.exit=onRefresh"), List.of("--sam.enabled=false"))
			.leanSupervisor(List.of("-Xint", "-Xmx32m"))
			.earlyLaunch(earlyLaunch())
			.build();
	}

	/**
	 * An instance launched early, as the lean supervisor adopts it. Adopting a live child
	 * needs {@code java.lang} opened (the lean JVM's option), which the test JVM does not
	 * have; a pid that is not a child of this JVM, such as its own, is adopted as an
	 * instance that has already ended (with a warning), which still has the pid,
	 * directory and token that are handed over. The lean supervisor adopting a live one
	 * is in {@code BeyondLibsamProcessTests}.
	 */
	private EarlyLaunch earlyLaunch() {
		byte[] token = new byte[32];
		Arrays.fill(token, (byte) 0xa5);
		token[0] = 1;
		return EarlyLaunch.adopt(ProcessHandle.current().pid(), this.temp.resolve("channel"), token);
	}

	/** The public accessors of {@link SamOptions}. */
	private static List<Method> accessors() {
		return Arrays.stream(SamOptions.class.getDeclaredMethods())
			.filter((method) -> Modifier.isPublic(method.getModifiers()) && !Modifier.isStatic(method.getModifiers()))
			.filter((method) -> method.getParameterCount() == 0 && !method.isSynthetic())
			.filter((method) -> !Set.of("toString", "hashCode").contains(method.getName()))
			.sorted(java.util.Comparator.comparing(Method::getName))
			.collect(Collectors.toList());
	}

	/**
	 * A value that {@code equals} compares by content; an early launch by pid, directory
	 * and token.
	 */
	private static Object comparable(Object value) {
		if (value instanceof EarlyLaunch early) {
			return List.of(early.pid(), early.directory().path(), HexFormat.of().formatHex(early.token()));
		}
		return value;
	}

}
