package dev.samboot.sam.internal.cache;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.samboot.sam.internal.cache.CacheFixtures.jdk;
import static dev.samboot.sam.internal.cache.CacheFixtures.parse;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the cache key depends on.
 */
class CacheKeyTests {

	@Test
	void theKeyChangesWithTheJarTheJdkAndTheJvmOptions(@TempDir Path directory) throws IOException {
		Path jdk = jdk(directory.resolve("jdk"), "17.0.15");
		Path jar = Files.writeString(directory.resolve("app.jar"), "one");
		JavaCommand command = parse(jdk.resolve("bin/java").toString(), "-Xmx1g", "-jar", jar.toString());
		String key = CacheKey.of(command, CacheKind.CDS, jdk);
		assertThat(CacheKey.of(command, CacheKind.CDS, jdk)).isEqualTo(key);
		Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 2000));
		String touched = CacheKey.of(command, CacheKind.CDS, jdk);
		assertThat(touched).as("a new build").isNotEqualTo(key);
		Files.writeString(jar, "a longer jar");
		Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis()));
		assertThat(CacheKey.of(command, CacheKind.CDS, jdk)).as("another size").isNotEqualTo(touched);
		String rebuilt = CacheKey.of(command, CacheKind.CDS, jdk);
		jdk(jdk, "17.0.16");
		assertThat(CacheKey.of(command, CacheKind.CDS, jdk)).as("a JDK update").isNotEqualTo(rebuilt);
		JavaCommand otherOptions = parse(jdk.resolve("bin/java").toString(), "-Xmx2g", "-jar", jar.toString());
		assertThat(CacheKey.of(otherOptions, CacheKind.CDS, jdk)).as("other JVM options")
			.isNotEqualTo(CacheKey.of(command, CacheKind.CDS, jdk));
	}

	@Test
	void theKeyChangesWithTheKindAndEachClassPathEntry(@TempDir Path directory) throws IOException {
		Path jdk = jdk(directory.resolve("jdk"), "25.0.3");
		Path a = Files.writeString(directory.resolve("a.jar"), "a");
		Path b = directory.resolve("b.jar");
		JavaCommand command = parse(jdk.resolve("bin/java").toString(), "-cp", a + File.pathSeparator + b, "Main");
		String key = CacheKey.of(command, CacheKind.AOT, jdk);
		assertThat(key).as("SHA-256 in hex").hasSize(64).matches("[0-9a-f]+");
		assertThat(CacheKey.of(command, CacheKind.CDS, jdk)).as("another kind").isNotEqualTo(key);
		Files.writeString(b, "b");
		assertThat(CacheKey.of(command, CacheKind.AOT, jdk)).as("a missing entry appears").isNotEqualTo(key);
	}

	@Test
	void aJdkWithoutReleaseFileHasAKeyToo(@TempDir Path directory) throws IOException {
		Path jdk = jdk(directory.resolve("jdk"), "17.0.15");
		JavaCommand command = parse(jdk.resolve("bin/java").toString(), "-jar",
				directory.resolve("app.jar").toString());
		String withRelease = CacheKey.of(command, CacheKind.CDS, jdk);
		Files.delete(jdk.resolve("release"));
		String without = CacheKey.of(command, CacheKind.CDS, jdk);
		assertThat(without).isNotEqualTo(withRelease).isEqualTo(CacheKey.of(command, CacheKind.CDS, jdk));
	}

}
