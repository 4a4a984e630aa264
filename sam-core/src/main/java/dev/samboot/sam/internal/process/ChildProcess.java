package dev.samboot.sam.internal.process;

import java.util.concurrent.CompletableFuture;

import dev.samboot.sam.internal.supervisor.ActiveProcess;

/**
 * A child process of the supervisor, launched by this JVM or adopted from the JVM it
 * replaced ({@link AdoptedProcess}): signalled through its {@link ProcessHandle}, which
 * checks the start time so that a reused pid is never signalled for SIGTERM and SIGKILL,
 * and not at all once it has ended.
 *
 * @param pid the pid
 * @param handle its handle, or {@code null} if it was gone before it could be adopted
 * @param onExit completed with the exit status (128 + N when killed by signal N) once
 * reaped
 */
record ChildProcess(long pid, ProcessHandle handle, CompletableFuture<Integer> onExit) implements ActiveProcess {

	static ChildProcess of(Process process) {
		return new ChildProcess(process.pid(), process.toHandle(), process.onExit().thenApply(Process::exitValue));
	}

	@Override
	public void signal(int signal) {
		if (this.handle != null && !this.onExit.isDone()) {
			PosixSignals.send(this.handle, signal);
		}
	}

	@Override
	public void prepare(int signal) {
		PosixSignals.prepare(signal);
	}

}
