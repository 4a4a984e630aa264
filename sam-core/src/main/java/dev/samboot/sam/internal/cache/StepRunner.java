package dev.samboot.sam.internal.cache;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.samboot.sam.internal.process.SamEnvironment;

/**
 * Runs the steps of a training, one process at a time, so that a training can never take
 * more from the host than one low-priority JVM for a bounded time: under {@code nice},
 * with a time limit, its output appended to the training log, and killed, descendants
 * included, when the supervisor closes the cache.
 */
final class StepRunner implements AutoCloseable {

	/** Longest time a training step may take before it is stopped. */
	static final long STEP_TIMEOUT_SECONDS = 300;

	private static final Path NICE = Path.of("/usr/bin/nice");

	private final Map<String, String> environment;

	private volatile boolean closed;

	private volatile Process step;

	/**
	 * A runner whose steps inherit an environment.
	 * @param environment the supervisor's environment; the steps get it without the
	 * {@code SAM_*} and systemd variables, so that a training run talks neither to the
	 * supervisor nor to systemd
	 */
	StepRunner(Map<String, String> environment) {
		Map<String, String> env = new HashMap<>(environment);
		Arrays.stream(SamEnvironment.ALL).forEach(env::remove);
		Arrays.stream(SamEnvironment.SYSTEMD).forEach(env::remove);
		this.environment = Map.copyOf(env);
	}

	/**
	 * Run a step to its end.
	 * @param what the step, for messages
	 * @param command its command
	 * @param log the file its command line and output are appended to
	 * @throws IOException if it cannot be started, takes too long or fails
	 * @throws InterruptedException if the runner is closed or the thread interrupted
	 */
	void run(String what, List<String> command, Path log) throws IOException, InterruptedException {
		if (this.closed) {
			throw new InterruptedException();
		}
		Files.writeString(log, "$ " + String.join(" ", command) + "\n", StandardCharsets.UTF_8,
				StandardOpenOption.CREATE, StandardOpenOption.APPEND);
		List<String> argv = new ArrayList<>();
		if (Files.isExecutable(NICE)) {
			argv.addAll(List.of(NICE.toString(), "-n", "10"));
		}
		argv.addAll(command);
		ProcessBuilder builder = new ProcessBuilder(argv).directory(new File(System.getProperty("user.dir")))
			.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
			.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
		builder.environment().clear();
		builder.environment().putAll(this.environment);
		Process process = builder.start();
		this.step = process;
		try {
			if (!process.waitFor(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
				stop(process);
				throw new IOException(what + " took longer than " + STEP_TIMEOUT_SECONDS + " s");
			}
			if (process.exitValue() != 0) {
				throw new IOException(what + " exited with status " + process.exitValue() + " (see " + log + ")");
			}
		}
		finally {
			this.step = null;
			if (process.isAlive()) {
				stop(process);
			}
		}
	}

	/** SIGTERM first, so that the JVM can end cleanly, then SIGKILL. */
	private static void stop(Process process) throws InterruptedException {
		process.destroy();
		if (!process.waitFor(5, TimeUnit.SECONDS)) {
			process.destroyForcibly();
			process.waitFor(5, TimeUnit.SECONDS);
		}
	}

	boolean closed() {
		return this.closed;
	}

	/**
	 * Kill the running step, by pid and with its descendants (a step may have started
	 * processes of its own), and refuse to start any other.
	 */
	@Override
	public void close() {
		this.closed = true;
		Process process = this.step;
		if (process != null) {
			process.descendants().forEach(ProcessHandle::destroyForcibly);
			process.destroyForcibly();
		}
	}

}
