package dev.samboot.sam.internal.supervisor;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The attach file a {@code jcmd} leaves for a JVM it could not attach to goes once that
 * JVM has ended; nothing else of a similar name does.
 */
class ThreadDumpAttachFileTests {

	/** Far above any pid this machine hands out. */
	private static final long GONE = 4_000_000_000L + ProcessHandle.current().pid();

	@Test
	void attachFileOfAnEndedInstanceIsRemovedAndNothingElse() throws Exception {
		Path temporary = Path.of(System.getProperty("java.io.tmpdir"));
		Path left = temporary.resolve(".attach_pid" + GONE);
		Path otherPid = temporary.resolve(".attach_pid" + GONE + "1");
		Path directory = temporary.resolve(".attach_pid" + (GONE + 2));
		try {
			Files.createFile(left);
			Files.createFile(otherPid);
			Files.createDirectory(directory);
			ThreadDumps.removeAttachFiles(GONE);
			ThreadDumps.removeAttachFiles(GONE + 2);
			assertThat(left).doesNotExist();
			assertThat(otherPid).as("another pid's").exists();
			assertThat(directory).as("not a regular file").isDirectory();
			// nothing there: nothing to say
			ThreadDumps.removeAttachFiles(GONE);
		}
		finally {
			Files.deleteIfExists(left);
			Files.deleteIfExists(otherPid);
			Files.deleteIfExists(directory);
		}
	}

}
