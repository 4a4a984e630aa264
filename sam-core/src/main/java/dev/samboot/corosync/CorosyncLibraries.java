package dev.samboot.corosync;

import dev.samboot.sam.CsError;
import dev.samboot.sam.SamException;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.Delegate;
import jnr.ffi.annotations.Encoding;
import jnr.ffi.annotations.Out;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.byref.LongLongByReference;
import jnr.ffi.byref.NativeLongByReference;
import jnr.ffi.byref.PointerByReference;

/**
 * Bindings to corosync's client libraries ({@code libquorum.so.5}, {@code libcmap.so.4},
 * {@code libcpg.so.4}) and the libc calls that go with them, loaded on first use through
 * jnr-ffi.
 */
final class CorosyncLibraries {

	static final int CS_OK = 1;

	static final int CS_DISPATCH_ALL = 2;

	static final int CS_TRACK_CHANGES = 2;

	private CorosyncLibraries() {
	}

	/** {@code quorum_notification_fn_t}. */
	public interface QuorumNotification {

		@Delegate
		void notify(long handle, int quorate, long ringSeq, int viewListEntries, Pointer viewList);

	}

	/** {@code corosync/quorum.h}. */
	public interface Quorum {

		int quorum_initialize(@Out LongLongByReference handle, Pointer callbacks, @Out IntByReference quorumType);

		int quorum_finalize(long handle);

		int quorum_fd_get(long handle, @Out IntByReference fd);

		int quorum_getquorate(long handle, @Out IntByReference quorate);

		int quorum_trackstart(long handle, int flags);

		int quorum_dispatch(long handle, int dispatchTypes);

	}

	/**
	 * {@code corosync/cmap.h}; key names and string values cross as UTF-8 whatever the
	 * JVM's default.
	 */
	@Encoding("UTF-8")
	public interface Cmap {

		int cmap_initialize(@Out LongLongByReference handle);

		int cmap_finalize(long handle);

		int cmap_set_string(long handle, String key, String value);

		int cmap_set_uint32(long handle, String key, int value);

		int cmap_set_uint64(long handle, String key, long value);

		int cmap_get_string(long handle, String key, @Out PointerByReference value);

		int cmap_get_uint32(long handle, String key, @Out IntByReference value);

		int cmap_get_uint64(long handle, String key, @Out LongLongByReference value);

		int cmap_delete(long handle, String key);

		int cmap_iter_init(long handle, String prefix, @Out LongLongByReference iterator);

		int cmap_iter_next(long handle, long iterator, Pointer keyName, @Out NativeLongByReference valueLength,
				@Out IntByReference type);

		int cmap_iter_finalize(long handle, long iterator);

	}

	/**
	 * {@code cpg_deliver_fn_t}; {@code size_t} is 64 bits on the platforms corosync runs
	 * on.
	 */
	public interface CpgDeliver {

		@Delegate
		void deliver(long handle, Pointer groupName, int nodeId, int pid, Pointer message, long length);

	}

	/** {@code cpg_confchg_fn_t}. */
	public interface CpgConfchg {

		@Delegate
		void confchg(long handle, Pointer groupName, Pointer members, long memberCount, Pointer left, long leftCount,
				Pointer joined, long joinedCount);

	}

	/**
	 * {@code cpg_totem_confchg_fn_t}. Its {@code struct cpg_ring_id} ({@code uint32_t
	 * nodeid; uint64_t seq}, 16 bytes) comes by value, which jnr-ffi cannot declare; the
	 * x86-64 and AArch64 calling conventions pass such a struct in two integer registers,
	 * so it arrives as two 64-bit words: the node id in the low half of the first, the
	 * sequence number in the second.
	 */
	public interface CpgTotemConfchg {

		@Delegate
		void totemConfchg(long handle, long ringIdNodeWord, long ringIdSeq, int memberCount, Pointer members);

	}

	/** {@code corosync/cpg.h}, all of it but the zero-copy calls. */
	public interface Cpg {

		int cpg_initialize(@Out LongLongByReference handle, Pointer callbacks);

		int cpg_model_initialize(@Out LongLongByReference handle, int model, Pointer modelData, Pointer context);

		int cpg_finalize(long handle);

		int cpg_fd_get(long handle, @Out IntByReference fd);

		int cpg_max_atomic_msgsize_get(long handle, @Out IntByReference size);

		int cpg_context_get(long handle, @Out PointerByReference context);

		int cpg_context_set(long handle, Pointer context);

		int cpg_dispatch(long handle, int dispatchTypes);

		int cpg_join(long handle, Pointer group);

		int cpg_leave(long handle, Pointer group);

		int cpg_mcast_joined(long handle, int guarantee, Pointer iovec, int iovecCount);

		int cpg_membership_get(long handle, Pointer group, Pointer members, IntByReference memberCount);

		int cpg_local_get(long handle, @Out IntByReference localNodeId);

		int cpg_flow_control_state_get(long handle, @Out IntByReference state);

		int cpg_iteration_initialize(long handle, int type, Pointer group, @Out LongLongByReference iteration);

		int cpg_iteration_next(long iteration, Pointer description);

		int cpg_iteration_finalize(long iteration);

	}

	/** The libc calls needed beside them. */
	public interface LibC {

		int poll(Pointer fds, long count, int timeoutMillis);

		void free(Pointer pointer);

		long pthread_self();

		int pthread_getattr_np(long thread, Pointer attributes);

		int pthread_attr_getstacksize(Pointer attributes, @Out NativeLongByReference size);

		int pthread_attr_destroy(Pointer attributes);

	}

	static Quorum quorum() {
		return Holder.QUORUM.get();
	}

	static Cmap cmap() {
		return Holder.CMAP.get();
	}

	static Cpg cpg() {
		return Holder.CPG.get();
	}

	static LibC libc() {
		return Holder.LIBC.get();
	}

	/** Loads each library once; a missing one is remembered as the error to report. */
	private static final class Holder {

		static final Loaded<Quorum> QUORUM = load(Quorum.class, "libquorum", "quorum", "libquorum.so.5");

		static final Loaded<Cmap> CMAP = load(Cmap.class, "libcmap", "cmap", "libcmap.so.4");

		static final Loaded<Cpg> CPG = load(Cpg.class, "libcpg", "cpg", "libcpg.so.4");

		static final Loaded<LibC> LIBC = load(LibC.class, "libc", "c", "libc.so.6");

	}

	/**
	 * Load a library, remembering a failure instead of throwing it.
	 * @param type the binding
	 * @param what the library's name, for the message
	 * @param names the names to try
	 * @return the library, or why it could not be loaded
	 */
	static <T> Loaded<T> load(Class<T> type, String what, String... names) {
		try {
			LibraryLoader<T> loader = LibraryLoader.create(type).failImmediately();
			for (String name : names) {
				loader.library(name);
			}
			return new Loaded<>(loader.load(), what, null);
		}
		catch (LinkageError | RuntimeException ex) {
			return new Loaded<>(null, what, ex);
		}
	}

	record Loaded<T>(T library, String what, Throwable failure) {

		T get() {
			if (this.library == null) {
				throw new SamException(CsError.LIBRARY,
						"corosync's client library " + this.what
								+ " cannot be loaded; is corosync installed (apt-get install corosync)? "
								+ this.failure.getMessage(),
						this.failure);
			}
			return this.library;
		}

	}

	/**
	 * Return corosync's name for an error number.
	 * @param error a {@code cs_error_t}
	 * @return such as {@code CS_ERR_LIBRARY}, or the number when it is unknown
	 */
	static String errorName(int error) {
		if (error == CS_OK) {
			return "CS_OK";
		}
		try {
			return "CS_ERR_" + CsError.fromCode(error).name();
		}
		catch (IllegalArgumentException ex) {
			return "cs_error_t " + error;
		}
	}

	/**
	 * Turn a corosync error into a {@link SamException}; an unknown number becomes
	 * {@link CsError#LIBRARY}.
	 * @param error what the call returned
	 * @param what the call, for the message
	 */
	static void check(int error, String what) {
		if (error != CS_OK) {
			CsError csError;
			try {
				csError = CsError.fromCode(error);
			}
			catch (IllegalArgumentException ex) {
				csError = CsError.LIBRARY;
			}
			throw new SamException(csError, what + " failed"
					+ ((csError == CsError.LIBRARY && error != CsError.LIBRARY.code()) ? " with " + error : ""));
		}
	}

}
