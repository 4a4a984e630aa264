package dev.samboot.sam.internal.channel;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

import dev.samboot.sam.internal.channel.FuzzedFrames.Kind;
import dev.samboot.sam.internal.channel.Message.DataStore;
import dev.samboot.sam.internal.channel.Message.Heartbeat;
import dev.samboot.sam.internal.channel.Message.Start;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.samboot.sam.internal.channel.FuzzedFrames.concat;
import static dev.samboot.sam.internal.channel.FuzzedFrames.encode;
import static dev.samboot.sam.internal.channel.FuzzedFrames.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * How a byte stream is cut into frames, and that nothing a peer sends makes the decoder
 * or the codec throw anything but {@link MalformedFrameException}.
 */
class FrameDecoderTests {

	/** The frame limit for 1 KiB of stored data. */
	private static final int LIMIT = 1024 + Codec.OVERHEAD_BYTES;

	private static final int FUZZED_FRAMES = 1_000_000;

	private final FrameDecoder decoder = new FrameDecoder(LIMIT);

	@Test
	void completeFrameComesOutPositionedAtItsTypeByte() throws MalformedFrameException {
		ByteBuffer in = ByteBuffer.wrap(encode(new DataStore(new byte[] { 9, 8 })));
		ByteBuffer frame = this.decoder.next(in);
		assertThat(frame.position()).isZero();
		assertThat(frame.get(0)).isEqualTo(Message.Type.DATA_STORE.code());
		assertThat(frame.remaining()).isEqualTo(1 + 4 + 2);
		assertThat(in.hasRemaining()).isFalse();
		assertThat(this.decoder.inFrame()).isFalse();
	}

	@Test
	void truncatedFrameWaitsForEveryMissingByte() throws MalformedFrameException {
		byte[] bytes = encode(new DataStore(new byte[100]));
		for (int i = 0; i < bytes.length - 1; i++) {
			assertThat(this.decoder.next(ByteBuffer.wrap(bytes, i, 1))).as("after %d bytes", i + 1).isNull();
			assertThat(this.decoder.inFrame()).isTrue();
		}
		ByteBuffer frame = this.decoder.next(ByteBuffer.wrap(bytes, bytes.length - 1, 1));
		assertThat(Codec.decode(frame)).isInstanceOf(DataStore.class);
		assertThat(this.decoder.inFrame()).isFalse();
	}

	@Test
	void emptyReadLeavesNothingStarted() throws MalformedFrameException {
		assertThat(this.decoder.next(ByteBuffer.allocate(0))).isNull();
		assertThat(this.decoder.inFrame()).isFalse();
	}

	@Test
	void framesInOneReadComeOutOneAtATimeAndTheRestWaits() throws MalformedFrameException {
		byte[] third = encode(new DataStore(new byte[] { 1, 2, 3 }));
		ByteBuffer in = ByteBuffer
			.wrap(concat(concat(encode(new Heartbeat()), encode(new Start())), Arrays.copyOf(third, 6)));
		assertThat(Codec.decode(this.decoder.next(in))).isInstanceOf(Heartbeat.class);
		assertThat(Codec.decode(this.decoder.next(in))).isInstanceOf(Start.class);
		assertThat(this.decoder.next(in)).isNull();
		assertThat(in.hasRemaining()).isFalse();
		ByteBuffer frame = this.decoder.next(ByteBuffer.wrap(third, 6, third.length - 6));
		assertThat(((DataStore) Codec.decode(frame)).data()).containsExactly(1, 2, 3);
	}

	@ParameterizedTest
	@ValueSource(ints = { LIMIT + 1, 100_000_000, Integer.MAX_VALUE })
	void lengthAboveTheLimitIsRefusedFromTheHeaderAlone(int length) {
		ByteBuffer onlyTheHeader = ByteBuffer.wrap(header(length));
		assertThatExceptionOfType(MalformedFrameException.class).isThrownBy(() -> this.decoder.next(onlyTheHeader))
			.withMessageContaining("frame length " + length);
		assertThat(onlyTheHeader.hasRemaining()).isFalse();
	}

	@Test
	void lengthAboveTheLimitLeavesTheBodyUnread() {
		ByteBuffer in = ByteBuffer.wrap(concat(header(LIMIT + 1), new byte[1000]));
		assertThatExceptionOfType(MalformedFrameException.class).isThrownBy(() -> this.decoder.next(in));
		assertThat(in.position()).isEqualTo(FrameDecoder.HEADER_BYTES);
	}

	@Test
	void lengthAboveTheLimitIsRefusedWhenTheHeaderArrivesInPieces() throws MalformedFrameException {
		byte[] header = header(Integer.MAX_VALUE);
		for (int i = 0; i < 3; i++) {
			assertThat(this.decoder.next(ByteBuffer.wrap(header, i, 1))).isNull();
		}
		assertThatExceptionOfType(MalformedFrameException.class)
			.isThrownBy(() -> this.decoder.next(ByteBuffer.wrap(header, 3, 1)));
	}

	@ParameterizedTest
	@ValueSource(ints = { 0, -1, Integer.MIN_VALUE })
	void lengthOfZeroOrLessIsRefused(int length) {
		assertThatExceptionOfType(MalformedFrameException.class)
			.isThrownBy(() -> this.decoder.next(ByteBuffer.wrap(header(length))));
	}

	@Test
	void lengthAtTheLimitIsAccepted() throws MalformedFrameException {
		byte[] body = new byte[LIMIT];
		body[0] = Message.Type.HEARTBEAT.code();
		assertThat(this.decoder.next(ByteBuffer.wrap(concat(header(LIMIT), body))).remaining()).isEqualTo(LIMIT);
	}

	/**
	 * A million frames of every {@link Kind}, from a fixed seed ({@code -Dsam.fuzz.seed}
	 * replays another), fed in random pieces: each is decoded, refused with a
	 * {@link MalformedFrameException}, or waits for bytes that never come. Well-formed
	 * frames must decode to a message that encodes to the same bytes. It runs on a thread
	 * of its own because every refusal fills in a stack trace, and the test runner's
	 * stack is deep.
	 */
	@Test
	@Timeout(60)
	void millionFuzzedFramesOnlyEverRaiseMalformedFrameException() throws Exception {
		long seed = Long.getLong("sam.fuzz.seed", 0x5a3b007L);
		long started = System.nanoTime();
		FutureTask<Map<Kind, int[]>> fuzzing = new FutureTask<>(() -> fuzz(seed));
		new Thread(fuzzing, "frame-fuzz").start();
		Map<Kind, int[]> outcomes;
		try {
			outcomes = fuzzing.get();
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof AssertionError failure) {
				throw failure;
			}
			throw ex;
		}
		long millis = (System.nanoTime() - started) / 1_000_000;
		int[] totals = new int[3];
		outcomes.values().forEach((counts) -> Arrays.setAll(totals, (j) -> totals[j] + counts[j]));
		System.out.printf("fuzz: %d frames in %d ms (seed %d): %d decoded, %d malformed, %d incomplete%n",
				FUZZED_FRAMES, millis, seed, totals[0], totals[1], totals[2]);
		assertThat(outcomes).containsOnlyKeys(Kind.values());
		assertThat(outcomes.get(Kind.VALID)).containsExactly(outcomes.get(Kind.VALID)[0], 0, 0);
		assertThat(outcomes.get(Kind.OVERSIZED)[1]).isEqualTo(Arrays.stream(outcomes.get(Kind.OVERSIZED)).sum());
		assertThat(outcomes.get(Kind.CUT_OFF)[2]).isPositive();
		assertThat(totals[1]).isGreaterThan(FUZZED_FRAMES / 2);
	}

	/** Count, per kind, how many frames were decoded, malformed and incomplete. */
	private static Map<Kind, int[]> fuzz(long seed) {
		FuzzedFrames fuzz = new FuzzedFrames(seed, LIMIT);
		Map<Kind, int[]> outcomes = new EnumMap<>(Kind.class);
		for (int i = 0; i < FUZZED_FRAMES; i++) {
			FuzzedFrames.Frame frame = fuzz.frame();
			int outcome;
			try {
				outcome = feed(frame.bytes(), fuzz, frame.kind());
			}
			catch (Throwable ex) {
				throw new AssertionError("frame " + i + " (" + frame.kind() + ", seed " + seed + ") threw " + ex + ": "
						+ HexFormat.of().formatHex(frame.bytes()), ex);
			}
			outcomes.computeIfAbsent(frame.kind(), (k) -> new int[3])[outcome]++;
		}
		return outcomes;
	}

	/**
	 * Feed a frame in random pieces: 0 decoded, 1 malformed, 2 still waiting for bytes.
	 */
	private static int feed(byte[] bytes, FuzzedFrames fuzz, Kind kind) {
		FrameDecoder decoder = new FrameDecoder(LIMIT);
		ByteBuffer in = ByteBuffer.wrap(bytes);
		try {
			while (in.hasRemaining()) {
				int piece = 1 + fuzz.random().nextInt(in.remaining());
				ByteBuffer chunk = in.slice(in.position(), piece);
				in.position(in.position() + piece);
				ByteBuffer frame;
				while ((frame = decoder.next(chunk)) != null) {
					Message message = Codec.decode(frame);
					if (kind == Kind.VALID && !Arrays.equals(encode(message), bytes)) {
						throw new AssertionError("decoded " + message + " encodes to other bytes");
					}
					if (chunk.hasRemaining() || in.hasRemaining()) {
						throw new AssertionError("bytes left after the frame");
					}
					return 0;
				}
			}
			return 2;
		}
		catch (MalformedFrameException ex) {
			return 1;
		}
	}

}
