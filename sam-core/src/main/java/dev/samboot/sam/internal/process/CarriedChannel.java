package dev.samboot.sam.internal.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channel;
import java.nio.channels.SocketChannel;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.LastError;
import com.kenai.jffi.Library;
import com.kenai.jffi.Type;

/**
 * A connected Unix-domain socket carried across {@code execv(2)}: the JDK opens its
 * sockets without {@code FD_CLOEXEC}, so they survive it. Before {@code execv} the socket
 * is put on standard input and standard input is kept aside
 * ({@link #moveToStandardInput}); in the new program {@link System#inheritedChannel()}
 * makes a {@link SocketChannel} of it (on a descriptor of its own) and standard input is
 * put back ({@link #take}). No byte is lost and the peer sees no new connection.
 * <p>
 * Native calls go through jffi, as in {@link NativeExec}.
 */
public final class CarriedChannel {

	private static final String[] LIBC = { "libc.so.6", "libc.so" };

	private static final int STANDARD_INPUT = 0;

	/** {@code /proc/net/unix}'s state of a connected socket ({@code SS_CONNECTED}). */
	private static final String CONNECTED = "03";

	private static final Path UNIX_SOCKETS = Path.of("/proc/net/unix");

	private static final Path DESCRIPTORS = Path.of("/proc/self/fd");

	private CarriedChannel() {
	}

	/**
	 * The descriptor, in this process, of the one connection accepted on the listening
	 * socket bound at the given path, found in {@code /proc/net/unix} and
	 * {@code /proc/self/fd}. Accepted connections show the listener's path there and the
	 * connected state; the listener itself is not connected, and a client connected to
	 * the path is unnamed.
	 * @param socketPath the path the listening socket was bound at, as given to bind it
	 * @return the descriptor, or empty when this process holds none or more than one
	 * (descriptors duplicated included), or when {@code /proc} cannot be read
	 */
	public static OptionalInt descriptorOf(Path socketPath) {
		try {
			Set<String> links = connectedLinks(socketPath.toString());
			if (links.isEmpty()) {
				return OptionalInt.empty();
			}
			return onlyDescriptorLinkedTo(links);
		}
		catch (IOException | UncheckedIOException | DirectoryIteratorException | SecurityException ex) {
			return OptionalInt.empty();
		}
	}

	/**
	 * The {@code /proc/self/fd} links ({@code socket:[inode]}) of the connected sockets
	 * that show the given path.
	 */
	private static Set<String> connectedLinks(String path) throws IOException {
		List<String> lines = Files.readAllLines(UNIX_SOCKETS);
		Set<String> links = new HashSet<>();
		for (int i = 1; i < lines.size(); i++) {
			// Num RefCount Protocol Flags Type St Inode Path (the path may hold spaces)
			String[] columns = lines.get(i).trim().split("\\s+", 8);
			if (columns.length == 8 && CONNECTED.equals(columns[5]) && path.equals(columns[7])) {
				links.add("socket:[" + columns[6] + "]");
			}
		}
		return links;
	}

	private static OptionalInt onlyDescriptorLinkedTo(Set<String> links) throws IOException {
		OptionalInt found = OptionalInt.empty();
		try (DirectoryStream<Path> descriptors = Files.newDirectoryStream(DESCRIPTORS)) {
			for (Path descriptor : descriptors) {
				String link;
				try {
					link = Files.readSymbolicLink(descriptor).toString();
				}
				catch (IOException ex) {
					// closed while listing (this stream's own descriptor among them)
					continue;
				}
				if (links.contains(link)) {
					if (found.isPresent()) {
						return OptionalInt.empty();
					}
					found = number(descriptor.getFileName().toString());
					if (found.isEmpty()) {
						return found;
					}
				}
			}
		}
		return found;
	}

	private static OptionalInt number(String name) {
		try {
			return OptionalInt.of(Integer.parseInt(name));
		}
		catch (NumberFormatException ex) {
			return OptionalInt.empty();
		}
	}

	/**
	 * Put the given descriptor on standard input, keeping standard input aside, so that
	 * the program {@code execv} starts next finds it there. Both descriptors survive
	 * {@code execv}.
	 * @param fd the descriptor of a connected socket
	 * @return the descriptor standard input is kept on, for {@link #take} in the new
	 * program or {@link #restoreStandardInput} in this one
	 * @throws IOException with {@code errno} when standard input could not be kept aside
	 * or replaced; standard input is then as it was
	 */
	public static int moveToStandardInput(int fd) throws IOException {
		int saved = call("dup", STANDARD_INPUT);
		try {
			call("dup2", fd, STANDARD_INPUT);
		}
		catch (IOException ex) {
			try {
				call("close", saved);
			}
			catch (IOException closing) {
				ex.addSuppressed(closing);
			}
			throw ex;
		}
		return saved;
	}

	/**
	 * Close a descriptor that {@link #moveToStandardInput} copied onto standard input, so
	 * that the program {@code execv} starts holds the socket only there: otherwise the
	 * copy would keep the connection open after the new program closes its channel.
	 * @param fd the descriptor given to {@code moveToStandardInput}
	 * @throws IOException with {@code errno} when it could not be closed
	 */
	public static void closeOriginal(int fd) throws IOException {
		call("close", fd);
	}

	/**
	 * Undo {@link #closeOriginal}, when {@code execv} failed: the socket on standard
	 * input is copied back onto the descriptor this program's channel uses.
	 * @param fd the descriptor given to {@code closeOriginal}
	 * @throws IOException with {@code errno} when it could not be copied back
	 */
	public static void reopenOriginal(int fd) throws IOException {
		call("dup2", STANDARD_INPUT, fd);
	}

	/**
	 * Close a channel {@link #take} returned. The JDK points standard input, output and
	 * error at {@code /dev/null} when an inherited channel is closed (it assumes a
	 * program started by {@code inetd}, whose standard streams were the socket); here
	 * they are the application's, which the supervisor logs to and every later instance
	 * inherits, so they are kept aside and put back around the close.
	 * @param channel the channel
	 * @throws IOException if the channel or the standard streams could not be closed or
	 * put back
	 */
	public static void close(SocketChannel channel) throws IOException {
		int[] kept = new int[3];
		int count = 0;
		try {
			for (; count < kept.length; count++) {
				kept[count] = call("dup", count);
			}
			channel.close();
		}
		finally {
			IOException failure = null;
			for (int i = 0; i < count; i++) {
				try {
					call("dup2", kept[i], i);
					call("close", kept[i]);
				}
				catch (IOException ex) {
					failure = ex;
				}
			}
			if (failure != null) {
				throw failure;
			}
		}
	}

	/**
	 * Put standard input back as it was before {@link #moveToStandardInput}, in the same
	 * program, when {@code execv} failed. The descriptor given to
	 * {@code moveToStandardInput} is left open.
	 * @param saved the descriptor {@code moveToStandardInput} returned
	 * @throws IOException with {@code errno} when standard input could not be put back or
	 * the kept descriptor closed
	 */
	public static void restoreStandardInput(int saved) throws IOException {
		call("dup2", saved, STANDARD_INPUT);
		call("close", saved);
	}

	/**
	 * In the program {@code execv} started, take the socket carried on standard input as
	 * a channel and put standard input back as it was before
	 * {@link #moveToStandardInput}. To be called once, before anything reads standard
	 * input.
	 * <p>
	 * The channel is the JDK's inherited channel: closing it puts {@code /dev/null} on
	 * standard input, output and error. And the previous program's descriptors of the
	 * socket survive {@code execv} too, so the peer sees the end of the stream on close
	 * only when this program exits; {@link SocketChannel#shutdownOutput()} ends it at
	 * once.
	 * @param savedStandardInput the descriptor {@code moveToStandardInput} returned in
	 * the previous program
	 * @return the connection, in blocking mode, on a descriptor other than standard input
	 * @throws IOException when standard input holds no connected socket (standard input
	 * is then left as it is, for {@link #restoreStandardInput}), or with {@code errno}
	 * when standard input could not be put back
	 */
	public static SocketChannel take(int savedStandardInput) throws IOException {
		Channel inherited = System.inheritedChannel();
		if (!(inherited instanceof SocketChannel)) {
			throw new IOException("standard input holds no connected socket but "
					+ ((inherited != null) ? inherited.getClass().getName() : "no channel"));
		}
		restoreStandardInput(savedStandardInput);
		return (SocketChannel) inherited;
	}

	/**
	 * Call a libc function of {@code int} arguments returning an {@code int}.
	 * @param symbol the function's name
	 * @param args its arguments (one or two)
	 * @return what it returned, never {@code -1}
	 * @throws IOException with {@code errno} when it returned {@code -1}, or when libc
	 * cannot be reached
	 */
	static int call(String symbol, int... args) throws IOException {
		long function = symbol(symbol);
		Type[] parameters = new Type[args.length];
		Arrays.fill(parameters, Type.SINT);
		CallContext context = CallContext.getCallContext(Type.SINT, parameters, CallingConvention.DEFAULT, true);
		com.kenai.jffi.Invoker invoker = com.kenai.jffi.Invoker.getInstance();
		long result = switch (args.length) {
			case 1 -> invoker.invokeN1(context, function, args[0]);
			case 2 -> invoker.invokeN2(context, function, args[0], args[1]);
			default -> throw new IllegalArgumentException(symbol + " takes one or two arguments here");
		};
		if ((int) result == -1) {
			int errno = LastError.getInstance().get();
			throw new IOException(symbol + Arrays.toString(args) + " failed, errno " + errno);
		}
		return (int) result;
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

}
