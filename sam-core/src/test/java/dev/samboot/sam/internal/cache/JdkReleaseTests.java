package dev.samboot.sam.internal.cache;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.samboot.sam.internal.cache.CacheFixtures.jdk;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the release of the JDK that launches the instances is found.
 */
class JdkReleaseTests {

	@Test
	void theFeatureVersionIsReadFromTheReleaseFile() {
		assertThat(JdkRelease.featureVersion("IMPLEMENTOR=\"x\"\nJAVA_VERSION=\"17.0.15\"\n")).hasValue(17);
		assertThat(JdkRelease.featureVersion("JAVA_VERSION=\"25.0.3\"\n")).hasValue(25);
		assertThat(JdkRelease.featureVersion("JAVA_VERSION=\"1.8.0_402\"\n")).hasValue(8);
		assertThat(JdkRelease.featureVersion("JAVA_VERSION=\"26-ea\"\n")).hasValue(26);
		assertThat(JdkRelease.featureVersion("JAVA_VERSION=\"21+35\"\n")).hasValue(21);
		assertThat(JdkRelease.featureVersion("JAVA_VERSION=\"9\"\n")).hasValue(9);
		assertThat(JdkRelease.featureVersion("JAVA_VERSION=\"1.8\"\n")).hasValue(8);
		assertThat(JdkRelease.featureVersion("JAVA_VERSION=\"\"\n")).isEmpty();
		assertThat(JdkRelease.featureVersion("OS_NAME=Linux\n")).isEmpty();
		assertThat(JdkRelease.featureVersion("JAVA_VERSION=\"unknown\"\n")).isEmpty();
	}

	@Test
	void theHomeIsTwoLevelsAboveTheRealExecutable(@TempDir Path directory) throws IOException {
		Path jdk = jdk(directory.resolve("jdk"), "21.0.7");
		Path link = Files.createSymbolicLink(Files.createDirectories(directory.resolve("usr/bin")).resolve("java"),
				jdk.resolve("bin/java"));
		assertThat(JdkRelease.home(jdk.resolve("bin/java").toString())).isEqualTo(jdk.toRealPath());
		assertThat(JdkRelease.home(link.toString())).as("links followed").isEqualTo(jdk.toRealPath());
		assertThat(JdkRelease.home(directory.resolve("none/bin/java").toString())).as("a missing executable")
			.isEqualTo(directory.resolve("none"));
		assertThat(JdkRelease.home("/java")).as("no home above it").isEqualTo(Path.of("/java"));
	}

	@Test
	void theReleaseFileOfAHome(@TempDir Path directory) throws IOException {
		Path jdk = jdk(directory.resolve("jdk"), "17.0.15");
		assertThat(JdkRelease.contents(jdk)).hasValue("JAVA_VERSION=\"17.0.15\"\n");
		assertThat(JdkRelease.featureVersion(jdk)).hasValue(17);
		assertThat(JdkRelease.contents(directory)).as("no release file").isEmpty();
		assertThat(JdkRelease.featureVersion(directory)).isEmpty();
	}

}
