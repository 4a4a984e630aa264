package dev.samboot.sam.internal.cache;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.samboot.sam.internal.cache.CacheFixtures.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * Where the files of a cache live, and when they make a complete cache.
 */
class CacheDirectoryTests {

	@Test
	void theFilesOfACache() {
		Path path = Path.of("/var/cache/app");
		CacheDirectory cds = new CacheDirectory(path, CacheKind.CDS);
		assertThat(cds.archive()).isEqualTo(Path.of("/var/cache/app/app.jsa"));
		assertThat(cds.temporaryArchive()).isEqualTo(Path.of("/var/cache/app/app.jsa.tmp"));
		CacheDirectory aot = new CacheDirectory(path, CacheKind.AOT);
		assertThat(aot.archive()).isEqualTo(Path.of("/var/cache/app/app.aot"));
		assertThat(aot.temporaryArchive()).isEqualTo(Path.of("/var/cache/app/app.aot.tmp"));
		assertThat(aot.configuration()).isEqualTo(Path.of("/var/cache/app/app.aotconf"));
		assertThat(aot.extractedJar(Path.of("/opt/app.jar"))).isEqualTo(Path.of("/var/cache/app/app/app.jar"));
		assertThat(aot.keyFile()).isEqualTo(Path.of("/var/cache/app/key"));
		assertThat(aot.lockFile()).isEqualTo(Path.of("/var/cache/app/.lock"));
		assertThat(aot.log()).isEqualTo(Path.of("/var/cache/app/training.log"));
	}

	@Test
	void aPublishedArchiveMakesACompleteCacheForItsKeyOnly(@TempDir Path path) throws IOException {
		CacheDirectory directory = new CacheDirectory(path, CacheKind.CDS);
		JavaCommand command = parse("/jdk/bin/java", "-cp", "/a.jar", "Main");
		assertThat(directory.holds("k1", command)).as("nothing trained").isFalse();
		Files.writeString(directory.temporaryArchive(), "archive");
		directory.publish("k1");
		assertThat(directory.temporaryArchive()).doesNotExist();
		assertThat(directory.archive()).hasContent("archive");
		assertThat(directory.keyFile()).hasContent("k1\n7\n");
		assertThat(directory.holds("k1", command)).isTrue();
		assertThat(directory.holds("k2", command)).as("another key").isFalse();
		Files.writeString(directory.archive(), "archiv");
		assertThat(directory.holds("k1", command)).as("another size").isFalse();
		Files.writeString(directory.keyFile(), "k1\nseven\n");
		assertThat(directory.holds("k1", command)).as("a damaged key file").isFalse();
	}

	@Test
	void anExecutableJarNeedsItsExtractedJarAndAnAotCacheLosesItsConfiguration(@TempDir Path path) throws IOException {
		CacheDirectory directory = new CacheDirectory(path, CacheKind.AOT);
		JavaCommand command = parse("/jdk/bin/java", "-jar", "/opt/app.jar");
		Files.writeString(directory.configuration(), "configuration");
		Files.writeString(directory.temporaryArchive(), "cache");
		directory.publish("k");
		assertThat(directory.configuration()).doesNotExist();
		assertThat(directory.holds("k", command)).as("not extracted").isFalse();
		Files.createDirectories(directory.extracted());
		Files.writeString(directory.extractedJar(command.jar()), "extracted");
		assertThat(directory.holds("k", command)).isTrue();
	}

	@Test
	void anEmptyOrMissingArchiveIsNotPublished(@TempDir Path path) throws IOException {
		CacheDirectory directory = new CacheDirectory(path, CacheKind.CDS);
		assertThatIOException().isThrownBy(() -> directory.publish("k")).withMessage("the training wrote no archive");
		Files.writeString(directory.temporaryArchive(), "");
		assertThatIOException().isThrownBy(() -> directory.publish("k")).withMessage("the training wrote no archive");
		assertThat(directory.keyFile()).doesNotExist();
	}

	@Test
	void cleaningKeepsOnlyTheLock(@TempDir Path path) throws IOException {
		CacheDirectory directory = new CacheDirectory(path, CacheKind.CDS);
		Files.writeString(directory.lockFile(), "");
		Files.writeString(directory.archive(), "archive");
		Files.writeString(directory.keyFile(), "k\n7\n");
		Files.createDirectories(directory.extracted().resolve("lib"));
		Files.writeString(directory.extracted().resolve("lib/a.jar"), "a");
		directory.clean();
		try (var files = Files.list(path)) {
			assertThat(files).containsExactly(directory.lockFile());
		}
	}

}
