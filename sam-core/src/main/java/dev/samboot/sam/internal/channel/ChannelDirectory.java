package dev.samboot.sam.internal.channel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import dev.samboot.sam.internal.process.PrivateFiles;

/**
 * The private directory (mode 0700) that holds the channel's socket, created per
 * supervisor run and removed when it ends.
 */
public final class ChannelDirectory {

	/** Unix socket paths are limited to 108 bytes, including the terminating NUL. */
	private static final int MAX_SOCKET_PATH = 100;

	private final Path directory;

	private ChannelDirectory(Path directory) {
		this.directory = directory;
	}

	/**
	 * Create a new directory under {@code $XDG_RUNTIME_DIR}, {@code java.io.tmpdir} or
	 * {@code /tmp}, whichever gives a socket path short enough.
	 * @return the directory
	 * @throws IOException if none can be created
	 */
	public static ChannelDirectory create() throws IOException {
		IOException last = null;
		for (String parent : new String[] { System.getenv("XDG_RUNTIME_DIR"), System.getProperty("java.io.tmpdir"),
				"/tmp" }) {
			if (parent == null || parent.isBlank() || !Files.isDirectory(Path.of(parent))) {
				continue;
			}
			try {
				Path directory = PrivateFiles.createDirectory(Path.of(parent), "samboot-");
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
