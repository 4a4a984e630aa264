package dev.samboot.sam.internal.supervisor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The thread dump directory kept within a count and an age, with real files and their
 * modification times: the oldest go first, nothing but files named as dumps is touched,
 * and several supervisors pruning one directory at once get no error.
 */
@Timeout(60)
class ThreadDumpPruneTests {

	private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

	private static final long LIMIT_NANOS = TimeUnit.SECONDS.toNanos(10);

	@TempDir
	Path directory;

	@Test
	void theNewestAreKeptWithinTheCount() throws IOException {
		List<Path> dumps = new ArrayList<>();
		for (int i = 8; i >= 1; i--) {
			dumps.add(dump(i, Duration.ofHours(i)));
		}
		assertThat(dumps(5, Duration.ofDays(7)).prune(NOW)).isEqualTo(3);
		assertThat(remaining()).containsExactlyInAnyOrderElementsOf(dumps.subList(3, 8));
		assertThat(dumps(5, Duration.ofDays(7)).prune(NOW)).as("already within bounds").isZero();
	}

	@Test
	void thoseOlderThanTheAgeAreRemovedWhateverTheCount() throws IOException {
		dump(1, Duration.ofDays(10));
		dump(2, Duration.ofDays(7).plusSeconds(1));
		Path exactlyAWeek = dump(3, Duration.ofDays(7));
		Path recent = dump(4, Duration.ofHours(1));
		assertThat(dumps(50, Duration.ofDays(7)).prune(NOW)).isEqualTo(2);
		assertThat(remaining()).containsExactlyInAnyOrder(exactlyAWeek, recent);
	}

	@Test
	void theCountAndTheAgeTogether() throws IOException {
		dump(1, Duration.ofDays(3));
		dump(2, Duration.ofDays(2));
		Path newer = dump(3, Duration.ofHours(2));
		Path newest = dump(4, Duration.ofHours(1));
		assertThat(dumps(2, Duration.ofDays(1)).prune(NOW)).isEqualTo(2);
		assertThat(remaining()).containsExactlyInAnyOrder(newer, newest);
	}

	@Test
	void onlyFilesNamedAsDumpsAreRemoved() throws IOException {
		Duration old = Duration.ofDays(30);
		List<Path> others = new ArrayList<>();
		for (String name : List.of("notes.txt", "instance-1-pid-2.txt", "instance-1-pid-2-20260101T000000.000Z.txt.gz",
				"instance-x-pid-2-20260101T000000.000Z.txt", "hs_err_pid1234.log",
				"xinstance-1-pid-2-20260101T000000.000Z.txt")) {
			others.add(file(name, old));
		}
		Path directoryNamedAsADump = Files
			.createDirectory(this.directory.resolve("instance-9-pid-9-20260101T000000.000Z.txt"));
		Path outside = Files.createTempFile("samboot-prune-target", ".txt");
		try {
			Files.setLastModifiedTime(outside, FileTime.from(NOW.minus(old)));
			Path link = Files.createSymbolicLink(this.directory.resolve("instance-8-pid-8-20260101T000000.000Z.txt"),
					outside);
			Path dump = dump(1, old);
			assertThat(dumps(1, Duration.ofDays(1)).prune(NOW)).isEqualTo(1);
			assertThat(dump).doesNotExist();
			assertThat(others).allSatisfy((other) -> assertThat(other).exists());
			assertThat(directoryNamedAsADump).isDirectory();
			assertThat(link).isSymbolicLink();
			assertThat(outside).exists();
		}
		finally {
			Files.delete(outside);
		}
	}

	@Test
	void aDirectoryNotCreatedYetIsNoError() {
		ThreadDumps dumps = new ThreadDumps(this.directory.resolve("not-yet"), LIMIT_NANOS, noJcmd(), 1,
				Duration.ofDays(1));
		assertThat(dumps.prune()).isZero();
	}

	@Test
	void aFileThatAnotherSupervisorRemovedMeanwhileIsNoError() throws IOException {
		Path gone = dump(1, Duration.ofDays(9));
		Path alsoOld = dump(2, Duration.ofDays(8));
		Path kept = dump(3, Duration.ofHours(1));
		List<Path> listed = List.of(gone, alsoOld, kept);
		Files.delete(gone);
		assertThat(dumps(5, Duration.ofDays(7)).prune(listed, NOW)).isEqualTo(1);
		assertThat(remaining()).containsExactly(kept);
	}

	@Test
	void supervisorsPruningOneDirectoryAtOnceGetNoErrorAndKeepTheBound() throws Exception {
		// the clock the supervisors prune by
		Instant now = Instant.now();
		for (int i = 0; i < 300; i++) {
			file(name(i), now.minusSeconds(1000 - i));
		}
		int pruners = 4;
		ThreadDumps dumps = new ThreadDumps(this.directory, LIMIT_NANOS, noJcmd(), 20, Duration.ofDays(7));
		ExecutorService executor = Executors.newFixedThreadPool(pruners + 1);
		try {
			CountDownLatch start = new CountDownLatch(1);
			AtomicBoolean writing = new AtomicBoolean(true);
			List<Future<Integer>> removed = new ArrayList<>();
			for (int p = 0; p < pruners; p++) {
				removed.add(executor.submit(() -> {
					start.await();
					int total = 0;
					while (writing.get()) {
						total += dumps.prune();
					}
					return total;
				}));
			}
			Future<?> writer = executor.submit(() -> {
				start.await();
				for (int i = 1000; i < 1100; i++) {
					// under its name once its time is set, as a finished dump
					Path written = this.directory.resolve("writing-" + i);
					Files.writeString(written, "dump " + i);
					Files.setLastModifiedTime(written, FileTime.from(now.plusSeconds(i)));
					Files.move(written, this.directory.resolve(name(i)), StandardCopyOption.ATOMIC_MOVE);
				}
				writing.set(false);
				return null;
			});
			start.countDown();
			writer.get(30, TimeUnit.SECONDS);
			int total = 0;
			for (Future<Integer> pruner : removed) {
				total += pruner.get(30, TimeUnit.SECONDS);
			}
			total += dumps.prune();
			assertThat(remaining()).hasSize(20);
			assertThat(total).as("each file removed once, by one of them").isEqualTo(300 + 100 - 20);
			assertThat(remaining()).as("the newest")
				.containsExactlyInAnyOrderElementsOf(Stream.iterate(1080, (i) -> i + 1)
					.limit(20)
					.map((i) -> this.directory.resolve(name(i)))
					.toList());
		}
		finally {
			executor.shutdownNow();
		}
	}

	@Test
	void aDumpJustWrittenPrunesTheDirectory() throws Exception {
		Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
		org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(jcmd), "this JDK has no jcmd");
		Path older = file(name(1), Instant.now().minus(Duration.ofHours(2)));
		Path old = file(name(2), Instant.now().minus(Duration.ofHours(1)));
		ThreadDumps dumps = new ThreadDumps(this.directory, LIMIT_NANOS, jcmd, 2, Duration.ofDays(7));
		ThreadDumps.Dump dump = dumps.take(thisJvm(), 3);
		try {
			assertThat(dump.done().get(30, TimeUnit.SECONDS)).as("jcmd dumped this JVM's threads").isTrue();
		}
		finally {
			dump.end();
		}
		assertThat(dump.file()).content().contains("Full thread dump");
		assertThat(dump.file().getFileName().toString()).as("the name that pruning looks for")
			.matches(ThreadDumps.FILE_NAME);
		assertThat(remaining()).containsExactlyInAnyOrder(old, dump.file());
		assertThat(older).doesNotExist();
	}

	@Test
	void boundsBelowOneOrOfNoAgeAreRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> dumps(0, Duration.ofDays(1)));
		assertThatIllegalArgumentException().isThrownBy(() -> dumps(-1, Duration.ofDays(1)));
		assertThatIllegalArgumentException().isThrownBy(() -> dumps(1, Duration.ZERO));
		assertThatIllegalArgumentException().isThrownBy(() -> dumps(1, Duration.ofSeconds(-1)));
	}

	private ThreadDumps dumps(int maxCount, Duration maxAge) {
		return new ThreadDumps(this.directory, LIMIT_NANOS, noJcmd(), maxCount, maxAge);
	}

	private Path dump(int instance, Duration age) throws IOException {
		return file(name(instance), NOW.minus(age));
	}

	private Path file(String name, Duration age) throws IOException {
		return file(name, NOW.minus(age));
	}

	private Path file(String name, Instant modified) throws IOException {
		Path file = Files.writeString(this.directory.resolve(name), "\"main\" #1 prio=5\n");
		Files.setLastModifiedTime(file, FileTime.from(modified));
		return file;
	}

	/** A name as {@link ThreadDumps} writes them, unique per instance id. */
	private static String name(int instance) {
		return "instance-" + instance + "-pid-" + (1000 + instance) + "-20260301T120000.000Z.txt";
	}

	private List<Path> remaining() throws IOException {
		try (Stream<Path> files = Files.list(this.directory)) {
			return files.filter((file) -> ThreadDumps.FILE_NAME.matcher(file.getFileName().toString()).matches())
				.filter(Files::isRegularFile)
				.toList();
		}
	}

	private static Path noJcmd() {
		return Path.of("/nonexistent/jcmd");
	}

	private static ActiveProcess thisJvm() {
		return new ActiveProcess() {

			@Override
			public long pid() {
				return ProcessHandle.current().pid();
			}

			@Override
			public void signal(int signal) {
				throw new AssertionError("no signal: jcmd is there");
			}

			@Override
			public CompletableFuture<Integer> onExit() {
				return new CompletableFuture<>();
			}

		};
	}

}
