package dev.samboot.sam.internal.channel;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import dev.samboot.sam.CsError;
import dev.samboot.sam.Recovery;
import dev.samboot.sam.RecoveryTotals;
import dev.samboot.sam.internal.channel.Message.DataStore;
import dev.samboot.sam.internal.channel.Message.HealthFailed;
import dev.samboot.sam.internal.channel.Message.Heartbeat;
import dev.samboot.sam.internal.channel.Message.Hello;
import dev.samboot.sam.internal.channel.Message.MarkFailed;
import dev.samboot.sam.internal.channel.Message.Reply;
import dev.samboot.sam.internal.channel.Message.RestartRequest;
import dev.samboot.sam.internal.channel.Message.Start;
import dev.samboot.sam.internal.channel.Message.Stop;
import dev.samboot.sam.internal.channel.Message.WarnSignalSet;
import dev.samboot.sam.internal.channel.Message.Welcome;

/**
 * Random messages and random, damaged and hostile frames, from a seed so that a failure
 * can be replayed: for the decoder and codec fuzz test and for flooding the supervisor's
 * socket.
 */
final class FuzzedFrames {

	/** What a generated frame is. */
	enum Kind {

		/** A well-formed frame of a random message. */
		VALID,

		/** A well-formed frame with a few bytes of its body changed. */
		FLIPPED,

		/**
		 * A well-formed frame with its body cut short and the length adjusted to match.
		 */
		SHORTENED,

		/**
		 * A well-formed frame with random bytes appended and the length adjusted to
		 * match.
		 */
		LENGTHENED,

		/** A known type byte followed by random bytes. */
		RANDOM_BODY,

		/** A type byte no message has. */
		UNKNOWN_TYPE,

		/** A length above the limit, with a little of the body it announces. */
		OVERSIZED,

		/** A length of zero or below. */
		NON_POSITIVE_LENGTH,

		/** A frame whose length promises more bytes than ever arrive. */
		CUT_OFF,

		/** A frame whose embedded byte-array length or count is extreme. */
		HOSTILE_LENGTH

	}

	private static final int[] EXTREME_INTS = { -1, -2, 0, 1, 255, 256, 257, 1023, 1024, 1025, 65_536,
			Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE - 3 };

	private final Random random;

	private final int maxFrameBytes;

	FuzzedFrames(long seed, int maxFrameBytes) {
		this.random = new Random(seed);
		this.maxFrameBytes = maxFrameBytes;
	}

	Random random() {
		return this.random;
	}

	/**
	 * Return a random message of any type, with random field values.
	 * @return the message
	 */
	Message message() {
		Message.Type[] types = Message.Type.values();
		return switch (types[this.random.nextInt(types.length)]) {
			case HELLO -> new Hello(bytes(Codec.TOKEN_BYTES), this.random.nextLong());
			case WELCOME -> new Welcome(this.random.nextInt(), this.random.nextInt(), this.random.nextLong(),
					maybeBytes(64), recoveries(this.random.nextInt(4)),
					new RecoveryTotals(this.random.nextInt(Integer.MAX_VALUE),
							Map.of(Recovery.Reason.values()[this.random.nextInt(Recovery.Reason.values().length)],
									(long) this.random.nextInt(Integer.MAX_VALUE)),
							Duration.ofMillis(this.random.nextInt(Integer.MAX_VALUE))));
			case RESTART_REQUEST -> new RestartRequest();
			case HEARTBEAT -> new Heartbeat();
			case START -> new Start();
			case STOP -> new Stop();
			case DATA_STORE -> new DataStore(maybeBytes(64));
			case WARN_SIGNAL_SET -> new WarnSignalSet(this.random.nextInt());
			case MARK_FAILED -> new MarkFailed();
			case HEALTH_FAILED -> new HealthFailed(text(this.random.nextInt(48)));
			case REPLY -> new Reply(CsError.values()[this.random.nextInt(CsError.values().length)]);
			case QUORUM_STATE -> new Message.QuorumState(this.random.nextBoolean());
			case SETTINGS -> new Message.Settings(bytes(Codec.TOKEN_BYTES), this.random.nextLong(), bytes(64));
			case DETACH ->
				new Message.Detach(bytes(Codec.TOKEN_BYTES), this.random.nextLong(), text(this.random.nextInt(48)));
			case SETTINGS_ANSWER -> new Message.SettingsAnswer(
					CsError.values()[this.random.nextInt(CsError.values().length)], text(this.random.nextInt(48)));
		};
	}

	/**
	 * A generated frame.
	 *
	 * @param kind what it is
	 * @param bytes its bytes, length header included
	 */
	record Frame(Kind kind, byte[] bytes) {
	}

	/**
	 * Return a frame of a random kind.
	 * @return the frame
	 */
	Frame frame() {
		Kind kind = Kind.values()[this.random.nextInt(Kind.values().length)];
		return new Frame(kind, frame(kind));
	}

	/**
	 * Return a frame of the given kind.
	 * @param kind the kind
	 * @return the frame's bytes, length header included
	 */
	byte[] frame(Kind kind) {
		return switch (kind) {
			case VALID -> encode(message());
			case FLIPPED -> flipped(encode(message()));
			case SHORTENED -> shortened(encode(message()));
			case LENGTHENED -> withHeader(concat(body(encode(message())), bytes(1 + this.random.nextInt(16))));
			case RANDOM_BODY -> withHeader(concat(new byte[] { knownType() }, bytes(this.random.nextInt(80))));
			case UNKNOWN_TYPE -> withHeader(concat(new byte[] { unknownType() }, bytes(this.random.nextInt(16))));
			case OVERSIZED ->
				concat(header(this.maxFrameBytes + 1 + this.random.nextInt(Integer.MAX_VALUE - this.maxFrameBytes)),
						bytes(this.random.nextInt(32)));
			case NON_POSITIVE_LENGTH -> concat(header(-this.random.nextInt(Integer.MAX_VALUE)), bytes(8));
			case CUT_OFF -> cutOff(encode(message()));
			case HOSTILE_LENGTH -> hostile();
		};
	}

	static byte[] encode(Message message) {
		ByteBuffer frame = Codec.encode(message);
		byte[] bytes = new byte[frame.remaining()];
		frame.get(bytes);
		return bytes;
	}

	static byte[] header(int length) {
		return ByteBuffer.allocate(FrameDecoder.HEADER_BYTES).putInt(length).array();
	}

	static byte[] withHeader(byte[] body) {
		return concat(header(body.length), body);
	}

	static byte[] body(byte[] frame) {
		byte[] body = new byte[frame.length - FrameDecoder.HEADER_BYTES];
		System.arraycopy(frame, FrameDecoder.HEADER_BYTES, body, 0, body.length);
		return body;
	}

	static byte[] concat(byte[] first, byte[] second) {
		byte[] joined = new byte[first.length + second.length];
		System.arraycopy(first, 0, joined, 0, first.length);
		System.arraycopy(second, 0, joined, first.length, second.length);
		return joined;
	}

	private byte[] flipped(byte[] frame) {
		int flips = 1 + this.random.nextInt(3);
		for (int i = 0; i < flips; i++) {
			int at = FrameDecoder.HEADER_BYTES + this.random.nextInt(frame.length - FrameDecoder.HEADER_BYTES);
			frame[at] ^= (byte) (1 + this.random.nextInt(255));
		}
		return frame;
	}

	private byte[] shortened(byte[] frame) {
		byte[] body = body(frame);
		if (body.length == 1) {
			return frame;
		}
		byte[] cut = new byte[1 + this.random.nextInt(body.length - 1)];
		System.arraycopy(body, 0, cut, 0, cut.length);
		return withHeader(cut);
	}

	private byte[] cutOff(byte[] frame) {
		byte[] cut = new byte[this.random.nextInt(frame.length)];
		System.arraycopy(frame, 0, cut, 0, cut.length);
		return cut;
	}

	/**
	 * A type byte that carries a byte array or a count, followed by an extreme length and
	 * some bytes.
	 */
	private byte[] hostile() {
		Message.Type type = switch (this.random.nextInt(3)) {
			case 0 -> Message.Type.DATA_STORE;
			case 1 -> Message.Type.HEALTH_FAILED;
			default -> Message.Type.WELCOME;
		};
		ByteBuffer body = ByteBuffer.allocate(1 + 16 + 4 + 4 + 64);
		body.put(type.code());
		if (type == Message.Type.WELCOME) {
			body.putInt(this.random.nextInt()).putInt(this.random.nextInt()).putLong(this.random.nextLong());
			body.putInt(this.random.nextBoolean() ? -1 : this.random.nextInt(8));
		}
		body.putInt(EXTREME_INTS[this.random.nextInt(EXTREME_INTS.length)]);
		body.put(bytes(this.random.nextInt(body.remaining() + 1)));
		byte[] bytes = new byte[body.position()];
		body.flip().get(bytes);
		return withHeader(bytes);
	}

	private byte knownType() {
		return Message.Type.values()[this.random.nextInt(Message.Type.values().length)].code();
	}

	private byte unknownType() {
		int known = Message.Type.values().length;
		return (byte) (this.random.nextBoolean() ? 0 : known + 1 + this.random.nextInt(256 - known - 1));
	}

	private byte[] bytes(int length) {
		byte[] bytes = new byte[length];
		this.random.nextBytes(bytes);
		return bytes;
	}

	private byte[] maybeBytes(int max) {
		return this.random.nextInt(4) == 0 ? null : bytes(this.random.nextInt(max));
	}

	private String text(int length) {
		StringBuilder text = new StringBuilder(length);
		for (int i = 0; i < length; i++) {
			text.append((char) ((this.random.nextInt(8) == 0) ? 0x100 + this.random.nextInt(0x2000)
					: ' ' + this.random.nextInt(95)));
		}
		return text.toString();
	}

	private List<Recovery> recoveries(int count) {
		List<Recovery> recoveries = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			recoveries.add(new Recovery(Instant.ofEpochMilli(this.random.nextLong()), this.random.nextInt(),
					this.random.nextLong(),
					Recovery.Reason.values()[this.random.nextInt(Recovery.Reason.values().length)],
					this.random.nextInt(),
					Recovery.Action.values()[this.random.nextInt(Recovery.Action.values().length)]));
		}
		return List.copyOf(recoveries);
	}

}
