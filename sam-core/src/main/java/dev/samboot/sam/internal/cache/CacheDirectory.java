package dev.samboot.sam.internal.cache;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The cache directory: where each file of a cache lives, and the key file that says a
 * cache is complete. The key file is written last, by a rename, and names the archive's
 * size, so that an instance is never launched with an archive that is still being written
 * or was cut short.
 */
final class CacheDirectory {

	private static final String KEY_FILE = "key";

	/** Kept by {@link #clean()}: another supervisor may hold it. */
	private static final String LOCK_FILE = ".lock";

	private static final String LOG_FILE = "training.log";

	/**
	 * Where an executable jar is extracted, since classes in nested jars cannot be
	 * archived.
	 */
	private static final String EXTRACTED = "app";

	private final Path path;

	private final CacheKind kind;

	/**
	 * A cache directory.
	 * @param path the directory, absolute, since it ends up in the commands of the
	 * instances
	 * @param kind the kind of cache it holds
	 */
	CacheDirectory(Path path, CacheKind kind) {
		this.path = path;
		this.kind = kind;
	}

	Path path() {
		return this.path;
	}

	CacheKind kind() {
		return this.kind;
	}

	/** The archive the instances use. */
	Path archive() {
		return this.path.resolve(this.kind.fileName());
	}

	/** Where a training writes the archive before it is published. */
	Path temporaryArchive() {
		return this.path.resolve(this.kind.fileName() + ".tmp");
	}

	/** The AOT configuration of the recording run, input of the creation step. */
	Path configuration() {
		return this.path.resolve("app.aotconf");
	}

	/** The directory an executable jar is extracted to. */
	Path extracted() {
		return this.path.resolve(EXTRACTED);
	}

	/**
	 * The extracted jar that stands in for an executable jar.
	 * @param jar the executable jar
	 * @return the extracted one
	 */
	Path extractedJar(Path jar) {
		return extracted().resolve(jar.getFileName());
	}

	Path keyFile() {
		return this.path.resolve(KEY_FILE);
	}

	Path lockFile() {
		return this.path.resolve(LOCK_FILE);
	}

	/** The output of the last training. */
	Path log() {
		return this.path.resolve(LOG_FILE);
	}

	/**
	 * Whether the directory holds a complete cache for a key: the key file names it and
	 * the archive's size, the archive has that size, and the extracted jar is there.
	 * @param key the key
	 * @param command the command the cache is for
	 * @return whether instances can be launched with it
	 */
	boolean holds(String key, JavaCommand command) {
		try {
			List<String> lines = Files.readAllLines(keyFile(), StandardCharsets.UTF_8);
			if (lines.size() < 2 || !lines.get(0).equals(key)) {
				return false;
			}
			if (Files.size(archive()) != Long.parseLong(lines.get(1))) {
				return false;
			}
			return command.jar() == null || Files.isRegularFile(extractedJar(command.jar()));
		}
		catch (IOException | NumberFormatException ex) {
			return false;
		}
	}

	/**
	 * Publish what a training wrote: the archive under its own name, then the key file.
	 * @param key the key the archive was trained for
	 * @throws IOException if there is no archive or it cannot be published
	 */
	void publish(String key) throws IOException {
		Path temporary = temporaryArchive();
		if (!Files.isRegularFile(temporary) || Files.size(temporary) == 0) {
			throw new IOException("the training wrote no archive");
		}
		Path archive = archive();
		CacheFiles.move(temporary, archive);
		Files.deleteIfExists(configuration());
		Path keyFile = this.path.resolve(KEY_FILE + ".tmp");
		Files.writeString(keyFile, key + "\n" + Files.size(archive) + "\n", StandardCharsets.UTF_8);
		CacheFiles.move(keyFile, keyFile());
	}

	/**
	 * Remove what an older key left, except the lock, so that the directory holds one
	 * application's cache however often it is retrained.
	 * @throws IOException if something cannot be removed
	 */
	void clean() throws IOException {
		try (Stream<Path> children = Files.list(this.path)) {
			for (Path child : children.toList()) {
				if (!child.getFileName().toString().equals(LOCK_FILE)) {
					CacheFiles.deleteRecursively(child);
				}
			}
		}
	}

}
