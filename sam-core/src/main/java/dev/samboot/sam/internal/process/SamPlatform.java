package dev.samboot.sam.internal.process;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntConsumer;
import java.util.function.LongPredicate;

import dev.samboot.sam.Sam;

/**
 * What {@link Sam} takes from the process it runs in: the environment, the parent, the
 * command to relaunch, and the way out. A seam, so the API's state machine can be tested
 * in one JVM.
 *
 * @param environment the process environment
 * @param parentPid the parent's pid, if known
 * @param command the command that relaunches this program
 * @param exit how the process ends
 */
public record SamPlatform(Map<String, String> environment, Optional<Long> parentPid, List<String> command,
		IntConsumer exit) {

	/** How long shutdown hooks get when this process must end before it is halted. */
	static final long EXIT_GRACE_MILLIS = 5000;

	public static SamPlatform system() {
		return new SamPlatform(System.getenv(), currentParentPid(), null, SYSTEM_EXIT);
	}

	/**
	 * {@link #exitWithinGrace}, as a class rather than a lambda spun at the first use.
	 */
	private static final IntConsumer SYSTEM_EXIT = new IntConsumer() {

		@Override
		public void accept(int status) {
			exitWithinGrace(status);
		}

	};

	/** {@link #isAncestor}, as a class rather than a lambda spun at the first use. */
	public static final LongPredicate IS_ANCESTOR = new LongPredicate() {

		@Override
		public boolean test(long pid) {
			return isAncestor(pid);
		}

	};

	/**
	 * This process's parent's pid, without the lambda that {@code Optional.map} would
	 * spin in the launcher's JVM before instance 1 is launched.
	 * @return the pid, if known
	 */
	public static Optional<Long> currentParentPid() {
		Optional<ProcessHandle> parent = ProcessHandle.current().parent();
		return parent.isPresent() ? Optional.of(parent.get().pid()) : Optional.empty();
	}

	/**
	 * Exit with a status, running shutdown hooks, but halt if they take longer than
	 * {@link #EXIT_GRACE_MILLIS}: a process that must end (its supervisor is gone) must
	 * not be kept alive by a hook that hangs.
	 * @param status the exit status
	 */
	static void exitWithinGrace(int status) {
		Thread halt = new Thread(() -> {
			try {
				Thread.sleep(EXIT_GRACE_MILLIS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			Runtime.getRuntime().halt(status);
		}, "sam-exit-grace");
		halt.setDaemon(true);
		halt.start();
		System.exit(status);
	}

	/**
	 * Whether a process is an ancestor of this one.
	 * @param pid the process id
	 * @return whether it is found among the parents, up to 64 levels
	 */
	public static boolean isAncestor(long pid) {
		Optional<ProcessHandle> next = ProcessHandle.current().parent();
		for (int level = 0; level < 64 && next.isPresent(); level++) {
			if (next.get().pid() == pid) {
				return true;
			}
			next = next.get().parent();
		}
		return false;
	}

	public List<String> commandOrCurrent() {
		return (this.command != null) ? this.command : JvmCommandLine.current();
	}

}
