package dev.samboot.sam.internal.process;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.LastError;
import com.kenai.jffi.Library;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.Platform;
import com.kenai.jffi.Type;

/**
 * {@code execv(2)} through jffi, the small native-call layer under jnr-ffi. jnr-posix
 * would do, but binding its whole POSIX interface costs about 0.6 s of CPU in a fresh JVM
 * (jnr-ffi generates a class for it); one call through jffi costs a few milliseconds, and
 * the supervisor makes it while the first instance is starting beside it.
 */
public final class NativeExec {

	private static final String[] LIBC = { "libc.so.6", "libc.so" };

	private NativeExec() {
	}

	/** jffi's system property: the directory its stub library is unpacked into. */
	static final String EXTRACT_DIR = "jffi.extract.dir";

	/** jffi's system property: the stub library's file name there. */
	static final String EXTRACT_NAME = "jffi.extract.name";

	/** The stub library's name in a directory of samboot's ({@code .so} is added). */
	static final String STUB_NAME = "jffi-stub";

	/**
	 * As {@link #prepare()}, unpacking jffi's stub library into a private directory under
	 * a fixed name rather than into a temporary file, whose random name costs the JDK's
	 * security providers (some 20 ms of CPU in a fresh JVM, while instance 1 starts).
	 * jffi reads the two system properties once, when its loader is initialized; they are
	 * put back as they were afterwards. Where the application set either, jffi's own way
	 * is left alone.
	 * @param directory a private directory of this process's, which no stub library was
	 * unpacked into yet
	 * @throws IOException when libc cannot be reached
	 */
	public static void prepare(Path directory) throws IOException {
		if (System.getProperty(EXTRACT_DIR) != null || System.getProperty(EXTRACT_NAME) != null) {
			prepare();
			return;
		}
		System.setProperty(EXTRACT_DIR, directory.toString());
		System.setProperty(EXTRACT_NAME, STUB_NAME);
		try {
			prepare();
		}
		finally {
			System.clearProperty(EXTRACT_DIR);
			System.clearProperty(EXTRACT_NAME);
		}
	}

	/**
	 * Load what {@link #execv} needs (jffi's library included), so that it can be called
	 * after the jars it comes from are deleted.
	 * @throws IOException when libc cannot be reached
	 */
	public static void prepare() throws IOException {
		symbol("execv");
		MemoryIO.getInstance();
		Platform.getPlatform();
		CallContext.getCallContext(Type.SINT, new Type[] { Type.POINTER, Type.POINTER }, CallingConvention.DEFAULT,
				true);
		com.kenai.jffi.Invoker.getInstance();
		LastError.getInstance();
	}

	/**
	 * Replace this process's program, keeping its pid. Returns only on failure.
	 * @param path the program
	 * @param argv its arguments, the program name first
	 * @throws IOException always: with {@code errno} when {@code execv} failed, or when
	 * libc cannot be reached
	 */
	public static void execv(String path, List<String> argv) throws IOException {
		long function = symbol("execv");
		MemoryIO memory = MemoryIO.getInstance();
		Charset charset = Charset.forName(System.getProperty("sun.jnu.encoding", Charset.defaultCharset().name()));
		int pointerSize = Platform.getPlatform().addressSize() / 8;
		List<Long> allocated = new ArrayList<>();
		try {
			long pathPointer = string(memory, path, charset, allocated);
			long array = memory.allocateMemory((long) (argv.size() + 1) * pointerSize, true);
			allocated.add(array);
			for (int i = 0; i < argv.size(); i++) {
				memory.putAddress(array + (long) i * pointerSize, string(memory, argv.get(i), charset, allocated));
			}
			memory.putAddress(array + (long) argv.size() * pointerSize, 0L);
			CallContext context = CallContext.getCallContext(Type.SINT, new Type[] { Type.POINTER, Type.POINTER },
					CallingConvention.DEFAULT, true);
			long result = com.kenai.jffi.Invoker.getInstance().invokeN2(context, function, pathPointer, array);
			throw new IOException(
					"execv " + path + " returned " + (int) result + ", errno " + LastError.getInstance().get());
		}
		finally {
			allocated.forEach(memory::freeMemory);
		}
	}

	private static long symbol(String name) throws IOException {
		for (String candidate : LIBC) {
			Library library = Library.getCachedInstance(candidate, Library.LAZY | Library.GLOBAL);
			if (library != null) {
				long address = library.getSymbolAddress(name);
				if (address != 0) {
					return address;
				}
			}
		}
		throw new IOException("cannot find " + name + " in libc: " + Library.getLastError());
	}

	private static long string(MemoryIO memory, String value, Charset charset, List<Long> allocated) {
		byte[] bytes = value.getBytes(charset);
		long pointer = memory.allocateMemory(bytes.length + 1, true);
		allocated.add(pointer);
		memory.putZeroTerminatedByteArray(pointer, bytes, 0, bytes.length);
		return pointer;
	}

}
