package dev.samboot.sam.internal.channel;

import java.util.List;

import dev.samboot.sam.CsError;
import dev.samboot.sam.Recovery;
import dev.samboot.sam.RecoveryTotals;

/**
 * What the supervisor and the active process say to each other over the channel. One
 * frame carries one message; {@link Codec} turns them into bytes and back.
 */
public sealed interface Message {

	/**
	 * First frame of the active process: which protocol it speaks, and the proof that it
	 * was launched by this supervisor. A frame of another version carries no token.
	 */
	record Hello(int version, byte[] token, long pid) implements Message {

		public Hello(byte[] token, long pid) {
			this(Codec.PROTOCOL_VERSION, token, pid);
		}

	}

	/**
	 * The supervisor's answer to {@link Hello}: the state this instance resumes with, the
	 * most recent recoveries and the supervisor's lifetime totals.
	 */
	record Welcome(int instanceId, int warnSignal, long supervisorPid, byte[] data, List<Recovery> recoveries,
			RecoveryTotals totals) implements Message {
	}

	/** {@code sam_hc_send}. */
	record Heartbeat() implements Message {
	}

	/**
	 * {@code sam_start}; answered with a {@link Reply} (after quorum, with the quorum
	 * flag).
	 */
	record Start() implements Message {
	}

	/** {@code sam_stop}; answered with a {@link Reply}. */
	record Stop() implements Message {
	}

	/**
	 * {@code sam_data_store}; {@code data} is {@code null} to delete; answered with a
	 * {@link Reply}.
	 */
	record DataStore(byte[] data) implements Message {
	}

	/** {@code sam_warn_signal_set}; answered with a {@link Reply}. */
	record WarnSignalSet(int signal) implements Message {
	}

	/** {@code sam_mark_failed}; the answer is SIGKILL. */
	record MarkFailed() implements Message {
	}

	/**
	 * The event-driven check answered unhealthy; recorded as the reason, heartbeats stop.
	 */
	record HealthFailed(String detail) implements Message {
	}

	/**
	 * Ask for an orderly restart of this instance: the warn signal, then the next
	 * instance; answered with a {@link Reply}.
	 */
	record RestartRequest() implements Message {
	}

	/** The supervisor's answer to a request. */
	record Reply(CsError error) implements Message {
	}

	/**
	 * Whether the cluster is quorate, sent to an instance under a quorum policy on every
	 * change.
	 */
	record QuorumState(boolean quorate) implements Message {
	}

	/**
	 * Instance 1 of a supervisor that was started before the settings were known: the
	 * settings, bound from the application's configuration, in the lean supervisor's
	 * handoff format; the first and only frame of its settings connection, answered with
	 * a {@link SettingsAnswer}.
	 */
	record Settings(int version, byte[] token, long pid, byte[] settings) implements Message {

		public Settings(byte[] token, long pid, byte[] settings) {
			this(Codec.PROTOCOL_VERSION, token, pid, settings);
		}

	}

	/**
	 * Instance 1 of a supervisor that was started before the settings were known: the
	 * configuration turns supervision off, this process runs unsupervised; answered with
	 * a {@link SettingsAnswer}.
	 */
	record Detach(int version, byte[] token, long pid, String reason) implements Message {

		public Detach(byte[] token, long pid, String reason) {
			this(Codec.PROTOCOL_VERSION, token, pid, reason);
		}

	}

	/**
	 * The supervisor's answer to {@link Settings} or {@link Detach}: {@code OK}, or the
	 * error that stops supervision and why.
	 */
	record SettingsAnswer(CsError error, String detail) implements Message {
	}

	/**
	 * Every message, by its type byte on the wire: fixed numbers, whatever the order
	 * here.
	 */
	enum Type {

		HELLO(1), WELCOME(2), HEARTBEAT(3), START(4), STOP(5), DATA_STORE(6), WARN_SIGNAL_SET(7), MARK_FAILED(8),
		HEALTH_FAILED(9), REPLY(10), QUORUM_STATE(11), RESTART_REQUEST(12), SETTINGS(13), DETACH(14),
		SETTINGS_ANSWER(15);

		private final byte code;

		Type(int code) {
			this.code = (byte) code;
		}

		byte code() {
			return this.code;
		}

		/** By code, for the decoder: every frame is looked up here. */
		private static final Type[] BY_CODE = new Type[128];

		static {
			for (Type type : values()) {
				BY_CODE[type.code] = type;
			}
		}

		static Type fromCode(int code) {
			return (code >= 0 && code < BY_CODE.length) ? BY_CODE[code] : null;
		}

	}

}
