package dev.samboot.sam.internal.channel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import dev.samboot.sam.internal.process.LazyLogger;
import dev.samboot.sam.internal.process.PrivateFiles;

/**
 * The private directory (mode 0700) that holds the channel's socket, created per
 * supervisor run and removed when it ends. It holds an {@value #OWNER_FILE} file too,
 * naming the supervisor that made it (its pid, its start time and its pid namespace), so
 * that a later supervisor can remove a directory whose supervisor was killed without a
 * chance to remove it ({@link #removeAbandoned}).
 */
public final class ChannelDirectory {

	/** The file that names the supervisor that made the directory. */
	static final String OWNER_FILE = "owner";

	/** The start of a channel directory's name; 16 hexadecimal digits follow. */
	static final String PREFIX = "samboot-";

	private static final int NAME_DIGITS = 16;

	/** Unix socket paths are limited to 108 bytes, including the terminating NUL. */
	private static final int MAX_SOCKET_PATH = 100;

	/** More than an owner file ever holds. */
	private static final long MAX_OWNER_BYTES = 1024;

	private static final System.Logger logger = LazyLogger.of(ChannelDirectory.class);

	private final Path directory;

	private ChannelDirectory(Path directory) {
		this.directory = directory;
	}

	/**
	 * Create a new directory under {@code $XDG_RUNTIME_DIR}, {@code java.io.tmpdir} or
	 * {@code /tmp}, whichever gives a socket path short enough, naming this process as
	 * its owner.
	 * @return the directory
	 * @throws IOException if none can be created
	 */
	public static ChannelDirectory create() throws IOException {
		ChannelDirectory created = createUnclaimed();
		created.claim();
		return created;
	}

	/**
	 * As {@link #create()}, without the owner file yet, for the launcher, which writes it
	 * with {@link #claim()} once instance 1 is launched.
	 * @return the directory
	 * @throws IOException if none can be created
	 */
	public static ChannelDirectory createUnclaimed() throws IOException {
		IOException last = null;
		for (String parent : parents()) {
			if (parent == null || parent.isBlank() || !Files.isDirectory(Path.of(parent))) {
				continue;
			}
			try {
				Path directory = PrivateFiles.createDirectory(Path.of(parent), PREFIX);
				ChannelDirectory created = new ChannelDirectory(directory);
				if (created.socket().toString().length() <= MAX_SOCKET_PATH) {
					return created;
				}
				created.delete();
			}
			catch (IOException ex) {
				last = ex;
			}
		}
		throw (last != null) ? last : new IOException("No directory for the channel socket");
	}

	/**
	 * Where channel directories go, in the order tried: a supervisor's is in one of them.
	 * @return the candidates, unset ones {@code null}
	 */
	private static String[] parents() {
		return new String[] { System.getenv("XDG_RUNTIME_DIR"), System.getProperty("java.io.tmpdir"), "/tmp" };
	}

	/**
	 * Write the owner file, naming this process, where {@code /proc} tells who it is.
	 * @throws IOException if it cannot be written
	 */
	public void claim() throws IOException {
		Optional<Owner> self = Owner.current();
		if (self.isPresent()) {
			Files.writeString(this.directory.resolve(OWNER_FILE), self.get().toText(), StandardCharsets.UTF_8);
		}
	}

	/**
	 * The directory created by the JVM this one replaced (the lean supervisor's handoff).
	 * @param directory the directory
	 * @return the channel directory
	 */
	public static ChannelDirectory existing(Path directory) {
		return new ChannelDirectory(directory);
	}

	public Path path() {
		return this.directory;
	}

	public Path socket() {
		return this.directory.resolve("sam.sock");
	}

	/**
	 * Remove the directory and everything in it.
	 */
	public void delete() {
		if (!Files.exists(this.directory)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(this.directory)) {
			paths.sorted(Comparator.reverseOrder()).forEach(ChannelDirectory::deleteQuietly);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Remove the channel directories that supervisors of this user, in this pid
	 * namespace, left when they were killed: those whose owner file names a process that
	 * is gone, or a pid now used by a process started at another time. A directory
	 * without an owner file, of another user, of another pid namespace (a temporary
	 * directory shared with a container) or of a supervisor that still runs (this one's
	 * among them) is left alone.
	 * @return the directories removed
	 */
	public static List<Path> removeAbandoned() {
		Set<Path> parents = new LinkedHashSet<>();
		for (String parent : parents()) {
			if (parent != null && !parent.isBlank()) {
				try {
					parents.add(Path.of(parent).toRealPath());
				}
				catch (IOException | RuntimeException ex) {
					// not there: nothing to remove in it
				}
			}
		}
		return removeAbandoned(parents);
	}

	static List<Path> removeAbandoned(Iterable<Path> parents) {
		List<Path> removed = new ArrayList<>();
		Optional<Owner> self = Owner.current();
		Object uid;
		try {
			// /proc/self belongs to this process's user
			uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid", LinkOption.NOFOLLOW_LINKS);
		}
		catch (IOException | RuntimeException ex) {
			logger.log(Level.DEBUG, "Not looking for abandoned channel directories: " + ex);
			return removed;
		}
		if (self.isEmpty()) {
			return removed;
		}
		for (Path parent : parents) {
			try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent)) {
				for (Path entry : entries) {
					if (isChannelName(entry.getFileName().toString()) && isAbandoned(entry, uid, self.get())) {
						new ChannelDirectory(entry).delete();
						removed.add(entry);
						logger.log(Level.INFO, "Removed " + entry + ", left by a supervisor that was killed");
					}
				}
			}
			catch (IOException | RuntimeException ex) {
				logger.log(Level.DEBUG, "Cannot look for abandoned channel directories in " + parent + ": " + ex);
			}
		}
		return removed;
	}

	static boolean isChannelName(String name) {
		if (name.length() != PREFIX.length() + NAME_DIGITS || !name.startsWith(PREFIX)) {
			return false;
		}
		for (int i = PREFIX.length(); i < name.length(); i++) {
			char c = name.charAt(i);
			if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
				return false;
			}
		}
		return true;
	}

	private static boolean isAbandoned(Path directory, Object uid, Owner self) {
		try {
			if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)
					|| !uid.equals(Files.getAttribute(directory, "unix:uid", LinkOption.NOFOLLOW_LINKS))) {
				return false;
			}
			Path file = directory.resolve(OWNER_FILE);
			if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.size(file) > MAX_OWNER_BYTES) {
				return false;
			}
			Optional<Owner> owner = Owner.parse(Files.readString(file, StandardCharsets.UTF_8));
			return owner.isPresent() && owner.get().pidNamespace().equals(self.pidNamespace()) && !owner.get().runs();
		}
		catch (IOException | RuntimeException ex) {
			return false;
		}
	}

	/**
	 * The supervisor that made a channel directory.
	 *
	 * @param pid its pid
	 * @param startTime its start time, in clock ticks after boot, from
	 * {@code /proc/<pid>/stat}
	 * @param pidNamespace its pid namespace, as {@code /proc/self/ns/pid} links to it
	 */
	record Owner(long pid, long startTime, String pidNamespace) {

		/** This process, where {@code /proc} tells. */
		static Optional<Owner> current() {
			long pid = ProcessHandle.current().pid();
			try {
				String namespace = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
				// no lambda: this runs in the launcher's JVM before instance 1 is
				// launched
				Optional<Long> start = startTime(pid);
				return start.isPresent() ? Optional.of(new Owner(pid, start.get(), namespace)) : Optional.empty();
			}
			catch (IOException | RuntimeException ex) {
				return Optional.empty();
			}
		}

		/** A process's start time, field 22 of its {@code stat}; empty if it is gone. */
		static Optional<Long> startTime(long pid) {
			try {
				String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
				// the command, field 2, is in parentheses and may hold spaces
				String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
				return Optional.of(Long.parseLong(fields[19]));
			}
			catch (IOException | RuntimeException ex) {
				return Optional.empty();
			}
		}

		static Optional<Owner> parse(String text) {
			Long pid = null;
			Long start = null;
			String namespace = null;
			for (String line : text.split("\n")) {
				int space = line.indexOf(' ');
				if (space < 0) {
					continue;
				}
				String value = line.substring(space + 1).trim();
				try {
					switch (line.substring(0, space)) {
						case "pid" -> pid = Long.parseLong(value);
						case "start" -> start = Long.parseLong(value);
						case "pid-namespace" -> namespace = value;
						default -> {
							// a later version's
						}
					}
				}
				catch (NumberFormatException ex) {
					return Optional.empty();
				}
			}
			return (pid != null && start != null && namespace != null && !namespace.isEmpty())
					? Optional.of(new Owner(pid, start, namespace)) : Optional.empty();
		}

		String toText() {
			return "pid " + this.pid + "\nstart " + this.startTime + "\npid-namespace " + this.pidNamespace + "\n";
		}

		/** Whether this process still runs: its pid, started at the same time. */
		boolean runs() {
			return startTime(this.pid).filter((start) -> start == this.startTime).isPresent();
		}

	}

	private static void deleteQuietly(Path path) {
		try {
			Files.deleteIfExists(path);
		}
		catch (IOException ex) {
			// the directory is private; a leftover is harmless and reported by the
			// caller's check
		}
	}

}
