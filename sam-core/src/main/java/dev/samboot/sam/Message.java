package dev.samboot.sam;

import java.util.List;

/**
 * What the supervisor and the active process say to each other over the channel. One frame carries
 * one message; {@link Codec} turns them into bytes and back.
 */
sealed interface Message {

	/** First frame of the active process: proves it was launched by this supervisor. */
	record Hello(byte[] token, long pid) implements Message {
	}

	/** The supervisor's answer to {@link Hello}: the state this instance resumes with. */
	record Welcome(int instanceId, int warnSignal, long supervisorPid, byte[] data, List<Recovery> recoveries)
			implements Message {
	}

	/** {@code sam_hc_send}. */
	record Heartbeat() implements Message {
	}

	/** {@code sam_start}; answered with a {@link Reply} (after quorum, with the quorum flag). */
	record Start() implements Message {
	}

	/** {@code sam_stop}; answered with a {@link Reply}. */
	record Stop() implements Message {
	}

	/** {@code sam_data_store}; {@code data} is {@code null} to delete; answered with a {@link Reply}. */
	record DataStore(byte[] data) implements Message {
	}

	/** {@code sam_warn_signal_set}; answered with a {@link Reply}. */
	record WarnSignalSet(int signal) implements Message {
	}

	/** {@code sam_mark_failed}; the answer is SIGKILL. */
	record MarkFailed() implements Message {
	}

	/** The event-driven check answered unhealthy; recorded as the reason, heartbeats stop. */
	record HealthFailed(String detail) implements Message {
	}

	/** The supervisor's answer to a request. */
	record Reply(CsError error) implements Message {
	}

	/** Whether the cluster is quorate, sent to an instance under a quorum policy on every change. */
	record QuorumState(boolean quorate) implements Message {
	}

	/** Every message, by its type byte on the wire. */
	enum Type {

		HELLO, WELCOME, HEARTBEAT, START, STOP, DATA_STORE, WARN_SIGNAL_SET, MARK_FAILED, HEALTH_FAILED, REPLY,
		QUORUM_STATE;

		byte code() {
			return (byte) (ordinal() + 1);
		}

		static Type fromCode(int code) {
			Type[] types = values();
			return (code >= 1 && code <= types.length) ? types[code - 1] : null;
		}

	}

}
