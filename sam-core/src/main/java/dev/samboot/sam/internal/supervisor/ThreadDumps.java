package dev.samboot.sam.internal.supervisor;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.samboot.sam.Signals;

/**
 * Thread dumps of a silent instance, taken before it is warned, as the Java Service
 * Wrapper does for a hung JVM: {@code jcmd <pid> Thread.print -l} into a file named after
 * the instance and the time. Bounded: a dump that takes longer than its limit is
 * abandoned, never waited for. Where the JDK has no {@code jcmd}, SIGQUIT makes the JVM
 * print the dump on its own standard output.
 */
public final class ThreadDumps {

	private static final System.Logger logger = System.getLogger(ThreadDumps.class.getName());

	private static final DateTimeFormatter FILE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
		.withZone(ZoneOffset.UTC);

	private final Path directory;

	private final long limitNanos;

	private final Path jcmd;

	/**
	 * Create a new instance.
	 * @param directory where dumps are written (created when needed)
	 * @param limitNanos the longest a dump may take
	 */
	public ThreadDumps(Path directory, long limitNanos) {
		this(directory, limitNanos, Path.of(System.getProperty("java.home"), "bin", "jcmd"));
	}

	ThreadDumps(Path directory, long limitNanos, Path jcmd) {
		this.directory = directory;
		this.limitNanos = limitNanos;
		this.jcmd = jcmd;
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
			CompletableFuture<Boolean> done = jcmd.onExit().thenApply((exited) -> finished(jcmd, file));
			return new Dump(file.toString(), file, done, jcmd);
		}
		catch (IOException ex) {
			logger.log(Level.WARNING, "Cannot take a thread dump of instance " + instanceId + ": " + ex.getMessage());
			return new Dump(null, null, CompletableFuture.completedFuture(false), null);
		}
	}

	/**
	 * Return how long a dump may take before the supervisor abandons it.
	 * @return the limit in nanoseconds
	 */
	long limitNanos() {
		return this.limitNanos;
	}

	private static boolean finished(Process jcmd, Path file) {
		if (jcmd.exitValue() != 0) {
			logger.log(Level.WARNING, "jcmd could not dump the threads (exit " + jcmd.exitValue() + "); see " + file);
			return false;
		}
		logger.log(Level.WARNING, "Thread dump saved to " + file);
		return true;
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
		 * Give up a dump that takes too long (the supervisor's loop times it: no timer
		 * thread).
		 */
		void abandon() {
			if (this.jcmd != null && this.jcmd.isAlive()) {
				this.jcmd.destroyForcibly();
				logger.log(Level.WARNING, "The thread dump " + this.file + " took too long and was abandoned");
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
