package dev.samboot.sam.internal.channel;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import dev.samboot.sam.CsError;
import dev.samboot.sam.Recovery;
import dev.samboot.sam.RecoveryTotals;
import dev.samboot.sam.internal.channel.Message.DataStore;
import dev.samboot.sam.internal.channel.Message.Detach;
import dev.samboot.sam.internal.channel.Message.HealthFailed;
import dev.samboot.sam.internal.channel.Message.Heartbeat;
import dev.samboot.sam.internal.channel.Message.Hello;
import dev.samboot.sam.internal.channel.Message.MarkFailed;
import dev.samboot.sam.internal.channel.Message.QuorumState;
import dev.samboot.sam.internal.channel.Message.Reply;
import dev.samboot.sam.internal.channel.Message.RestartRequest;
import dev.samboot.sam.internal.channel.Message.Settings;
import dev.samboot.sam.internal.channel.Message.SettingsAnswer;
import dev.samboot.sam.internal.channel.Message.Start;
import dev.samboot.sam.internal.channel.Message.Stop;
import dev.samboot.sam.internal.channel.Message.Type;
import dev.samboot.sam.internal.channel.Message.WarnSignalSet;
import dev.samboot.sam.internal.channel.Message.Welcome;

/**
 * Turns {@link Message}s into frames and frames back into messages. Every field is
 * checked while decoding: a payload that is short, long, or out of range is a
 * {@link MalformedFrameException}.
 */
public final class Codec {

	public static final int TOKEN_BYTES = 32;

	/**
	 * The channel's protocol, in every {@link Hello}: an instance from another samboot
	 * jar than its supervisor's (the jar was replaced while the supervisor ran) is
	 * refused by name rather than misread. 1 was the protocol before versions; 2 numbers
	 * every enum explicitly.
	 */
	public static final int PROTOCOL_VERSION = 3;

	/**
	 * Frame overhead beyond user data: type, flags, lengths, and the recovery history.
	 */
	static final int OVERHEAD_BYTES = 64 * 1024;

	private static final int MAX_DECODED_RECOVERIES = 256;

	private static final int MAX_TEXT_BYTES = 1024;

	private static final int MAX_RECOVERY_TEXT_BYTES = 512;

	/** The largest settings frame: a handoff is a few kilobytes. */
	public static final int MAX_SETTINGS_BYTES = 256 * 1024;

	private Codec() {
	}

	/**
	 * Return the frame limit for a given stored-data limit.
	 * @param dataMaxSize the largest stored data
	 * @return the largest frame either side accepts
	 */
	public static int maxFrameBytes(int dataMaxSize) {
		return dataMaxSize + OVERHEAD_BYTES;
	}

	public static ByteBuffer encode(Message message) {
		Type type = typeOf(message);
		Writer out = new Writer();
		out.buffer.put(type.code());
		if (message instanceof Hello hello) {
			out.buffer.putInt(hello.version());
			out.buffer.put(hello.token());
			out.buffer.putLong(hello.pid());
		}
		else if (message instanceof Welcome welcome) {
			out.ensure(32 + length(welcome.data()));
			out.buffer.putInt(welcome.instanceId());
			out.buffer.putInt(welcome.warnSignal());
			out.buffer.putLong(welcome.supervisorPid());
			out.putBytes(welcome.data());
			out.buffer.putInt(welcome.recoveries().size());
			for (Recovery recovery : welcome.recoveries()) {
				out.ensure(64);
				out.buffer.putLong(recovery.time().toEpochMilli());
				out.buffer.putInt(recovery.instance());
				out.buffer.putLong(recovery.pid());
				out.buffer.put((byte) recovery.reason().code());
				out.buffer.putInt(recovery.exitStatus());
				out.buffer.put((byte) recovery.action().code());
				out.buffer.putLong(recovery.backoff().toMillis());
				byte[] dump = text(recovery.threadDump());
				byte[] detail = text(recovery.detail());
				out.ensure(8 + length(dump) + length(detail));
				out.putBytes(dump);
				out.putBytes(detail);
			}
			RecoveryTotals totals = welcome.totals();
			out.ensure(24 + 9 * totals.recoveries().size());
			out.buffer.putLong(totals.restarts());
			out.buffer.putLong(totals.backoff().toMillis());
			out.buffer.put((byte) totals.recoveries().size());
			totals.recoveries().forEach((reason, count) -> {
				out.buffer.put((byte) reason.code());
				out.buffer.putLong(count);
			});
		}
		else if (message instanceof DataStore store) {
			out.ensure(8 + length(store.data()));
			out.putBytes(store.data());
		}
		else if (message instanceof WarnSignalSet set) {
			out.buffer.putInt(set.signal());
		}
		else if (message instanceof HealthFailed failed) {
			byte[] text = truncate(failed.detail().getBytes(StandardCharsets.UTF_8));
			out.ensure(8 + text.length);
			out.putBytes(text);
		}
		else if (message instanceof Reply reply) {
			out.buffer.putInt(reply.error().code());
		}
		else if (message instanceof QuorumState state) {
			out.buffer.put((byte) (state.quorate() ? 1 : 0));
		}
		else if (message instanceof Settings settings) {
			out.ensure(64 + length(settings.settings()));
			out.buffer.putInt(settings.version());
			out.buffer.put(settings.token());
			out.buffer.putLong(settings.pid());
			out.putBytes(settings.settings());
		}
		else if (message instanceof Detach detach) {
			byte[] reason = truncate(detach.reason().getBytes(StandardCharsets.UTF_8));
			out.ensure(64 + reason.length);
			out.buffer.putInt(detach.version());
			out.buffer.put(detach.token());
			out.buffer.putLong(detach.pid());
			out.putBytes(reason);
		}
		else if (message instanceof SettingsAnswer answer) {
			byte[] detail = truncate(answer.detail().getBytes(StandardCharsets.UTF_8));
			out.ensure(16 + detail.length);
			out.buffer.putInt(answer.error().code());
			out.putBytes(detail);
		}
		return out.toFrame();
	}

	public static Message decode(ByteBuffer frame) throws MalformedFrameException {
		if (!frame.hasRemaining()) {
			throw new MalformedFrameException("empty frame");
		}
		Type type = Type.fromCode(frame.get());
		if (type == null) {
			throw new MalformedFrameException("unknown frame type " + frame.get(0));
		}
		try {
			Message message = decode(type, frame);
			if (frame.hasRemaining()) {
				throw new MalformedFrameException(frame.remaining() + " unexpected bytes after " + type);
			}
			return message;
		}
		catch (BufferUnderflowException ex) {
			throw new MalformedFrameException("truncated " + type + " frame");
		}
	}

	private static Message decode(Type type, ByteBuffer in) throws MalformedFrameException {
		switch (type) {
			case HELLO: {
				int version = in.getInt();
				if (version != PROTOCOL_VERSION) {
					// another version's layout: only the version is read, the supervisor
					// refuses it
					in.position(in.limit());
					return new Hello(version, null, -1);
				}
				byte[] token = new byte[TOKEN_BYTES];
				in.get(token);
				return new Hello(version, token, in.getLong());
			}
			case WELCOME: {
				int instanceId = in.getInt();
				int warnSignal = in.getInt();
				long supervisorPid = in.getLong();
				byte[] data = getBytes(in);
				int count = in.getInt();
				if (count < 0 || count > MAX_DECODED_RECOVERIES) {
					throw new MalformedFrameException("recovery count " + count);
				}
				List<Recovery> recoveries = new ArrayList<>(count);
				for (int i = 0; i < count; i++) {
					recoveries.add(getRecovery(in));
				}
				return new Welcome(instanceId, warnSignal, supervisorPid, data, List.copyOf(recoveries), getTotals(in));
			}
			case HEARTBEAT:
				return new Heartbeat();
			case START:
				return new Start();
			case STOP:
				return new Stop();
			case DATA_STORE:
				return new DataStore(getBytes(in));
			case WARN_SIGNAL_SET:
				return new WarnSignalSet(in.getInt());
			case MARK_FAILED:
				return new MarkFailed();
			case RESTART_REQUEST:
				return new RestartRequest();
			case HEALTH_FAILED: {
				byte[] text = getBytes(in);
				if (text == null || text.length > MAX_TEXT_BYTES) {
					throw new MalformedFrameException("health detail missing or too long");
				}
				return new HealthFailed(new String(text, StandardCharsets.UTF_8));
			}
			case REPLY: {
				int code = in.getInt();
				try {
					return new Reply(CsError.fromCode(code));
				}
				catch (IllegalArgumentException ex) {
					throw new MalformedFrameException("unknown error code " + code);
				}
			}
			case QUORUM_STATE: {
				byte quorate = in.get();
				if (quorate != 0 && quorate != 1) {
					throw new MalformedFrameException("quorum state " + quorate);
				}
				return new QuorumState(quorate == 1);
			}
			case SETTINGS: {
				int version = in.getInt();
				if (version != PROTOCOL_VERSION) {
					in.position(in.limit());
					return new Settings(version, null, -1, null);
				}
				byte[] token = new byte[TOKEN_BYTES];
				in.get(token);
				long pid = in.getLong();
				byte[] settings = getBytes(in);
				if (settings == null || settings.length > MAX_SETTINGS_BYTES) {
					throw new MalformedFrameException("settings missing or too long");
				}
				return new Settings(version, token, pid, settings);
			}
			case DETACH: {
				int version = in.getInt();
				if (version != PROTOCOL_VERSION) {
					in.position(in.limit());
					return new Detach(version, null, -1, "");
				}
				byte[] token = new byte[TOKEN_BYTES];
				in.get(token);
				long pid = in.getLong();
				String reason = string(getBytes(in));
				if (reason == null) {
					throw new MalformedFrameException("detach reason missing");
				}
				return new Detach(version, token, pid, reason);
			}
			case SETTINGS_ANSWER: {
				int code = in.getInt();
				String detail = string(getBytes(in));
				if (detail == null) {
					throw new MalformedFrameException("answer detail missing");
				}
				try {
					return new SettingsAnswer(CsError.fromCode(code), detail);
				}
				catch (IllegalArgumentException ex) {
					throw new MalformedFrameException("unknown error code " + code);
				}
			}
			default:
				throw new MalformedFrameException("unknown frame type " + type);
		}
	}

	private static RecoveryTotals getTotals(ByteBuffer in) throws MalformedFrameException {
		long restarts = in.getLong();
		long backoffMillis = in.getLong();
		int count = in.get();
		if (restarts < 0 || backoffMillis < 0 || count < 0 || count > Recovery.Reason.values().length) {
			throw new MalformedFrameException("bad recovery totals");
		}
		Map<Recovery.Reason, Long> recoveries = new EnumMap<>(Recovery.Reason.class);
		for (int i = 0; i < count; i++) {
			Recovery.Reason reason = Recovery.Reason.fromCode(in.get());
			long recovered = in.getLong();
			if (reason == null || recovered < 0 || recoveries.put(reason, recovered) != null) {
				throw new MalformedFrameException("bad recovery total");
			}
		}
		return new RecoveryTotals(restarts, recoveries, Duration.ofMillis(backoffMillis));
	}

	private static Recovery getRecovery(ByteBuffer in) throws MalformedFrameException {
		Instant time = Instant.ofEpochMilli(in.getLong());
		int instance = in.getInt();
		long pid = in.getLong();
		int reason = in.get();
		int exitStatus = in.getInt();
		int action = in.get();
		long backoffMillis = in.getLong();
		String dump = string(getBytes(in));
		String detail = string(getBytes(in));
		if (backoffMillis < 0) {
			throw new MalformedFrameException("negative backoff");
		}
		Recovery.Reason knownReason = Recovery.Reason.fromCode(reason);
		Recovery.Action knownAction = Recovery.Action.fromCode(action);
		if (knownReason == null || knownAction == null) {
			throw new MalformedFrameException("bad recovery entry");
		}
		return new Recovery(time, instance, pid, knownReason, exitStatus, knownAction, Duration.ofMillis(backoffMillis),
				dump, detail);
	}

	/**
	 * Recovery texts are short (a path, a reason), so 32 of them stay far below the frame
	 * limit.
	 */
	private static byte[] text(String text) {
		return (text != null) ? truncate(text.getBytes(StandardCharsets.UTF_8), MAX_RECOVERY_TEXT_BYTES) : null;
	}

	private static String string(byte[] bytes) throws MalformedFrameException {
		if (bytes != null && bytes.length > MAX_TEXT_BYTES) {
			throw new MalformedFrameException("text of " + bytes.length + " bytes");
		}
		return (bytes != null) ? new String(bytes, StandardCharsets.UTF_8) : null;
	}

	/** A byte array is written as a length (-1 for {@code null}) and the bytes. */
	private static byte[] getBytes(ByteBuffer in) throws MalformedFrameException {
		int length = in.getInt();
		if (length == -1) {
			return null;
		}
		if (length < 0 || length > in.remaining()) {
			throw new MalformedFrameException("byte array length " + length + " with " + in.remaining() + " left");
		}
		byte[] bytes = new byte[length];
		in.get(bytes);
		return bytes;
	}

	private static int length(byte[] bytes) {
		return (bytes != null) ? bytes.length : 0;
	}

	private static byte[] truncate(byte[] text) {
		return truncate(text, MAX_TEXT_BYTES);
	}

	private static byte[] truncate(byte[] text, int max) {
		if (text.length <= max) {
			return text;
		}
		byte[] cut = new byte[max];
		System.arraycopy(text, 0, cut, 0, max);
		return new String(cut, StandardCharsets.UTF_8).replace("\uFFFD", "").getBytes(StandardCharsets.UTF_8);
	}

	private static Type typeOf(Message message) {
		if (message instanceof Hello) {
			return Type.HELLO;
		}
		if (message instanceof Welcome) {
			return Type.WELCOME;
		}
		if (message instanceof Heartbeat) {
			return Type.HEARTBEAT;
		}
		if (message instanceof Start) {
			return Type.START;
		}
		if (message instanceof Stop) {
			return Type.STOP;
		}
		if (message instanceof DataStore) {
			return Type.DATA_STORE;
		}
		if (message instanceof WarnSignalSet) {
			return Type.WARN_SIGNAL_SET;
		}
		if (message instanceof MarkFailed) {
			return Type.MARK_FAILED;
		}
		if (message instanceof RestartRequest) {
			return Type.RESTART_REQUEST;
		}
		if (message instanceof HealthFailed) {
			return Type.HEALTH_FAILED;
		}
		if (message instanceof QuorumState) {
			return Type.QUORUM_STATE;
		}
		if (message instanceof Settings) {
			return Type.SETTINGS;
		}
		if (message instanceof Detach) {
			return Type.DETACH;
		}
		if (message instanceof SettingsAnswer) {
			return Type.SETTINGS_ANSWER;
		}
		return Type.REPLY;
	}

	/** Grows as needed; the frame's length prefix is filled in at the end. */
	private static final class Writer {

		private ByteBuffer buffer = ByteBuffer.allocate(64).position(FrameDecoder.HEADER_BYTES);

		void ensure(int more) {
			if (this.buffer.remaining() < more) {
				ByteBuffer larger = ByteBuffer
					.allocate(Math.max(this.buffer.capacity() * 2, this.buffer.position() + more));
				this.buffer.flip();
				larger.put(this.buffer);
				this.buffer = larger;
			}
		}

		void putBytes(byte[] bytes) {
			this.buffer.putInt((bytes != null) ? bytes.length : -1);
			if (bytes != null) {
				this.buffer.put(bytes);
			}
		}

		ByteBuffer toFrame() {
			this.buffer.flip();
			this.buffer.putInt(0, this.buffer.limit() - FrameDecoder.HEADER_BYTES);
			return this.buffer;
		}

	}

}
