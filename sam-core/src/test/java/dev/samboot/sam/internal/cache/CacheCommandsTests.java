package dev.samboot.sam.internal.cache;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import static dev.samboot.sam.internal.cache.CacheFixtures.parse;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the start-up cache rewrites the command of an instance, and the commands that train
 * it.
 */
class CacheCommandsTests {

	private static final Path CACHE = Path.of("/var/cache/app");

	@Test
	void anExecutableJarIsReplacedByTheExtractedJarAndTheArchiveIsUsedOnJdk17() {
		JavaCommand command = parse("/jdk/bin/java", "-Xmx256m", "-Dx=1", "-jar", "/opt/app.jar", "--a=1", "b");
		assertThat(command.jar()).isEqualTo(Path.of("/opt/app.jar"));
		assertThat(CacheCommands.cached(command, new CacheDirectory(CACHE, CacheKind.CDS))).containsExactly(
				"/jdk/bin/java", "-XX:SharedArchiveFile=/var/cache/app/app.jsa", "-Xmx256m", "-Dx=1", "-jar",
				"/var/cache/app/app/app.jar", "--a=1", "b");
	}

	@Test
	void aClassPathCommandKeepsItsClassPathAndMainClass() {
		JavaCommand command = parse("/jdk/bin/java", "-cp", "/a.jar:/b", "--add-opens", "java.base/java.io=ALL-UNNAMED",
				"com.example.Main", "-jar", "x");
		assertThat(command.jar()).isNull();
		assertThat(command.classPath()).containsExactly(Path.of("/a.jar"), Path.of("/b"));
		assertThat(CacheCommands.cached(command, new CacheDirectory(CACHE, CacheKind.AOT))).containsExactly(
				"/jdk/bin/java", "-XX:AOTCache=/var/cache/app/app.aot", "-cp", "/a.jar:/b", "--add-opens",
				"java.base/java.io=ALL-UNNAMED", "com.example.Main", "-jar", "x");
	}

	@Test
	void jdk17TrainsADynamicArchiveInOneRunThatExitsByItself() {
		JavaCommand command = parse("/jdk/bin/java", "-Xmx256m", "-jar", "/opt/app.jar", "--a=1");
		assertThat(CacheCommands.training(command, new CacheDirectory(CACHE, CacheKind.CDS),
				List.of("-Dspring.context.exit=onRefresh"), List.of("--sam.enabled=false")))
			.containsExactly(List.of("/jdk/bin/java", "-XX:ArchiveClassesAtExit=/var/cache/app/app.jsa.tmp", "-Xmx256m",
					"-Dspring.context.exit=onRefresh", "-jar", "/var/cache/app/app/app.jar", "--a=1",
					"--sam.enabled=false"));
	}

	@Test
	void jdk25RecordsAConfigurationThenCreatesTheAotCache() {
		JavaCommand command = parse("/jdk/bin/java", "-Xmx256m", "-jar", "/opt/app.jar", "--a=1");
		assertThat(CacheCommands.training(command, new CacheDirectory(CACHE, CacheKind.AOT),
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
	void theAotCommandsLeaveOutXshareAutoWhichJdk25RefusesBesideTheAotOptions() {
		JavaCommand command = parse("/jdk/bin/java", "-Xshare:auto", "-Xmx256m", "-cp", "/opt/classes", "app.Main");
		List<List<String>> aot = CacheCommands.training(command, new CacheDirectory(CACHE, CacheKind.AOT), List.of(),
				List.of());
		assertThat(aot).hasSize(2)
			.allSatisfy((step) -> assertThat(step).doesNotContain("-Xshare:auto").contains("-Xmx256m"));
		List<List<String>> cds = CacheCommands.training(command, new CacheDirectory(CACHE, CacheKind.CDS), List.of(),
				List.of());
		assertThat(cds).singleElement().satisfies((step) -> assertThat(step).contains("-Xshare:auto"));
		assertThat(CacheCommands.cached(command, new CacheDirectory(CACHE, CacheKind.AOT)))
			.doesNotContain("-Xshare:auto")
			.contains("-XX:AOTCache=/var/cache/app/app.aot");
		assertThat(CacheCommands.cached(command, new CacheDirectory(CACHE, CacheKind.CDS))).contains("-Xshare:auto");
	}

	@Test
	void anExecutableJarIsExtractedIntoTheCacheDirectory() {
		JavaCommand command = parse("/jdk/bin/java", "-Xmx256m", "-jar", "/opt/app.jar", "--a=1");
		assertThat(CacheCommands.extraction(command, new CacheDirectory(CACHE, CacheKind.CDS))).containsExactly(
				"/jdk/bin/java", "-Djarmode=tools", "-jar", "/opt/app.jar", "extract", "--destination",
				"/var/cache/app/app");
	}

	@Test
	void theOptionThatUsesAnArchive() {
		assertThat(CacheCommands.useOption(CacheKind.CDS, Path.of("/c/app.jsa")))
			.isEqualTo("-XX:SharedArchiveFile=/c/app.jsa");
		assertThat(CacheCommands.useOption(CacheKind.AOT, Path.of("/c/app.aot"))).isEqualTo("-XX:AOTCache=/c/app.aot");
	}

}
