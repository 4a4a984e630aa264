package dev.samboot.sam.internal.cache;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cache's file operations, on real files.
 */
class CacheFilesTests {

	@Test
	void aMoveReplacesTheTarget(@TempDir Path directory) throws IOException {
		Path from = Files.writeString(directory.resolve("key.tmp"), "new");
		Path to = Files.writeString(directory.resolve("key"), "old");
		CacheFiles.move(from, to);
		assertThat(from).doesNotExist();
		assertThat(to).hasContent("new");
	}

	@Test
	void aTreeIsDeletedButNotWhatALinkInItPointsTo(@TempDir Path directory) throws IOException {
		Path outside = Files.writeString(Files.createDirectories(directory.resolve("outside")).resolve("keep"), "k");
		Path tree = Files.createDirectories(directory.resolve("app/lib"));
		Files.writeString(tree.resolve("a.jar"), "a");
		Files.createSymbolicLink(tree.resolve("link"), outside.getParent());
		CacheFiles.deleteRecursively(directory.resolve("app"));
		assertThat(directory.resolve("app")).doesNotExist();
		assertThat(outside).hasContent("k");
		CacheFiles.deleteRecursively(directory.resolve("app"));
	}

	@Test
	void deletingQuietlyNeverThrows(@TempDir Path directory) throws IOException {
		Path file = Files.writeString(directory.resolve("app.jsa.tmp"), "x");
		CacheFiles.deleteQuietly(file);
		assertThat(file).doesNotExist();
		CacheFiles.deleteQuietly(file);
		Path notEmpty = Files.createDirectories(directory.resolve("app"));
		Files.writeString(notEmpty.resolve("a.jar"), "a");
		CacheFiles.deleteQuietly(notEmpty);
		assertThat(notEmpty).as("only logged").isDirectory();
	}

}
