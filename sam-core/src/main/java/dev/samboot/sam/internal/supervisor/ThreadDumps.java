package dev.samboot.sam.internal.supervisor;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import dev.samboot.sam.SamOptions;
import dev.samboot.sam.Signals;

/**
 * Thread dumps of a silent instance, taken before it is warned, as the Java Service
 * Wrapper does for a hung JVM: {@code jcmd <pid> Thread.print -l} into a file named after
 * the instance and the time. Bounded: a dump that takes longer than its limit is
 * abandoned, never waited for. Where the JDK has no {@code jcmd}, SIGQUIT makes the JVM
 * print the dump on its own standard output.
 *
 * <p>
 * The directory is kept within a count and an age, as systemd-coredump keeps its own with
 * {@code MaxUse=} and {@code KeepFree=}: {@link #prune()} runs when the supervisor starts
 * and after each dump, and removes, oldest first, the dumps beyond the newest
 * {@code maxCount} and those older than {@code maxAge}. Only files named as
 * {@link #FILE_NAME} are touched, and the directory may be shared: several supervisors of
 * one user write and prune the same default directory, so a file that another one removed
 * in the meantime is no error.
 */
public final class ThreadDumps {

	/** The names of the files this writes, and the only ones {@link #prune()} removes. */
	static final Pattern FILE_NAME = Pattern.compile("instance-\\d+-pid-\\d+-\\d{8}T\\d{6}\\.\\d{3}Z\\.txt");

	private static final System.Logger logger = System.getLogger(ThreadDumps.class.getName());

	private static final DateTimeFormatter FILE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
		.withZone(ZoneOffset.UTC);

	private final Path directory;

	private final long limitNanos;

	private final Path jcmd;

	private final int maxCount;

	private final Duration maxAge;

	/**
	 * Create a new instance.
	 * @param directory where dumps are written (created when needed)
	 * @param limitNanos the longest a dump may take
	 * @param maxCount the most dumps the directory keeps, 1 or more
	 * @param maxAge the age after which a dump is removed, greater than 0
	 */
	public ThreadDumps(Path directory, long limitNanos, int maxCount, Duration maxAge) {
		this(directory, limitNanos, Path.of(System.getProperty("java.home"), "bin", "jcmd"), maxCount, maxAge);
	}

	ThreadDumps(Path directory, long limitNanos, Path jcmd) {
		this(directory, limitNanos, jcmd, SamOptions.DEFAULT_THREAD_DUMP_MAX_COUNT,
				SamOptions.DEFAULT_THREAD_DUMP_MAX_AGE);
	}

	ThreadDumps(Path directory, long limitNanos, Path jcmd, int maxCount, Duration maxAge) {
		if (maxCount < 1 || !(maxAge.compareTo(Duration.ZERO) > 0)) {
			throw new IllegalArgumentException(
					"Thread dumps kept must be 1 or more and their age above 0, not " + maxCount + " and " + maxAge);
		}
		this.directory = directory;
		this.limitNanos = limitNanos;
		this.jcmd = jcmd;
		this.maxCount = maxCount;
		this.maxAge = maxAge;
	}

	/**
	 * Start a thread dump of an instance; it never blocks the caller.
	 * @param process the instance
	 * @param instanceId its id
	 * @return the dump under way
	 */
	Dump take(ActiveProcess process, int instanceId) {
		if (!Files.isExecutable(this.jcmd)) {
			process.signal(Signals.SIGQUIT);
			return new Dump("stdout of pid " + process.pid(), null, CompletableFuture.completedFuture(true), null);
		}
		Path file = this.directory.resolve(
				"instance-" + instanceId + "-pid-" + process.pid() + "-" + FILE_TIME.format(Instant.now()) + ".txt");
		try {
			Files.createDirectories(this.directory);
			Process jcmd = new ProcessBuilder(this.jcmd.toString(), Long.toString(process.pid()), "Thread.print", "-l")
				.redirectOutput(file.toFile())
				.redirectError(ProcessBuilder.Redirect.DISCARD)
				.start();
			CompletableFuture<Boolean> done = jcmd.onExit().thenApply((exited) -> {
				boolean saved = finished(jcmd, file);
				prune();
				return saved;
			});
			return new Dump(file.toString(), file, done, jcmd);
		}
		catch (IOException ex) {
			logger.log(Level.WARNING, "Cannot take a thread dump of instance " + instanceId + ": " + ex.getMessage());
			return new Dump(null, null, CompletableFuture.completedFuture(false), null);
		}
	}

	/**
	 * Remove the file the JDK's attach mechanism leaves when it could not attach to a JVM
	 * that ended or stood still: {@code jcmd} creates {@code .attach_pid<pid>} in the
	 * target's working directory (or, failing that, its own temporary directory) to ask
	 * the target to start its attach listener, and a {@code jcmd} that is killed, or
	 * whose target never answers, leaves it there. The instances run in the supervisor's
	 * working directory, which is often the application's own. Only a regular file of
	 * that exact name goes, and only once its JVM has ended.
	 * @param pid the ended instance's pid
	 */
	static void removeAttachFiles(long pid) {
		String name = ".attach_pid" + pid;
		// the temporary directory is most often /tmp itself: each directory looked at
		// once
		Set<String> directories = new LinkedHashSet<>();
		for (String directory : new String[] { System.getProperty("user.dir"), System.getProperty("java.io.tmpdir"),
				"/tmp" }) {
			if (directory != null && !directory.isEmpty()) {
				directories.add(Path.of(directory).normalize().toString());
			}
		}
		for (String directory : directories) {
			Path file = Path.of(directory, name);
			try {
				if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && Files.deleteIfExists(file)) {
					logger.log(Level.DEBUG, "Removed " + file + ", left by an attach to instance pid " + pid);
				}
			}
			catch (IOException | SecurityException ex) {
				logger.log(Level.DEBUG, "Cannot remove " + file + ": " + ex.getMessage());
			}
		}
	}

	/**
	 * Return how long a dump may take before the supervisor abandons it.
	 * @return the limit in nanoseconds
	 */
	long limitNanos() {
		return this.limitNanos;
	}

	/**
	 * Remove, oldest first, the dumps beyond the newest {@code maxCount} and those older
	 * than {@code maxAge}; never fails, and touches nothing but dumps.
	 * @return how many were removed
	 */
	public int prune() {
		return prune(Instant.now());
	}

	int prune(Instant now) {
		List<Path> candidates = new ArrayList<>();
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(this.directory,
				(entry) -> FILE_NAME.matcher(entry.getFileName().toString()).matches())) {
			entries.forEach(candidates::add);
		}
		catch (NoSuchFileException ex) {
			return 0;
		}
		catch (IOException | DirectoryIteratorException ex) {
			logger.log(Level.DEBUG, "Cannot list the thread dumps in " + this.directory + ": " + ex.getMessage());
			return 0;
		}
		return prune(candidates, now);
	}

	/**
	 * Remove, from files listed a moment ago, those beyond the bounds.
	 * @param candidates files named as dumps, some of which may be gone already
	 * @param now the time the ages are measured at
	 * @return how many were removed
	 */
	int prune(List<Path> candidates, Instant now) {
		List<Found> dumps = new ArrayList<>(candidates.size());
		for (Path candidate : candidates) {
			try {
				BasicFileAttributes attributes = Files.readAttributes(candidate, BasicFileAttributes.class,
						LinkOption.NOFOLLOW_LINKS);
				// a link or a directory of that name is not one of ours
				if (attributes.isRegularFile()) {
					dumps.add(new Found(candidate, attributes.lastModifiedTime().toInstant()));
				}
			}
			catch (NoSuchFileException ex) {
				// removed by another supervisor that shares the directory
			}
			catch (IOException ex) {
				logger.log(Level.DEBUG, "Cannot read " + candidate + ": " + ex.getMessage());
			}
		}
		dumps.sort(Comparator.comparing(Found::modified).thenComparing(Found::file));
		int beyondCount = dumps.size() - this.maxCount;
		int removed = 0;
		for (int i = 0; i < dumps.size(); i++) {
			Found dump = dumps.get(i);
			if (i < beyondCount || Duration.between(dump.modified(), now).compareTo(this.maxAge) > 0) {
				try {
					if (Files.deleteIfExists(dump.file())) {
						removed++;
					}
				}
				catch (IOException ex) {
					logger.log(Level.DEBUG, "Cannot remove " + dump.file() + ": " + ex.getMessage());
				}
			}
		}
		if (removed > 0) {
			logger.log(Level.DEBUG, "Removed {0} thread dumps from {1}: it keeps {2} for {3} at most",
					Integer.toString(removed), this.directory, Integer.toString(this.maxCount), this.maxAge);
		}
		return removed;
	}

	private boolean finished(Process jcmd, Path file) {
		if (jcmd.exitValue() != 0) {
			logger.log(Level.WARNING, "jcmd could not dump the threads (exit " + jcmd.exitValue() + "); see " + file);
			return false;
		}
		logger.log(Level.WARNING, "Thread dump saved to " + file);
		return true;
	}

	/** A dump found in the directory, and when it was last written. */
	private record Found(Path file, Instant modified) {

	}

	/**
	 * A thread dump under way or done.
	 *
	 * @param where the file, or where else the dump went; {@code null} when it could not
	 * start
	 * @param file the file, if one is written
	 * @param done completed with whether the dump succeeded
	 * @param jcmd the jcmd process, or {@code null}
	 */
	record Dump(String where, Path file, CompletableFuture<Boolean> done, Process jcmd) {

		/**
		 * Give up a dump that takes too long or whose instance ended (the supervisor's
		 * loop times it: no timer thread).
		 * @param why why, for the log
		 */
		void abandon(String why) {
			if (this.jcmd != null && this.jcmd.isAlive()) {
				this.jcmd.destroyForcibly();
				logger.log(Level.WARNING, "The thread dump " + this.file + " was abandoned: " + why);
			}
		}

		/**
		 * End jcmd if it still runs, and wait up to two seconds for it to be gone, so
		 * that an exiting supervisor leaves no child behind.
		 */
		void end() {
			if (this.jcmd == null || !this.jcmd.isAlive()) {
				return;
			}
			this.jcmd.descendants().forEach(ProcessHandle::destroyForcibly);
			this.jcmd.destroyForcibly();
			try {
				if (!this.jcmd.waitFor(2, TimeUnit.SECONDS)) {
					logger.log(Level.WARNING, "jcmd (pid " + this.jcmd.pid() + ") did not end within 2 s of SIGKILL");
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

		/**
		 * Whether jcmd still runs.
		 * @return whether the dump is under way
		 */
		boolean running() {
			return this.jcmd != null && this.jcmd.isAlive();
		}

		/**
		 * Whether the dump is known to have failed.
		 * @return whether it ended without a dump
		 */
		boolean failed() {
			return this.where == null || (this.done.isDone() && !this.done.join());
		}

		/**
		 * Delete the file once written: the instance answered again, the dump is not
		 * needed.
		 */
		void discard() {
			if (this.file != null) {
				this.done.whenComplete((ok, failure) -> {
					try {
						Files.deleteIfExists(this.file);
					}
					catch (IOException ex) {
						logger.log(Level.DEBUG, "Cannot delete " + this.file + ": " + ex.getMessage());
					}
				});
			}
		}

	}

}
