package dev.samboot.sam;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Thread dumps of a silent instance, taken before it is warned, as the Java Service Wrapper does
 * for a hung JVM: {@code jcmd <pid> Thread.print -l} into a file named after the instance and the
 * time. Bounded: a dump that takes longer than its limit is abandoned, never waited for. Where the
 * JDK has no {@code jcmd}, SIGQUIT makes the JVM print the dump on its own standard output.
 */
final class ThreadDumps {

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
	ThreadDumps(Path directory, long limitNanos) {
		this(directory, limitNanos, Path.of(System.getProperty("java.home"), "bin", "jcmd"));
	}

	ThreadDumps(Path directory, long limitNanos, Path jcmd) {
		this.directory = directory;
		this.limitNanos = limitNanos;
		this.jcmd = jcmd;
	}

	/**
	 * Start a thread dump of an instance.
	 * @param process the instance
	 * @param instanceId its id
	 * @return completed with where the dump went (a file, or {@code stdout}) or with an empty
	 * string when it failed or took too long
	 */
	CompletableFuture<String> take(ActiveProcess process, int instanceId) {
		if (!Files.isExecutable(this.jcmd)) {
			process.signal(Signals.SIGQUIT);
			return CompletableFuture.completedFuture("stdout");
		}
		Path file = this.directory.resolve("instance-" + instanceId + "-pid-" + process.pid() + "-"
				+ FILE_TIME.format(Instant.now()) + ".txt");
		try {
			Files.createDirectories(this.directory);
			Process jcmd = new ProcessBuilder(this.jcmd.toString(), Long.toString(process.pid()), "Thread.print", "-l")
				.redirectOutput(file.toFile())
				.redirectError(ProcessBuilder.Redirect.DISCARD)
				.start();
			return jcmd.onExit()
				.orTimeout(this.limitNanos, TimeUnit.NANOSECONDS)
				.handle((done, failure) -> finished(jcmd, file, failure));
		}
		catch (IOException ex) {
			logger.log(Level.WARNING, "Cannot take a thread dump of instance " + instanceId + ": " + ex.getMessage());
			return CompletableFuture.completedFuture("");
		}
	}

	private static String finished(Process jcmd, Path file, Throwable failure) {
		if (failure != null) {
			jcmd.destroyForcibly();
			logger.log(Level.WARNING, "The thread dump " + file + " took too long and was abandoned");
			return "";
		}
		if (jcmd.exitValue() != 0) {
			logger.log(Level.WARNING, "jcmd could not dump the threads (exit " + jcmd.exitValue() + "); see " + file);
			return "";
		}
		logger.log(Level.WARNING, "Thread dump saved to " + file);
		return file.toString();
	}

}
