package dev.samboot.sam.internal.cache;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;

import dev.samboot.sam.internal.supervisor.ActiveProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the start-up cache rewrites the command of an instance and when it keeps the plain one.
 */
class StartupCacheTests {

	private static final Path CACHE = Path.of("/var/cache/app");

	@Test
	void anExecutableJarIsReplacedByTheExtractedJarAndTheArchiveIsUsedOnJdk17() {
		StartupCache.Command command = parse("/jdk/bin/java", "-Xmx256m", "-Dx=1", "-jar", "/opt/app.jar", "--a=1", "b");
		assertThat(command.jar()).isEqualTo(Path.of("/opt/app.jar"));
		assertThat(StartupCache.cachedCommand(command, StartupCache.Kind.CDS, CACHE)).containsExactly("/jdk/bin/java",
				"-XX:SharedArchiveFile=/var/cache/app/app.jsa", "-Xmx256m", "-Dx=1", "-jar",
				"/var/cache/app/app/app.jar", "--a=1", "b");
	}

	@Test
	void aClassPathCommandKeepsItsClassPathAndMainClass() {
		StartupCache.Command command = parse("/jdk/bin/java", "-cp", "/a.jar:/b", "--add-opens",
				"java.base/java.io=ALL-UNNAMED", "com.example.Main", "-jar", "x");
		assertThat(command.jar()).isNull();
		assertThat(command.classPath()).containsExactly(Path.of("/a.jar"), Path.of("/b"));
		assertThat(StartupCache.cachedCommand(command, StartupCache.Kind.AOT, CACHE)).containsExactly("/jdk/bin/java",
				"-XX:AOTCache=/var/cache/app/app.aot", "-cp", "/a.jar:/b", "--add-opens",
				"java.base/java.io=ALL-UNNAMED", "com.example.Main", "-jar", "x");
	}

	@Test
	void jdk17TrainsADynamicArchiveInOneRunThatExitsByItself() {
		StartupCache.Command command = parse("/jdk/bin/java", "-Xmx256m", "-jar", "/opt/app.jar", "--a=1");
		assertThat(StartupCache.trainingCommands(command, StartupCache.Kind.CDS, CACHE,
				List.of("-Dspring.context.exit=onRefresh"), List.of("--sam.enabled=false")))
			.containsExactly(List.of("/jdk/bin/java", "-XX:ArchiveClassesAtExit=/var/cache/app/app.jsa.tmp", "-Xmx256m",
					"-Dspring.context.exit=onRefresh", "-jar", "/var/cache/app/app/app.jar", "--a=1",
					"--sam.enabled=false"));
	}

	@Test
	void jdk25RecordsAConfigurationThenCreatesTheAotCache() {
		StartupCache.Command command = parse("/jdk/bin/java", "-Xmx256m", "-jar", "/opt/app.jar", "--a=1");
		assertThat(StartupCache.trainingCommands(command, StartupCache.Kind.AOT, CACHE,
				List.of("-Dspring.context.exit=onRefresh"), List.of("--sam.enabled=false")))
			.containsExactly(
					List.of("/jdk/bin/java", "-XX:AOTMode=record", "-XX:AOTConfiguration=/var/cache/app/app.aotconf",
							"-Xmx256m", "-Dspring.context.exit=onRefresh", "-jar", "/var/cache/app/app/app.jar",
							"--a=1", "--sam.enabled=false"),
					List.of("/jdk/bin/java", "-XX:AOTMode=create", "-XX:AOTConfiguration=/var/cache/app/app.aotconf",
							"-XX:AOTCache=/var/cache/app/app.aot.tmp", "-Xmx256m", "-jar",
							"/var/cache/app/app/app.jar"));
	}

	@Test
	void theKindOfCacheFollowsTheFeatureVersionOfTheLaunchedJdk() {
		assertThat(StartupCache.featureVersion("IMPLEMENTOR=\"x\"\nJAVA_VERSION=\"17.0.15\"\n")).hasValue(17);
		assertThat(StartupCache.featureVersion("JAVA_VERSION=\"25.0.3\"\n")).hasValue(25);
		assertThat(StartupCache.featureVersion("JAVA_VERSION=\"1.8.0_402\"\n")).hasValue(8);
		assertThat(StartupCache.featureVersion("JAVA_VERSION=\"26-ea\"\n")).hasValue(26);
		assertThat(StartupCache.featureVersion("OS_NAME=Linux\n")).isEmpty();
		assertThat(StartupCache.Kind.forFeature(17)).hasValue(StartupCache.Kind.CDS);
		assertThat(StartupCache.Kind.forFeature(21)).hasValue(StartupCache.Kind.CDS);
		assertThat(StartupCache.Kind.forFeature(24)).hasValue(StartupCache.Kind.AOT);
		assertThat(StartupCache.Kind.forFeature(25)).hasValue(StartupCache.Kind.AOT);
		assertThat(StartupCache.Kind.forFeature(11)).isEmpty();
	}

	@Test
	void commandsTheCacheCannotRewriteAreLeftAlone() {
		assertThat(StartupCache.Command.parse(List.of("/jdk/bin/java", "-m", "app/com.example.Main")).obstacle())
			.contains("module");
		assertThat(StartupCache.Command.parse(List.of("/jdk/bin/java", "@args", "Main")).obstacle())
			.contains("argument file");
		assertThat(StartupCache.Command.parse(List.of("/jdk/bin/java", "-Xshare:off", "-jar", "a.jar")).obstacle())
			.contains("-Xshare:off");
		assertThat(StartupCache.Command.parse(List.of("/jdk/bin/java", "-XX:SharedArchiveFile=x.jsa", "-jar", "a.jar"))
			.obstacle()).contains("class-data sharing");
		assertThat(StartupCache.Command.parse(List.of("/jdk/bin/java", "-Xmx1g")).obstacle()).contains("no main class");
	}

	@Test
	void theKeyChangesWithTheJarTheJdkAndTheJvmOptions(@TempDir Path directory) throws IOException {
		Path jdk = jdk(directory.resolve("jdk"), "17.0.15");
		Path jar = Files.writeString(directory.resolve("app.jar"), "one");
		StartupCache.Command command = parse(jdk.resolve("bin/java").toString(), "-Xmx1g", "-jar", jar.toString());
		String key = StartupCache.key(command, StartupCache.Kind.CDS, jdk);
		assertThat(StartupCache.key(command, StartupCache.Kind.CDS, jdk)).isEqualTo(key);
		Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 2000));
		String touched = StartupCache.key(command, StartupCache.Kind.CDS, jdk);
		assertThat(touched).as("a new build").isNotEqualTo(key);
		Files.writeString(jar, "a longer jar");
		Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis()));
		assertThat(StartupCache.key(command, StartupCache.Kind.CDS, jdk)).as("another size").isNotEqualTo(touched);
		String rebuilt = StartupCache.key(command, StartupCache.Kind.CDS, jdk);
		jdk(jdk, "17.0.16");
		assertThat(StartupCache.key(command, StartupCache.Kind.CDS, jdk)).as("a JDK update").isNotEqualTo(rebuilt);
		StartupCache.Command otherOptions = parse(jdk.resolve("bin/java").toString(), "-Xmx2g", "-jar", jar.toString());
		assertThat(StartupCache.key(otherOptions, StartupCache.Kind.CDS, jdk)).as("other JVM options")
			.isNotEqualTo(StartupCache.key(command, StartupCache.Kind.CDS, jdk));
	}

	@Test
	void theCachedCommandIsUsedOnlyWhileTheArchiveMatchesTheKey(@TempDir Path directory) throws IOException {
		Path jdk = jdk(directory.resolve("jdk"), "25.0.3");
		Path jar = Files.writeString(directory.resolve("app.jar"), "one");
		Path cacheDirectory = directory.resolve("cache");
		List<String> plain = List.of(jdk.resolve("bin/java").toString(), "-jar", jar.toString(), "--x");
		StartupCache cache = StartupCache.create(cacheDirectory, List.of(), List.of(), plain, Map.of()).orElseThrow();
		assertThat(cache.kind()).isEqualTo(StartupCache.Kind.AOT);
		assertThat(cache.command()).as("nothing trained yet").isEqualTo(plain);
		StartupCache.Command command = StartupCache.Command.parse(plain).command();
		String key = StartupCache.key(command, StartupCache.Kind.AOT, StartupCache.javaHome(command.java()));
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
	void aCachedInstanceNeverTrainsAndOneThatEndsBeforeStartTurnsTheCacheOff(@TempDir Path directory) throws IOException {
		Path jdk = jdk(directory.resolve("jdk"), "17.0.15");
		Path cacheDirectory = directory.resolve("cache");
		Path classes = Files.createDirectories(directory.resolve("classes"));
		List<String> plain = List.of(jdk.resolve("bin/java").toString(), "-cp", classes.toString(), "Main");
		StartupCache cache = StartupCache.create(cacheDirectory, List.of(), List.of(), plain, Map.of()).orElseThrow();
		StartupCache.Command command = StartupCache.Command.parse(plain).command();
		String key = StartupCache.key(command, StartupCache.Kind.CDS, StartupCache.javaHome(command.java()));
		Files.createDirectories(cacheDirectory);
		Files.writeString(cacheDirectory.resolve("app.jsa"), "archive");
		Files.writeString(cacheDirectory.resolve("key"), key + "\n7\n");
		List<String> cached = cache.command();
		assertThat(cached).contains("-XX:SharedArchiveFile=" + cacheDirectory.resolve("app.jsa"));
		cache.launched(new EndedProcess(41), cached);
		Files.setLastModifiedTime(classes, FileTime.fromMillis(Files.getLastModifiedTime(classes).toMillis() + 2000));
		cache.started(41);
		assertThat(cache.training()).as("an instance runs from the cache directory").isFalse();
		key = StartupCache.key(command, StartupCache.Kind.CDS, StartupCache.javaHome(command.java()));
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
				List.of(jdk.resolve("bin/java").toString(), "-jar", "a.jar"), Map.of())).isEmpty();
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

	private static StartupCache.Command parse(String... command) {
		StartupCache.Parsed parsed = StartupCache.Command.parse(List.of(command));
		assertThat(parsed.obstacle()).isNull();
		return parsed.command();
	}

	private static Path jdk(Path home, String version) throws IOException {
		Files.createDirectories(home.resolve("bin"));
		if (!Files.exists(home.resolve("bin/java"))) {
			Files.writeString(home.resolve("bin/java"), "");
		}
		Files.writeString(home.resolve("release"), "JAVA_VERSION=\"" + version + "\"\n");
		return home;
	}

}
