package dev.samboot.sam.internal.process;

import java.lang.System.Logger.Level;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import dev.samboot.sam.internal.supervisor.ActiveProcess;

/**
 * Adopts a child this JVM did not start: instance 1, launched early by the JVM that the
 * lean supervisor replaced with {@code execv}. Children survive {@code execv}, but the
 * new JVM's {@link java.lang.Process} knows nothing of them, so the exit status is
 * collected the way the JDK collects its own children's:
 * {@code ProcessHandleImpl.completion(pid, true)}, which {@code waitpid}s (reaping the
 * child) on the JDK's process reaper threads. That method is not public; the lean
 * supervisor's JVM is started with {@value #ADD_OPENS} for it, and {@link #supported()}
 * is checked before this JVM is replaced.
 */
public final class AdoptedProcess {

	/**
	 * The JVM option that opens {@code java.lang} to the unnamed module this class is in.
	 */
	public static final String ADD_OPENS = "--add-opens=java.base/java.lang=ALL-UNNAMED";

	/** The status reported for a child that was gone before it could be adopted. */
	static final int UNKNOWN_STATUS = 1;

	private static final System.Logger logger = LazyLogger.of(AdoptedProcess.class);

	private AdoptedProcess() {
	}

	/**
	 * Whether this JDK has the method that reaps a child by pid (checked without opening
	 * it).
	 * @return whether a child can be adopted
	 */
	public static boolean supported() {
		return completionMethod().isPresent();
	}

	/**
	 * Adopt a child of this process.
	 * @param pid the child's pid
	 * @return the process
	 * @throws IllegalStateException if this JDK cannot reap it
	 */
	public static ActiveProcess adopt(long pid) {
		long self = ProcessHandle.current().pid();
		ProcessHandle handle = ProcessHandle.of(pid).orElse(null);
		boolean child = handle != null && handle.parent().map((parent) -> parent.pid() == self).orElse(false);
		if (!child) {
			// it ended between the last look before execv and the execv, and the old JVM
			// reaped it
			logger.log(Level.WARNING, "Instance 1 (pid {0}) ended before the lean supervisor took it over; its exit "
					+ "status is unknown", Long.toString(pid));
			return new ChildProcess(pid, null, CompletableFuture.completedFuture(UNKNOWN_STATUS));
		}
		Method completion = completionMethod().orElseThrow(
				() -> new IllegalStateException("this JDK has no ProcessHandleImpl.completion(long, boolean)"));
		try {
			completion.setAccessible(true);
			@SuppressWarnings("unchecked")
			CompletableFuture<Integer> exit = (CompletableFuture<Integer>) completion.invoke(null, pid, true);
			return new ChildProcess(pid, handle, exit);
		}
		catch (IllegalAccessException | InvocationTargetException | RuntimeException ex) {
			throw new IllegalStateException("Cannot wait for instance 1 (pid " + pid + "); the JVM needs " + ADD_OPENS,
					ex);
		}
	}

	private static Optional<Method> completionMethod() {
		try {
			Method method = Class.forName("java.lang.ProcessHandleImpl")
				.getDeclaredMethod("completion", long.class, boolean.class);
			return (method.getReturnType() == CompletableFuture.class) ? Optional.of(method) : Optional.empty();
		}
		catch (ClassNotFoundException | NoSuchMethodException | SecurityException ex) {
			return Optional.empty();
		}
	}

}
