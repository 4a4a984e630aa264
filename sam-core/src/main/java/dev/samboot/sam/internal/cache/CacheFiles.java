package dev.samboot.sam.internal.cache;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The file operations of the cache: publishing by rename, so that an instance never sees
 * half a file, and deleting what a training leaves.
 */
final class CacheFiles {

	// the start-up cache's logger, whichever of its classes logs
	private static final System.Logger logger = System.getLogger(StartupCache.class.getName());

	private CacheFiles() {
	}

	/**
	 * Move a file over another, atomically where the file system can.
	 * @param from the file
	 * @param to where it goes, replaced if it exists
	 * @throws IOException if it cannot be moved
	 */
	static void move(Path from, Path to) throws IOException {
		try {
			Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		}
		catch (AtomicMoveNotSupportedException ex) {
			Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
		}
	}

	/**
	 * Delete a file if it exists; a failure is only logged, at DEBUG, because what is
	 * left is ignored or cleaned by the next training.
	 * @param path the file
	 */
	static void deleteQuietly(Path path) {
		try {
			Files.deleteIfExists(path);
		}
		catch (IOException ex) {
			logger.log(Level.DEBUG, "Cannot delete " + path + ": " + ex.getMessage());
		}
	}

	/**
	 * Delete a file or a directory with everything in it; a link is deleted, not
	 * followed.
	 * @param path the file or directory
	 * @throws IOException if something cannot be deleted
	 */
	static void deleteRecursively(Path path) throws IOException {
		if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(path)) {
			for (Path each : paths.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(each);
			}
		}
	}

}
