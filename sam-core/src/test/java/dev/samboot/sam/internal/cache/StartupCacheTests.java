package dev.samboot.sam.internal.cache;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.samboot.sam.internal.supervisor.ActiveProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.samboot.sam.internal.cache.CacheFixtures.jdk;
import static dev.samboot.sam.internal.cache.CacheFixtures.scriptedJdk;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * When the start-up cache gives an instance the cached command and when the plain one,
 * when it trains, and when it turns itself off.
 */
class StartupCacheTests {

	@Test
	void theCachedCommandIsUsedOnlyWhileTheArchiveMatchesTheKey(@TempDir Path directory) throws IOException {
		Path jdk = jdk(directory.resolve("jdk"), "25.0.3");
		Path jar = Files.writeString(directory.resolve("app.jar"), "one");
		Path cacheDirectory = directory.resolve("cache");
		List<String> plain = List.of(jdk.resolve("bin/java").toString(), "-jar", jar.toString(), "--x");
		StartupCache cache = StartupCache.create(cacheDirectory, List.of(), List.of(), plain, Map.of()).orElseThrow();
		assertThat(cache.kind()).isEqualTo(CacheKind.AOT);
		assertThat(cache.command()).as("nothing trained yet").isEqualTo(plain);
		JavaCommand command = JavaCommand.parse(plain).command();
		String key = CacheKey.of(command, CacheKind.AOT, JdkRelease.home(command.java()));
		Files.createDirectories(cacheDirectory.resolve("app"));
		Files.writeString(cacheDirectory.resolve("app/app.jar"), "extracted");
		Files.writeString(cacheDirectory.resolve("app.aot"), "archive");
		Files.writeString(cacheDirectory.resolve("key"), key + "\n7\n");
		assertThat(cache.command()).contains("-XX:AOTCache=" + cacheDirectory.resolve("app.aot"))
			.contains(cacheDirectory.resolve("app/app.jar").toString());
		Files.writeString(cacheDirectory.resolve("app.aot"), "archi");
		assertThat(cache.command()).as("a truncated archive").isEqualTo(plain);
		Files.writeString(cacheDirectory.resolve("app.aot"), "archive");
		assertThat(cache.command()).contains("-XX:AOTCache=" + cacheDirectory.resolve("app.aot"));
		Files.delete(cacheDirectory.resolve("app/app.jar"));
		assertThat(cache.command()).as("the extracted jar removed").isEqualTo(plain);
		Files.writeString(cacheDirectory.resolve("app/app.jar"), "extracted");
		Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 2000));
		assertThat(cache.command()).as("a new build of the jar").isEqualTo(plain);
	}

	@Test
	void aCachedInstanceNeverTrainsAndOneThatEndsBeforeStartTurnsTheCacheOff(@TempDir Path directory)
			throws IOException {
		Path jdk = jdk(directory.resolve("jdk"), "17.0.15");
		Path cacheDirectory = directory.resolve("cache");
		Path classes = Files.createDirectories(directory.resolve("classes"));
		List<String> plain = List.of(jdk.resolve("bin/java").toString(), "-cp", classes.toString(), "Main");
		StartupCache cache = StartupCache.create(cacheDirectory, List.of(), List.of(), plain, Map.of()).orElseThrow();
		JavaCommand command = JavaCommand.parse(plain).command();
		String key = CacheKey.of(command, CacheKind.CDS, JdkRelease.home(command.java()));
		Files.createDirectories(cacheDirectory);
		Files.writeString(cacheDirectory.resolve("app.jsa"), "archive");
		Files.writeString(cacheDirectory.resolve("key"), key + "\n7\n");
		List<String> cached = cache.command();
		assertThat(cached).contains("-XX:SharedArchiveFile=" + cacheDirectory.resolve("app.jsa"));
		cache.launched(new EndedProcess(41), cached);
		Files.setLastModifiedTime(classes, FileTime.fromMillis(Files.getLastModifiedTime(classes).toMillis() + 2000));
		cache.started(41);
		assertThat(cache.training()).as("an instance runs from the cache directory").isFalse();
		key = CacheKey.of(command, CacheKind.CDS, JdkRelease.home(command.java()));
		Files.writeString(cacheDirectory.resolve("key"), key + "\n7\n");
		assertThat(cache.endedBeforeStart(41, 0)).as("it had started").isFalse();
		cache.launched(new EndedProcess(42), plain);
		assertThat(cache.endedBeforeStart(42, 1)).as("launched without the cache").isFalse();
		cache.launched(new EndedProcess(43), cache.command());
		assertThat(cache.endedBeforeStart(43, 134)).isTrue();
		assertThat(cache.command()).isEqualTo(plain);
		assertThat(cacheDirectory.resolve("key")).as("the next supervisor trains it again").doesNotExist();
	}

	@Test
	void aJdkWithoutDynamicArchivesGetsNoCache(@TempDir Path directory) throws IOException {
		Path jdk = jdk(directory.resolve("jdk"), "11.0.2");
		assertThat(StartupCache.create(directory.resolve("cache"), List.of(), List.of(),
				List.of(jdk.resolve("bin/java").toString(), "-jar", "a.jar"), Map.of()))
			.isEmpty();
	}

	@Test
	void aCommandItCannotRewriteOrAJdkOfUnknownVersionGetsNoCache(@TempDir Path directory) throws IOException {
		Path jdk = jdk(directory.resolve("jdk"), "17.0.15");
		assertThat(StartupCache.create(directory.resolve("cache"), List.of(), List.of(),
				List.of(jdk.resolve("bin/java").toString(), "-m", "app/com.example.Main"), Map.of()))
			.isEmpty();
		Files.delete(jdk.resolve("release"));
		assertThat(StartupCache.create(directory.resolve("cache"), List.of(), List.of(),
				List.of(jdk.resolve("bin/java").toString(), "-jar", "a.jar"), Map.of()))
			.isEmpty();
	}

	@Test
	void anInstanceLaunchedPlainTrainsOnceAKeyAndAFailedTrainingIsNotTriedAgain(@TempDir Path directory)
			throws IOException {
		Path jdk = scriptedJdk(directory.resolve("jdk"), "17.0.15", 1);
		Path cacheDirectory = directory.resolve("cache");
		List<String> plain = List.of(jdk.resolve("bin/java").toString(), "-cp", "/a.jar", "Main");
		try (StartupCache cache = StartupCache
			.create(cacheDirectory, List.of(), List.of(), plain, Map.of("PATH", System.getenv("PATH")))
			.orElseThrow()) {
			cache.launched(new EndedProcess(51), cache.command());
			cache.started(51);
			await().atMost(Duration.ofSeconds(30)).until(() -> !cache.training());
			assertThat(cacheDirectory.resolve("training.log")).content().startsWith("$ " + plain.get(0));
			assertThat(cacheDirectory.resolve("key")).as("nothing published").doesNotExist();
			cache.launched(new EndedProcess(52), cache.command());
			cache.started(52);
			assertThat(cache.training()).as("the key was tried").isFalse();
			assertThat(cache.command()).isEqualTo(plain);
		}
	}

	private record EndedProcess(long pid) implements ActiveProcess {

		@Override
		public void signal(int signal) {
		}

		@Override
		public java.util.concurrent.CompletableFuture<Integer> onExit() {
			// the JVM reaps a process before the supervisor's loop hears of it
			return java.util.concurrent.CompletableFuture.completedFuture(0);
		}

	}

}
