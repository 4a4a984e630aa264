package dev.samboot.sam.internal.cache;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Trains the cache for a key on a thread of its own, so that the supervisor's loop never
 * waits for it: extract an executable jar, run the training steps, and publish the
 * archive. Whatever goes wrong, the instances start without the cache, so failures are
 * logged, not thrown.
 */
final class Trainer implements AutoCloseable {

	// the start-up cache's logger, whichever of its classes logs
	private static final System.Logger logger = System.getLogger(StartupCache.class.getName());

	private final JavaCommand command;

	private final CacheDirectory directory;

	private final List<String> trainingJvmOptions;

	private final List<String> trainingArguments;

	private final StepRunner steps;

	private volatile Thread training;

	/**
	 * A trainer.
	 * @param command the plain command
	 * @param directory the cache directory
	 * @param trainingJvmOptions JVM options of the training run
	 * @param trainingArguments arguments appended to the training run's command
	 * @param steps what runs the steps
	 */
	Trainer(JavaCommand command, CacheDirectory directory, List<String> trainingJvmOptions,
			List<String> trainingArguments, StepRunner steps) {
		this.command = command;
		this.directory = directory;
		this.trainingJvmOptions = List.copyOf(trainingJvmOptions);
		this.trainingArguments = List.copyOf(trainingArguments);
		this.steps = steps;
	}

	/** Whether a training is running. */
	boolean training() {
		return this.training != null;
	}

	/** Whether the trainer has been closed, and will run no more steps. */
	boolean closed() {
		return this.steps.closed();
	}

	/**
	 * Start training for a key, in the background.
	 * @param key the key
	 */
	void start(String key) {
		Thread thread = new Thread(() -> train(key), "sam-startup-cache");
		// a training must never keep the supervisor's JVM alive
		thread.setDaemon(true);
		this.training = thread;
		thread.start();
	}

	private void train(String key) {
		long begin = System.nanoTime();
		Path path = this.directory.path();
		try {
			Files.createDirectories(path);
			// the lock keeps two supervisors of the same application from training into
			// one directory
			try (FileChannel lockChannel = FileChannel.open(this.directory.lockFile(), StandardOpenOption.CREATE,
					StandardOpenOption.WRITE); FileLock lock = tryLock(lockChannel)) {
				if (lock == null) {
					logger.log(Level.INFO, "Start-up cache: another process trains in " + path);
					return;
				}
				// another supervisor may have trained it since this one looked
				if (this.directory.holds(key, this.command)) {
					return;
				}
				this.directory.clean();
				Path log = this.directory.log();
				logger.log(Level.INFO, "Start-up cache: training " + this.directory.kind() + " in " + path
						+ " in the background (output in " + log + ")");
				if (this.command.jar() != null) {
					this.steps.run("the extraction of " + this.command.jar().getFileName(),
							CacheCommands.extraction(this.command, this.directory), log);
				}
				List<List<String>> commands = CacheCommands.training(this.command, this.directory,
						this.trainingJvmOptions, this.trainingArguments);
				for (int i = 0; i < commands.size(); i++) {
					this.steps.run((i == 0) ? "the training run" : "the creation of the AOT cache", commands.get(i),
							log);
				}
				this.directory.publish(key);
				Path archive = this.directory.archive();
				logger.log(Level.INFO,
						"Start-up cache ready in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin) + " ms: "
								+ archive + " (" + Files.size(archive) / (1024 * 1024)
								+ " MB); later instances use it");
			}
		}
		catch (IOException | RuntimeException ex) {
			// a step killed by close() fails too: that is no news
			if (!closed()) {
				logger.log(Level.WARNING, "Start-up cache not trained, instances start without it: " + ex.getMessage());
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		finally {
			CacheFiles.deleteQuietly(this.directory.temporaryArchive());
			CacheFiles.deleteQuietly(this.directory.configuration());
			this.training = null;
		}
	}

	/** The lock, or {@code null} if another process, or this one, holds it. */
	private static FileLock tryLock(FileChannel channel) throws IOException {
		try {
			return channel.tryLock();
		}
		catch (OverlappingFileLockException ex) {
			return null;
		}
	}

	/**
	 * Stop a training in progress: its process is killed, by pid, and nothing is
	 * published.
	 */
	@Override
	public void close() {
		this.steps.close();
		Thread thread = this.training;
		if (thread != null) {
			thread.interrupt();
			try {
				thread.join(2000);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

}
