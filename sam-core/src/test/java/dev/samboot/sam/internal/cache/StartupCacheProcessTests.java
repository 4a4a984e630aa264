package dev.samboot.sam.internal.cache;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import dev.samboot.sam.SupervisedRun;
import dev.samboot.sam.TestSam;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The start-up cache with real processes: the supervisor trains it in the background once
 * the first instance has started, and launches the next instance with it.
 */
@Timeout(120)
class StartupCacheProcessTests {

	private static final Duration LIMIT = Duration.ofSeconds(90);

	@Test
	void theSecondInstanceStartsWithTheArchiveTheSupervisorTrained(@TempDir Path directory) throws Exception {
		Path cache = directory.resolve("cache");
		CacheKind kind = CacheKind.forFeature(Runtime.version().feature()).orElseThrow();
		Path archive = cache.resolve(kind.fileName());
		List<String> command = new ArrayList<>(SupervisedRun.javaCommand());
		command.add("-cp");
		command.add(jarsOnly(SupervisedRun.testClassPath(), directory));
		command.addAll(List.of(TestSam.class.getName(), "startup-cache", "500", cache.toString()));
		try (SupervisedRun run = SupervisedRun.start(command)) {
			String first = run.awaitLine((l) -> l.startsWith("instance 1 command "), LIMIT);
			assertThat(first).doesNotContain("-XX:SharedArchiveFile", "-XX:AOTCache");
			String second = run.awaitLine((l) -> l.startsWith("instance 2 command "), LIMIT);
			assertThat(second).as(run.output()).contains(CacheCommands.useOption(kind, archive));
			assertThat(run.awaitExit(LIMIT)).as(run.output()).isZero();
		}
		assertThat(archive).isRegularFile();
		assertThat(Files.size(archive)).isPositive();
		assertThat(cache.resolve("key")).isRegularFile();
		try (var files = Files.list(cache)) {
			assertThat(files.map((f) -> f.getFileName().toString())).as("only the published cache is left")
				.containsExactlyInAnyOrder(kind.fileName(), "key", ".lock", "training.log");
		}
	}

	/**
	 * Class-data archives take classes from jars only: pack the class path's directories.
	 */
	private static String jarsOnly(String classPath, Path directory) throws IOException {
		List<String> entries = new ArrayList<>();
		int count = 0;
		for (String entry : classPath.split(File.pathSeparator)) {
			Path path = Path.of(entry);
			if (!Files.isDirectory(path)) {
				entries.add(entry);
				continue;
			}
			Path jar = directory.resolve("classes-" + (count++) + ".jar");
			try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
					Stream<Path> files = Files.walk(path)) {
				for (Path file : files.filter(Files::isRegularFile).toList()) {
					out.putNextEntry(new JarEntry(path.relativize(file).toString().replace(File.separatorChar, '/')));
					Files.copy(file, out);
					out.closeEntry();
				}
			}
			entries.add(jar.toString());
		}
		return String.join(File.pathSeparator, entries);
	}

}
