package dev.samboot.corosync;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.samboot.sam.CsError;
import dev.samboot.sam.SamException;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.byref.LongLongByReference;
import jnr.ffi.byref.NativeLongByReference;
import jnr.ffi.byref.PointerByReference;

/**
 * A connection to corosync's configuration map (cmap): get, set, delete and list keys, as
 * {@code corosync-cmapctl} does. Failures are {@link SamException}s with corosync's error
 * ({@link CsError#LIBRARY} when corosync is not installed, {@link CsError#NOT_EXIST} for
 * a missing key, and so on).
 */
public final class Cmap implements AutoCloseable {

	/** {@code CMAP_KEYNAME_MAXLEN} + 1. */
	private static final int KEY_BUFFER = 256;

	private final CorosyncLibraries.Cmap library;

	private final long handle;

	private boolean closed;

	private Cmap(CorosyncLibraries.Cmap library, long handle) {
		this.library = library;
		this.handle = handle;
	}

	/**
	 * Connect to the local corosync.
	 * @return the connection
	 * @throws SamException when corosync is not installed or not running
	 */
	public static Cmap connect() {
		CorosyncLibraries.Cmap library = CorosyncLibraries.cmap();
		LongLongByReference handle = new LongLongByReference();
		CorosyncLibraries.check(library.cmap_initialize(handle),
				"Cannot connect to corosync's cmap service (cmap_initialize; is corosync running?)");
		return new Cmap(library, handle.longValue());
	}

	public synchronized void setString(String key, String value) {
		requireOpen();
		CorosyncLibraries.check(this.library.cmap_set_string(this.handle, key, value), "cmap_set_string " + key);
	}

	public synchronized void setUint32(String key, int value) {
		requireOpen();
		CorosyncLibraries.check(this.library.cmap_set_uint32(this.handle, key, value), "cmap_set_uint32 " + key);
	}

	public synchronized void setUint64(String key, long value) {
		requireOpen();
		CorosyncLibraries.check(this.library.cmap_set_uint64(this.handle, key, value), "cmap_set_uint64 " + key);
	}

	public synchronized String getString(String key) {
		requireOpen();
		PointerByReference value = new PointerByReference();
		CorosyncLibraries.check(this.library.cmap_get_string(this.handle, key, value), "cmap_get_string " + key);
		// a copy malloc()ed by libcmap, which the caller frees
		Pointer pointer = value.getValue();
		try {
			return pointer.getString(0, pointer.indexOf(0, (byte) 0), StandardCharsets.UTF_8);
		}
		finally {
			CorosyncLibraries.libc().free(pointer);
		}
	}

	public synchronized int getUint32(String key) {
		requireOpen();
		IntByReference value = new IntByReference();
		CorosyncLibraries.check(this.library.cmap_get_uint32(this.handle, key, value), "cmap_get_uint32 " + key);
		return value.intValue();
	}

	public synchronized long getUint64(String key) {
		requireOpen();
		LongLongByReference value = new LongLongByReference();
		CorosyncLibraries.check(this.library.cmap_get_uint64(this.handle, key, value), "cmap_get_uint64 " + key);
		return value.longValue();
	}

	public synchronized void delete(String key) {
		requireOpen();
		CorosyncLibraries.check(this.library.cmap_delete(this.handle, key), "cmap_delete " + key);
	}

	/**
	 * List the keys that start with a prefix.
	 * @param prefix the prefix, such as {@code resources.process.}
	 * @return the key names
	 */
	public synchronized List<String> keys(String prefix) {
		requireOpen();
		LongLongByReference iterator = new LongLongByReference();
		CorosyncLibraries.check(this.library.cmap_iter_init(this.handle, prefix, iterator), "cmap_iter_init " + prefix);
		List<String> keys = new ArrayList<>();
		Pointer name = Memory.allocateDirect(Runtime.getRuntime(this.library), KEY_BUFFER, true);
		try {
			int error;
			while ((error = this.library.cmap_iter_next(this.handle, iterator.longValue(), name,
					new NativeLongByReference(), new IntByReference())) == CorosyncLibraries.CS_OK) {
				keys.add(name.getString(0, KEY_BUFFER, StandardCharsets.UTF_8));
			}
			if (error != CsError.NO_SECTION.code()) {
				CorosyncLibraries.check(error, "cmap_iter_next " + prefix);
			}
		}
		finally {
			this.library.cmap_iter_finalize(this.handle, iterator.longValue());
		}
		return keys;
	}

	private void requireOpen() {
		if (this.closed) {
			throw new SamException(CsError.BAD_HANDLE, "The cmap connection is closed");
		}
	}

	@Override
	public synchronized void close() {
		if (!this.closed) {
			this.closed = true;
			this.library.cmap_finalize(this.handle);
		}
	}

}
