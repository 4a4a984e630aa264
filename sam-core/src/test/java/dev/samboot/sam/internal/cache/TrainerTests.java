package dev.samboot.sam.internal.cache;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static dev.samboot.sam.internal.cache.CacheFixtures.parse;
import static dev.samboot.sam.internal.cache.CacheFixtures.scriptedJdk;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A training in the background, with a {@code java} that is a shell script standing in
 * for the JVM.
 */
@Timeout(60)
class TrainerTests {

	@Test
	void aTrainingRunsItsStepsAndPublishesTheArchive(@TempDir Path directory) throws IOException {
		Path java = scriptedJdk(directory.resolve("jdk"), "17.0.15", 0).resolve("bin/java");
		CacheDirectory cache = new CacheDirectory(directory.resolve("cache"), CacheKind.CDS);
		JavaCommand command = parse(java.toString(), "-Xmx64m", "-cp", "/a.jar", "Main", "--a");
		train(new Trainer(command, cache, List.of("-Dexit=1"), List.of("--train"), steps()), "k1");
		assertThat(cache.archive()).hasContent("archive");
		assertThat(cache.keyFile()).hasContent("k1\n7\n");
		assertThat(cache.holds("k1", command)).isTrue();
		assertThat(cache.temporaryArchive()).doesNotExist();
		assertThat(Files.readAllLines(cache.log())).containsExactly(
				"$ " + java + " -XX:ArchiveClassesAtExit=" + cache.temporaryArchive()
						+ " -Xmx64m -cp /a.jar -Dexit=1 Main --a --train",
				"java -XX:ArchiveClassesAtExit=" + cache.temporaryArchive()
						+ " -Xmx64m -cp /a.jar -Dexit=1 Main --a --train");
	}

	@Test
	void anExecutableJarIsExtractedBeforeTheAotCacheIsRecordedAndCreated(@TempDir Path directory) throws IOException {
		Path java = scriptedJdk(directory.resolve("jdk"), "25.0.3", 0).resolve("bin/java");
		CacheDirectory cache = new CacheDirectory(directory.resolve("cache"), CacheKind.AOT);
		JavaCommand command = parse(java.toString(), "-jar", "/opt/app.jar");
		train(new Trainer(command, cache, List.of(), List.of(), steps()), "k1");
		assertThat(cache.extractedJar(command.jar())).isRegularFile();
		assertThat(cache.holds("k1", command)).isTrue();
		assertThat(cache.configuration()).doesNotExist();
		assertThat(Files.readAllLines(cache.log()).stream().filter((line) -> line.startsWith("$ "))).containsExactly(
				"$ " + String.join(" ", CacheCommands.extraction(command, cache)),
				"$ " + String.join(" ", CacheCommands.training(command, cache, List.of(), List.of()).get(0)),
				"$ " + String.join(" ", CacheCommands.training(command, cache, List.of(), List.of()).get(1)));
	}

	@Test
	void aFailedStepPublishesNothingAndLeavesNoTemporaryFiles(@TempDir Path directory) throws IOException {
		Path java = scriptedJdk(directory.resolve("jdk"), "25.0.3", 7).resolve("bin/java");
		CacheDirectory cache = new CacheDirectory(directory.resolve("cache"), CacheKind.AOT);
		JavaCommand command = parse(java.toString(), "-cp", "/a.jar", "Main");
		Files.createDirectories(cache.path());
		Files.writeString(cache.temporaryArchive(), "left by an older training");
		train(new Trainer(command, cache, List.of(), List.of(), steps()), "k1");
		assertThat(cache.keyFile()).doesNotExist();
		assertThat(cache.temporaryArchive()).doesNotExist();
		assertThat(cache.configuration()).doesNotExist();
		assertThat(cache.log()).content().startsWith("$ " + java + " -XX:AOTMode=record");
	}

	@Test
	void noTrainingWhileAnotherHoldsTheLockOrWhenTheCacheIsReady(@TempDir Path directory) throws IOException {
		Path java = scriptedJdk(directory.resolve("jdk"), "17.0.15", 0).resolve("bin/java");
		CacheDirectory cache = new CacheDirectory(directory.resolve("cache"), CacheKind.CDS);
		JavaCommand command = parse(java.toString(), "-cp", "/a.jar", "Main");
		Files.createDirectories(cache.path());
		try (FileChannel channel = FileChannel.open(cache.lockFile(), StandardOpenOption.CREATE,
				StandardOpenOption.WRITE); FileLock lock = channel.lock()) {
			train(new Trainer(command, cache, List.of(), List.of(), steps()), "k1");
		}
		assertThat(cache.log()).as("another process trains").doesNotExist();
		Files.writeString(cache.temporaryArchive(), "trained elsewhere");
		cache.publish("k1");
		train(new Trainer(command, cache, List.of(), List.of(), steps()), "k1");
		assertThat(cache.log()).as("ready for the key").doesNotExist();
		assertThat(cache.archive()).hasContent("trained elsewhere");
	}

	@Test
	void aClosedTrainerRunsNoStep(@TempDir Path directory) throws IOException {
		Path java = scriptedJdk(directory.resolve("jdk"), "17.0.15", 0).resolve("bin/java");
		CacheDirectory cache = new CacheDirectory(directory.resolve("cache"), CacheKind.CDS);
		Trainer trainer = new Trainer(parse(java.toString(), "-cp", "/a.jar", "Main"), cache, List.of(), List.of(),
				steps());
		trainer.close();
		assertThat(trainer.closed()).isTrue();
		train(trainer, "k1");
		assertThat(cache.keyFile()).doesNotExist();
		assertThat(cache.log()).as("nothing run").doesNotExist();
	}

	private static StepRunner steps() {
		return new StepRunner(Map.of("PATH", System.getenv("PATH")));
	}

	private static void train(Trainer trainer, String key) {
		trainer.start(key);
		await().atMost(Duration.ofSeconds(30)).until(() -> !trainer.training());
	}

}
