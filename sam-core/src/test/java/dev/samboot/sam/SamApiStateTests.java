package dev.samboot.sam;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import dev.samboot.sam.SamApiTable.Row;
import dev.samboot.sam.internal.process.SamPlatform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * libsam's table of states and errors, as the README's core API section gives it
 * ({@link SamApiTable}). INITIALIZED and FINALIZED are reached here with
 * {@link Sam#create} and a platform that can launch nothing; REGISTERED and STARTED only
 * exist in a process a real supervisor launched, and the process-wide single handle only
 * in a process of its own, so those rows run in {@link TestSam}'s {@code api-states}.
 */
class SamApiStateTests {

	private static final Duration INTERVAL = Duration.ofSeconds(1);

	private static final int DATA_MAX_SIZE = 64;

	static Stream<Row> rowsReachableInThisJvm() {
		return Stream.of(SamState.INITIALIZED, SamState.FINALIZED)
			.flatMap((state) -> SamApiTable.rows(state, INTERVAL, RecoveryPolicy.RESTART).stream())
			.filter((row) -> row.call() != SamApiTable.Call.INITIALIZE);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("rowsReachableInThisJvm")
	void callAnswersAsTheTableSays(Row row) {
		Sam sam = Sam.create(SamOptions.builder(INTERVAL, RecoveryPolicy.RESTART).dataMaxSize(DATA_MAX_SIZE).build(),
				platformThatLaunchesNothing());
		if (row.state() == SamState.FINALIZED) {
			sam.close();
		}
		assertThat(sam.state()).isEqualTo(row.state());
		assertThat(row.run(sam)).isEqualTo(row.expected().name());
		assertThat(sam.state()).isEqualTo(row.state());
	}

	@ParameterizedTest
	@ValueSource(ints = { 0, 60_000 })
	@Timeout(60)
	void everyCallInEveryStateOfASupervisedProcessAnswersAsTheTableSays(int intervalMillis, @TempDir Path temporary)
			throws Exception {
		Duration interval = Duration.ofMillis(intervalMillis);
		List<String> expected = new ArrayList<>();
		for (SamState state : SamState.values()) {
			SamApiTable.rows(state, interval, RecoveryPolicy.RESTART)
				.forEach((row) -> expected.add(row.expectedLine()));
		}
		try (SupervisedRun run = SupervisedRun.testSamIn(temporary, "api-states", Integer.toString(intervalMillis))) {
			assertThat(run.awaitExit(Duration.ofSeconds(30))).as(run.output()).isZero();
			List<String> answered = run.lines().stream().filter((line) -> line.startsWith("api ")).toList();
			assertThat(answered).as(run.output()).containsExactlyInAnyOrderElementsOf(expected);
			assertThat(run.output()).contains("instance 1 pid").doesNotContain("instance 2");
		}
	}

	@Test
	void dataCallsWorkLocallyBeforeRegister() {
		Sam sam = Sam.create(SamOptions.builder(INTERVAL, RecoveryPolicy.RESTART).dataMaxSize(DATA_MAX_SIZE).build(),
				platformThatLaunchesNothing());
		sam.dataStore(new byte[DATA_MAX_SIZE]);
		sam.warnSignalSet(Signals.SIGUSR2);
		assertThat(sam.dataGetSize()).isEqualTo(DATA_MAX_SIZE);
		assertThat(sam.dataRestore(new byte[DATA_MAX_SIZE])).isEqualTo(DATA_MAX_SIZE);
		assertThat(sam.warnSignal()).isEqualTo(Signals.SIGUSR2);
		sam.dataStore(null);
		assertThat(sam.dataGetSize()).isZero();
		assertThat(sam.dataRestore()).isEmpty();
	}

	@Test
	@Timeout(30)
	void registerWhenTheActiveProcessCannotBeLaunchedIsALibraryError(@TempDir Path directory) {
		Sam sam = Sam.create(SamOptions.builder(INTERVAL, RecoveryPolicy.RESTART).build(),
				new SamPlatform(Map.of(), Optional.empty(), List.of(directory.resolve("java").toString()), (status) -> {
					throw new AssertionError("exit " + status);
				}));
		SamException failure = catchThrowableOfType(SamException.class, sam::register);
		assertThat(failure.error()).isEqualTo(CsError.LIBRARY);
		assertThat(failure).hasMessageContaining("Cannot launch the active process")
			.hasMessageContaining(directory.resolve("java").toString());
		assertThat(sam.state()).isEqualTo(SamState.INITIALIZED);
	}

	static Stream<Arguments> invalidOptions() {
		return Stream.of(Arguments.of("null policy", SamOptions.builder(INTERVAL, null).build()),
				Arguments.of("null interval", SamOptions.builder(null, RecoveryPolicy.QUIT).build()),
				Arguments.of("negative interval",
						SamOptions.builder(Duration.ofMillis(-1), RecoveryPolicy.QUIT).build()),
				Arguments.of("interval beyond int milliseconds",
						SamOptions.builder(Duration.ofMillis(Integer.MAX_VALUE + 1L), RecoveryPolicy.QUIT).build()),
				Arguments.of("negative data limit",
						SamOptions.builder(INTERVAL, RecoveryPolicy.QUIT).dataMaxSize(-1).build()),
				Arguments.of("data limit above the maximum",
						SamOptions.builder(INTERVAL, RecoveryPolicy.QUIT)
							.dataMaxSize(SamOptions.MAX_DATA_MAX_SIZE + 1)
							.build()),
				Arguments.of("negative shutdown timeout",
						SamOptions.builder(INTERVAL, RecoveryPolicy.QUIT)
							.shutdownTimeout(Duration.ofSeconds(-1))
							.build()),
				Arguments.of("no thread dump kept",
						SamOptions.builder(INTERVAL, RecoveryPolicy.QUIT)
							.threadDumpLimits(0, Duration.ofDays(1))
							.build()),
				Arguments.of("thread dumps of age zero",
						SamOptions.builder(INTERVAL, RecoveryPolicy.QUIT).threadDumpLimits(1, Duration.ZERO).build()),
				Arguments.of("thread dumps of negative age",
						SamOptions.builder(INTERVAL, RecoveryPolicy.QUIT)
							.threadDumpLimits(1, Duration.ofSeconds(-1))
							.build()));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("invalidOptions")
	void initializeWithAnInvalidOptionIsInvalidParam(String description, SamOptions options) {
		assertThat(catchThrowableOfType(SamException.class, () -> Sam.create(options, platformThatLaunchesNothing()))
			.error()).isEqualTo(CsError.INVALID_PARAM);
	}

	@Test
	void initializeAcceptsTheLimits() {
		Sam longest = Sam.create(SamOptions.builder(Duration.ofMillis(Integer.MAX_VALUE), RecoveryPolicy.QUIT)
			.dataMaxSize(SamOptions.MAX_DATA_MAX_SIZE)
			.shutdownTimeout(Duration.ZERO)
			.threadDumpLimits(1, Duration.ofNanos(1))
			.build(), platformThatLaunchesNothing());
		Sam none = Sam.create(SamOptions.builder(Duration.ZERO, RecoveryPolicy.RESTART).dataMaxSize(0).build(),
				platformThatLaunchesNothing());
		assertThat(longest.state()).isEqualTo(SamState.INITIALIZED);
		assertThat(none.interval()).isZero();
		assertThat(catchThrowableOfType(SamException.class, () -> none.dataStore(new byte[1])).error())
			.isEqualTo(CsError.TOO_BIG);
	}

	@Test
	void policyFromBitsAcceptsExactlyQuitOrRestartWithTheQuorumAndCmapFlags() {
		Set<Integer> libsamValues = Set.of(0x01, 0x02, 0x09, 0x0a, 0x11, 0x12, 0x19, 0x1a);
		IntStream candidates = IntStream.concat(IntStream.rangeClosed(-0x100, 0x1000),
				IntStream.of(Integer.MIN_VALUE, Integer.MAX_VALUE, 0x80000001, 0x10000002, 0x102, 0x41, 0x21));
		candidates.forEach((bits) -> {
			if (libsamValues.contains(bits)) {
				RecoveryPolicy policy = RecoveryPolicy.fromBits(bits);
				assertThat(policy.bits()).isEqualTo(bits);
				assertThat(policy.restart()).isEqualTo((bits & 0x02) != 0);
				assertThat(policy.quorum()).isEqualTo((bits & 0x08) != 0);
				assertThat(policy.cmap()).isEqualTo((bits & 0x10) != 0);
			}
			else {
				assertThat(catchThrowableOfType(SamException.class, () -> RecoveryPolicy.fromBits(bits)).error())
					.as("0x%x", bits)
					.isEqualTo(CsError.INVALID_PARAM);
			}
		});
	}

	@Test
	void policyConstantsAreLibsamsNumbers() {
		assertThat(RecoveryPolicy.fromBits(1)).isEqualTo(RecoveryPolicy.QUIT);
		assertThat(RecoveryPolicy.fromBits(2)).isEqualTo(RecoveryPolicy.RESTART);
		assertThat(RecoveryPolicy.fromBits(0x09)).isEqualTo(RecoveryPolicy.QUORUM_QUIT);
		assertThat(RecoveryPolicy.fromBits(0x0a)).isEqualTo(RecoveryPolicy.QUORUM_RESTART);
		assertThat(RecoveryPolicy.fromBits(0x1a)).isEqualTo(RecoveryPolicy.QUORUM_RESTART.withCmap());
		assertThat(RecoveryPolicy.QUORUM_RESTART.withCmap().toQuit()).isEqualTo(RecoveryPolicy.fromBits(0x19));
		assertThat(RecoveryPolicy.QUORUM_RESTART.withCmap()).hasToString("quorum-restart+cmap");
		assertThat(CsError.BAD_HANDLE.code()).isEqualTo(9);
		assertThat(CsError.INVALID_PARAM.code()).isEqualTo(7);
		assertThat(CsError.TOO_BIG.code()).isEqualTo(26);
	}

	static Stream<Arguments> signalSpellings() {
		return Stream.of(Arguments.of("TERM", 15), Arguments.of("SIGTERM", 15), Arguments.of("sigterm", 15),
				Arguments.of(" usr1 ", 10), Arguments.of("SIGUSR2", 12), Arguments.of("kill", 9),
				Arguments.of("HUP", 1), Arguments.of("sys", 31), Arguments.of("1", 1), Arguments.of("10", 10),
				Arguments.of("64", 64), Arguments.of("010", 10));
	}

	@ParameterizedTest(name = "{0} -> {1}")
	@MethodSource("signalSpellings")
	void signalParsesNamesAndNumbers(String text, int signal) {
		assertThat(Signals.parse(text)).isEqualTo(signal);
	}

	@ParameterizedTest
	@NullAndEmptySource
	@ValueSource(strings = { " ", "0", "65", "-1", "+5", "1000", "5a", "SIG", "SIGFOO", "RTMIN", "TERM2", "SIG TERM" })
	void signalParseRefusesWhatIsNoSignal(String text) {
		assertThatIllegalArgumentException().isThrownBy(() -> Signals.parse(text));
	}

	@Test
	void signalNamesAndValidity() {
		assertThat(Signals.name(Signals.SIGTERM)).isEqualTo("SIGTERM");
		assertThat(Signals.name(40)).isEqualTo("SIG40");
		assertThat(IntStream.rangeClosed(-2, 66).filter(Signals::isValid))
			.containsExactlyElementsOf(IntStream.rangeClosed(1, 64).boxed().toList());
	}

	@Test
	void warnSignalSetRefusesANonSignalBeforeRegister() {
		Sam sam = Sam.create(SamOptions.builder(INTERVAL, RecoveryPolicy.RESTART).build(),
				platformThatLaunchesNothing());
		assertThatExceptionOfType(SamException.class).isThrownBy(() -> sam.warnSignalSet(Signals.MAX_SIGNAL + 1))
			.withMessageContaining("65");
		assertThat(sam.warnSignal()).isEqualTo(Signals.SIGTERM);
	}

	/**
	 * No SAM_* variables, and a command that cannot run: nothing here may supervise or
	 * exit.
	 */
	private static SamPlatform platformThatLaunchesNothing() {
		return new SamPlatform(Map.of(), Optional.empty(), List.of("/nonexistent/samboot-test/java"), (status) -> {
			throw new AssertionError("exit " + status);
		});
	}

}
