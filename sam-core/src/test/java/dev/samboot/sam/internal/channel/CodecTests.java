package dev.samboot.sam.internal.channel;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.samboot.sam.CsError;
import dev.samboot.sam.Recovery;
import dev.samboot.sam.RecoveryTotals;
import dev.samboot.sam.SamOptions;
import dev.samboot.sam.Signals;
import dev.samboot.sam.internal.channel.Message.DataStore;
import dev.samboot.sam.internal.channel.Message.HealthFailed;
import dev.samboot.sam.internal.channel.Message.Heartbeat;
import dev.samboot.sam.internal.channel.Message.Hello;
import dev.samboot.sam.internal.channel.Message.MarkFailed;
import dev.samboot.sam.internal.channel.Message.Reply;
import dev.samboot.sam.internal.channel.Message.Start;
import dev.samboot.sam.internal.channel.Message.Stop;
import dev.samboot.sam.internal.channel.Message.WarnSignalSet;
import dev.samboot.sam.internal.channel.Message.Welcome;
import dev.samboot.sam.internal.supervisor.Supervisor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import static dev.samboot.sam.internal.channel.FuzzedFrames.body;
import static dev.samboot.sam.internal.channel.FuzzedFrames.encode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Every message survives {@link Codec#encode} and {@link Codec#decode}; every body that
 * breaks the rules is a {@link MalformedFrameException} and nothing else.
 */
class CodecTests {

	private static final byte[] TOKEN = new byte[Codec.TOKEN_BYTES];

	static {
		Arrays.fill(TOKEN, (byte) 0x5a);
	}

	static Stream<Message> everyMessage() {
		List<Recovery> recoveries = Arrays.stream(Recovery.Reason.values())
			.map((reason) -> new Recovery(Instant.ofEpochMilli(1_700_000_000_123L + reason.ordinal()),
					reason.ordinal() + 1, 4000L + reason.ordinal(), reason, 128 + reason.ordinal(),
					Recovery.Action.values()[reason.ordinal() % 2]))
			.toList();
		return Stream.of(new Hello(TOKEN, 12345L), new Hello(TOKEN, Long.MAX_VALUE),
				new Welcome(1, Signals.SIGTERM, 999L, null, List.of(), RecoveryTotals.NONE),
				new Welcome(2, Signals.SIGUSR1, 999L, new byte[0], recoveries, everyReasonTotals()),
				new Welcome(Integer.MAX_VALUE, 64, Long.MIN_VALUE, "state".getBytes(StandardCharsets.UTF_8), recoveries,
						new RecoveryTotals(Long.MAX_VALUE, Map.of(Recovery.Reason.KILLED, Long.MAX_VALUE),
								java.time.Duration.ofMillis(Long.MAX_VALUE))),
				new Heartbeat(), new Start(), new Stop(), new DataStore(null), new DataStore(new byte[0]),
				new DataStore(new byte[] { 0, -1, 127, -128 }), new WarnSignalSet(Signals.SIGUSR2),
				new WarnSignalSet(-7), new MarkFailed(), new HealthFailed(""),
				new HealthFailed("health check failed: java.io.IOException: disk full \u00e9\u20ac"),
				new Reply(CsError.OK), new Reply(CsError.TOO_BIG), new Message.QuorumState(true),
				new Message.QuorumState(false),
				new Welcome(3, Signals.SIGTERM, 1L, null,
						List.of(new Recovery(Instant.ofEpochMilli(1_700_000_000_000L), 2, 77L,
								Recovery.Reason.HC_TIMEOUT, 143, Recovery.Action.RESTART,
								java.time.Duration.ofMillis(2500), "/tmp/dumps/instance-2.txt",
								"exit status 75 always restarts")),
						new RecoveryTotals(1, Map.of(Recovery.Reason.HC_TIMEOUT, 1L),
								java.time.Duration.ofMillis(2500))),
				new Message.RestartRequest(),
				new Message.Settings(TOKEN, 4242L, "interval=2000000000\n".getBytes(StandardCharsets.UTF_8)),
				new Message.Settings(TOKEN, 1L, new byte[0]), new Message.Detach(TOKEN, 4242L, "sam.enabled is false"),
				new Message.SettingsAnswer(CsError.OK, "settings taken"),
				new Message.SettingsAnswer(CsError.LIBRARY, "Cannot reach corosync: connection refused"));
	}

	private static RecoveryTotals everyReasonTotals() {
		Map<Recovery.Reason, Long> counts = new java.util.EnumMap<>(Recovery.Reason.class);
		for (Recovery.Reason reason : Recovery.Reason.values()) {
			counts.put(reason, 1000L + reason.ordinal());
		}
		return new RecoveryTotals(40_000, counts, java.time.Duration.ofHours(3));
	}

	@Test
	void roundTripCasesCoverEveryMessageType() {
		Set<Message.Type> covered = everyMessage().map((message) -> Message.Type.fromCode(encode(message)[4]))
			.collect(Collectors.toCollection(() -> EnumSet.noneOf(Message.Type.class)));
		assertThat(covered).containsExactlyInAnyOrder(Message.Type.values());
	}

	@ParameterizedTest
	@MethodSource("everyMessage")
	void everyMessageTypeRoundTrips(Message message) throws MalformedFrameException {
		ByteBuffer frame = Codec.encode(message);
		assertThat(frame.getInt(0)).isEqualTo(frame.remaining() - FrameDecoder.HEADER_BYTES);
		Message decoded = Codec.decode(frame.position(FrameDecoder.HEADER_BYTES).slice());
		assertThat(decoded).isInstanceOf(message.getClass()).usingRecursiveComparison().isEqualTo(message);
	}

	@ParameterizedTest
	@EnumSource(CsError.class)
	void replyRoundTripsEveryError(CsError error) throws MalformedFrameException {
		assertThat(decode(body(encode(new Reply(error))))).isEqualTo(new Reply(error));
	}

	@Test
	void welcomeCarriesAFullRecoveryHistory() throws MalformedFrameException {
		List<Recovery> recoveries = Stream.iterate(1, (i) -> i + 1)
			.limit(Supervisor.RECOVERIES_KEPT)
			.map((i) -> new Recovery(Instant.ofEpochMilli(i), i, i, Recovery.Reason.KILLED, 137,
					Recovery.Action.RESTART))
			.toList();
		Welcome welcome = new Welcome(33, Signals.SIGTERM, 1, new byte[SamOptions.DEFAULT_DATA_MAX_SIZE], recoveries,
				everyReasonTotals());
		byte[] frame = encode(welcome);
		assertThat(frame.length).isLessThanOrEqualTo(Codec.maxFrameBytes(SamOptions.DEFAULT_DATA_MAX_SIZE));
		Welcome decoded = (Welcome) decode(body(frame));
		assertThat(decoded.data()).isEqualTo(welcome.data());
		assertThat(decoded.recoveries()).isEqualTo(recoveries);
		assertThat(decoded.instanceId()).isEqualTo(33);
	}

	@Test
	void healthDetailIsCutToTheLimitWithoutBreakingACharacter() throws MalformedFrameException {
		HealthFailed long3ByteCharacters = new HealthFailed("\u20ac".repeat(2000));
		HealthFailed decoded = (HealthFailed) decode(body(encode(long3ByteCharacters)));
		assertThat(decoded.detail()).isEqualTo("\u20ac".repeat(1024 / 3));
	}

	static Stream<Arguments> malformedBodies() {
		byte hello = Message.Type.HELLO.code();
		byte welcome = Message.Type.WELCOME.code();
		byte dataStore = Message.Type.DATA_STORE.code();
		byte healthFailed = Message.Type.HEALTH_FAILED.code();
		byte reply = Message.Type.REPLY.code();
		return Stream.of(Arguments.of("empty body", new byte[0]), Arguments.of("type 0", new byte[] { 0 }),
				Arguments.of("type after the last", new byte[] { (byte) (Message.Type.values().length + 1) }),
				Arguments.of("type 255", new byte[] { (byte) 0xff, 1, 2 }),
				Arguments.of("hello without version", bytes(hello, new byte[2])),
				Arguments.of("hello without pid", bytes(hello, intBytes(Codec.PROTOCOL_VERSION), TOKEN)),
				Arguments.of("hello with a short token", bytes(hello, intBytes(Codec.PROTOCOL_VERSION), new byte[10])),
				Arguments.of("hello with a byte too many",
						bytes(hello, intBytes(Codec.PROTOCOL_VERSION), TOKEN, longBytes(1), new byte[1])),
				Arguments.of("heartbeat with a payload", new byte[] { Message.Type.HEARTBEAT.code(), 0 }),
				Arguments.of("stop with a payload", new byte[] { Message.Type.STOP.code(), 1, 2, 3, 4 }),
				Arguments.of("data length -2", bytes(dataStore, intBytes(-2))),
				Arguments.of("data length MIN_VALUE", bytes(dataStore, intBytes(Integer.MIN_VALUE))),
				Arguments.of("data length beyond the frame", bytes(dataStore, intBytes(100), new byte[3])),
				Arguments.of("data length MAX_VALUE", bytes(dataStore, intBytes(Integer.MAX_VALUE), new byte[3])),
				Arguments.of("data with a byte too many", bytes(dataStore, intBytes(1), new byte[2])),
				Arguments.of("data without length", new byte[] { dataStore, 0, 0 }),
				Arguments.of("warn signal cut short", new byte[] { Message.Type.WARN_SIGNAL_SET.code(), 0, 0 }),
				Arguments.of("health detail null", bytes(healthFailed, intBytes(-1))),
				Arguments.of("health detail too long", bytes(healthFailed, intBytes(1025), new byte[1025])),
				Arguments.of("reply code 0", bytes(reply, intBytes(0))),
				Arguments.of("reply code 29", bytes(reply, intBytes(29))),
				Arguments.of("reply code -1", bytes(reply, intBytes(-1))),
				Arguments.of("reply cut short", new byte[] { reply, 0 }),
				Arguments.of("welcome recovery count -1", welcomeWith(intBytes(-1))),
				Arguments.of("welcome recovery count 257", welcomeWith(intBytes(257))),
				Arguments.of("welcome recovery count MAX_VALUE", welcomeWith(intBytes(Integer.MAX_VALUE))),
				Arguments.of("welcome recovery count above what follows", welcomeWith(intBytes(2), recovery(0, 0))),
				Arguments.of("welcome recovery reason unknown", welcomeWith(intBytes(1), recovery(99, 1))),
				Arguments.of("welcome recovery reason 0", welcomeWith(intBytes(1), recovery(0, 1))),
				Arguments.of("welcome recovery reason negative", welcomeWith(intBytes(1), recovery(-1, 0))),
				Arguments.of("welcome recovery action unknown", welcomeWith(intBytes(1), recovery(1, 3))),
				Arguments.of("welcome recovery action 0", welcomeWith(intBytes(1), recovery(1, 0))),
				Arguments.of("welcome cut in the header", new byte[] { welcome, 0, 0, 0, 1, 0 }));
	}

	@Test
	void helloOfAnotherProtocolVersionDecodesToItsVersionAlone() throws MalformedFrameException {
		byte[] newer = bytes(Message.Type.HELLO.code(), intBytes(Codec.PROTOCOL_VERSION + 1), new byte[3]);
		Hello hello = (Hello) decode(newer);
		assertThat(hello.version()).isEqualTo(Codec.PROTOCOL_VERSION + 1);
		assertThat(hello.token()).isNull();
		byte[] unversioned = bytes(Message.Type.HELLO.code(), TOKEN, longBytes(12345));
		assertThat(((Hello) decode(unversioned)).version()).as("the first bytes of a token")
			.isNotEqualTo(Codec.PROTOCOL_VERSION);
	}

	@Test
	void settingsOfAnotherProtocolVersionDecodeToTheirVersionAlone() throws MalformedFrameException {
		byte[] newer = bytes(Message.Type.SETTINGS.code(), intBytes(Codec.PROTOCOL_VERSION + 1), new byte[5]);
		Message.Settings settings = (Message.Settings) decode(newer);
		assertThat(settings.version()).isEqualTo(Codec.PROTOCOL_VERSION + 1);
		assertThat(settings.token()).isNull();
		assertThat(settings.settings()).isNull();
	}

	@Test
	void settingsLongerThanTheLimitAreMalformed() {
		byte[] body = bytes(Message.Type.SETTINGS.code(), intBytes(Codec.PROTOCOL_VERSION), TOKEN, longBytes(1),
				intBytes(Codec.MAX_SETTINGS_BYTES + 1), new byte[Codec.MAX_SETTINGS_BYTES + 1]);
		assertThatExceptionOfType(MalformedFrameException.class).isThrownBy(() -> decode(body))
			.withMessageContaining("settings");
	}

	@Test
	void wireCodesAreFixedNumbersNotTheOrderOfTheEnums() {
		assertThat(Arrays.stream(Message.Type.values()).map(Message.Type::code)).containsExactly((byte) 1, (byte) 2,
				(byte) 3, (byte) 4, (byte) 5, (byte) 6, (byte) 7, (byte) 8, (byte) 9, (byte) 10, (byte) 11, (byte) 12,
				(byte) 13, (byte) 14, (byte) 15);
		assertThat(Arrays.stream(Recovery.Reason.values()).map((reason) -> reason.value() + "=" + reason.code()))
			.containsExactly("hc-timeout=1", "unhealthy=2", "quorum-lost=3", "exited=4", "killed=5", "marked-failed=6",
					"startup-timeout=7", "start-failed=8", "requested=9");
		assertThat(Recovery.Action.RESTART.code()).isEqualTo(1);
		assertThat(Recovery.Action.QUIT.code()).isEqualTo(2);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("malformedBodies")
	void malformedBodyIsAMalformedFrame(String description, byte[] body) {
		assertThatExceptionOfType(MalformedFrameException.class).isThrownBy(() -> decode(body));
	}

	@Test
	void messageDecodedFromAFrameCopiesItsBytes() throws MalformedFrameException {
		byte[] body = body(encode(new DataStore(new byte[] { 1, 2, 3 })));
		DataStore decoded = (DataStore) decode(body);
		Arrays.fill(body, (byte) 0);
		assertThat(decoded.data()).containsExactly(1, 2, 3);
	}

	private static Message decode(byte[] body) throws MalformedFrameException {
		return Codec.decode(ByteBuffer.wrap(body));
	}

	private static byte[] welcomeWith(byte[]... tail) {
		byte[] head = bytes(Message.Type.WELCOME.code(), intBytes(1), intBytes(15), longBytes(77), intBytes(-1));
		byte[] joined = head;
		for (byte[] part : tail) {
			joined = FuzzedFrames.concat(joined, part);
		}
		return joined;
	}

	private static byte[] recovery(int reason, int action) {
		return ByteBuffer.allocate(26)
			.putLong(0)
			.putInt(1)
			.putLong(2)
			.put((byte) reason)
			.putInt(137)
			.put((byte) action)
			.array();
	}

	private static byte[] bytes(byte type, byte[]... parts) {
		byte[] joined = { type };
		for (byte[] part : parts) {
			joined = FuzzedFrames.concat(joined, part);
		}
		return joined;
	}

	private static byte[] intBytes(int value) {
		return ByteBuffer.allocate(4).putInt(value).array();
	}

	private static byte[] longBytes(long value) {
		return ByteBuffer.allocate(8).putLong(value).array();
	}

}
