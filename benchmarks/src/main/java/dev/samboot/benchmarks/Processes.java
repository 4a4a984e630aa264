package dev.samboot.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.samboot.sam.internal.channel.ChannelDirectory;

/**
 * Every process the harness starts or learns of (instances launched by a supervisor it
 * started), kept as {@link ProcessHandle}s, which refuse to signal a pid that has since
 * been reused. All of them are killed by pid when a measurement ends and again when the
 * harness exits.
 */
final class Processes implements AutoCloseable {

	private static final List<String> SAM_VARIABLES = List.of("SAM_SOCKET", "SAM_TOKEN", "SAM_INSTANCE_ID",
			"SAM_SUPERVISOR_PID");

	private final List<ProcessHandle> known = new CopyOnWriteArrayList<>();

	private final Path directory;

	Processes(Path directory) {
		this.directory = directory;
	}

	/**
	 * Start a process in the results directory, its output appended to a log file.
	 * @param command the command
	 * @param log the log file
	 * @return the process
	 * @throws IOException if it cannot be started
	 */
	Process start(List<String> command, Path log) throws IOException {
		ProcessBuilder builder = new ProcessBuilder(command).directory(this.directory.toFile())
			.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
			.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
		Map<String, String> env = builder.environment();
		SAM_VARIABLES.forEach(env::remove);
		Process process = builder.start();
		this.known.add(process.toHandle());
		return process;
	}

	/**
	 * Remember a process the harness did not start, such as an instance, to kill it
	 * later.
	 * @param pid its pid, read while it runs
	 */
	void track(long pid) {
		ProcessHandle.of(pid).ifPresent(this.known::add);
	}

	/**
	 * Kill a process and its descendants (descendants first, while they are still its
	 * descendants) with SIGKILL, and wait for them to end.
	 * @param handle the process
	 */
	void kill(ProcessHandle handle) {
		if (!handle.isAlive()) {
			return;
		}
		List<ProcessHandle> doomed = new ArrayList<>(handle.descendants().toList());
		doomed.add(handle);
		for (ProcessHandle each : doomed) {
			each.destroyForcibly();
		}
		for (ProcessHandle each : doomed) {
			awaitEnd(each.pid(), Duration.ofSeconds(10));
		}
		// the channel directory a samboot supervisor killed here could not remove
		ChannelDirectory.removeAbandoned();
	}

	/**
	 * Kill everything known that still runs.
	 * @return the pids that had to be killed
	 */
	List<Long> killAll() {
		List<Long> killed = new ArrayList<>();
		for (ProcessHandle handle : this.known) {
			if (handle.isAlive() && ProcFs.running(handle.pid())) {
				killed.add(handle.pid());
			}
			kill(handle);
		}
		return killed;
	}

	/**
	 * Return the known processes that still run.
	 * @return their pids
	 */
	List<Long> running() {
		return this.known.stream()
			.filter(ProcessHandle::isAlive)
			.map(ProcessHandle::pid)
			.filter(ProcFs::running)
			.toList();
	}

	/**
	 * Wait until a process no longer runs (gone, or a zombie), checking every half
	 * millisecond.
	 * @param pid the process
	 * @param timeout how long to wait
	 * @return the {@link System#nanoTime()} at which it was seen gone, or -1 on time-out
	 */
	static long awaitEnd(long pid, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() - deadline < 0) {
			if (!ProcFs.running(pid)) {
				return System.nanoTime();
			}
			java.util.concurrent.locks.LockSupport.parkNanos(500_000);
		}
		return -1;
	}

	@Override
	public void close() {
		killAll();
	}

}
