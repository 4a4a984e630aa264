package dev.samboot.sam;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntConsumer;

/**
 * What {@link Sam} takes from the process it runs in: the environment, the parent, the command to
 * relaunch, and the way out. A seam, so the API's state machine can be tested in one JVM.
 *
 * @param environment the process environment
 * @param parentPid the parent's pid, if known
 * @param command the command that relaunches this program
 * @param exit how the process ends
 */
record SamPlatform(Map<String, String> environment, Optional<Long> parentPid, List<String> command, IntConsumer exit) {

	static SamPlatform system() {
		return new SamPlatform(System.getenv(), ProcessHandle.current().parent().map(ProcessHandle::pid),
				null, System::exit);
	}

	List<String> commandOrCurrent() {
		return (this.command != null) ? this.command : JvmCommandLine.current();
	}

}
