package dev.samboot.sam.internal.channel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * Splits a byte stream into frames: a 4-byte big-endian length, then that many bytes (a
 * type byte and the payload). A length above the limit is refused as soon as its four
 * bytes are in, before any of the payload is read or memory is set aside for it.
 */
public final class FrameDecoder {

	static final int HEADER_BYTES = 4;

	private final int maxFrameBytes;

	private final ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);

	private ByteBuffer body;

	public FrameDecoder(int maxFrameBytes) {
		this.maxFrameBytes = maxFrameBytes;
	}

	/**
	 * Consume bytes from {@code in} until one frame is complete or {@code in} is empty.
	 * @param in bytes received
	 * @return the complete frame (type byte and payload, positioned at 0), or
	 * {@code null} if more bytes are needed
	 * @throws MalformedFrameException if the length is zero, negative or above the limit
	 */
	public ByteBuffer next(ByteBuffer in) throws MalformedFrameException {
		if (this.body == null) {
			while (this.header.hasRemaining() && in.hasRemaining()) {
				this.header.put(in.get());
			}
			if (this.header.hasRemaining()) {
				return null;
			}
			int length = this.header.getInt(0);
			if (length < 1 || length > this.maxFrameBytes) {
				throw new MalformedFrameException(
						"frame length " + length + " outside 1-" + this.maxFrameBytes + " bytes");
			}
			this.body = ByteBuffer.allocate(length);
		}
		int take = Math.min(in.remaining(), this.body.remaining());
		ByteBuffer slice = in.duplicate();
		slice.limit(slice.position() + take);
		this.body.put(slice);
		in.position(in.position() + take);
		if (this.body.hasRemaining()) {
			return null;
		}
		ByteBuffer frame = this.body.flip();
		this.body = null;
		this.header.clear();
		return frame;
	}

	/**
	 * Read one message from a blocking channel that carries one frame each way (the
	 * settings connection).
	 * @param channel the channel
	 * @param maxFrameBytes the largest frame to accept
	 * @return the message
	 * @throws IOException if the channel fails or ends before a whole frame
	 * @throws MalformedFrameException if the frame breaks the rules
	 */
	public static Message readMessage(ReadableByteChannel channel, int maxFrameBytes)
			throws IOException, MalformedFrameException {
		FrameDecoder decoder = new FrameDecoder(maxFrameBytes);
		ByteBuffer chunk = ByteBuffer.allocate(8192);
		while (true) {
			chunk.clear();
			if (channel.read(chunk) < 0) {
				throw new IOException("the connection ended before a whole frame");
			}
			chunk.flip();
			ByteBuffer frame = decoder.next(chunk);
			if (frame != null) {
				return Codec.decode(frame);
			}
		}
	}

	/**
	 * Whether a frame has been started but not finished.
	 * @return whether bytes of an incomplete frame are held
	 */
	boolean inFrame() {
		return this.body != null || this.header.position() > 0;
	}

}
