package dev.samboot.sam.internal.supervisor;

import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A supervisor that exits ends the {@code jcmd} it started and waits for it: no child of
 * its own outlives it.
 */
@Timeout(30)
class ThreadDumpEndTests {

	@Test
	void endKillsARunningJcmdAndWaitsForIt() throws Exception {
		Process slow = new ProcessBuilder("sleep", "30").start();
		try {
			ThreadDumps.Dump dump = new ThreadDumps.Dump("a file", null, new CompletableFuture<>(), slow);
			assertThat(dump.running()).isTrue();
			long begin = System.nanoTime();
			dump.end();
			assertThat(slow.isAlive()).as("gone when end() returns").isFalse();
			assertThat((System.nanoTime() - begin) / 1_000_000).isLessThan(2500);
			dump.end();
		}
		finally {
			slow.destroyForcibly();
		}
	}

	@Test
	void endOfADumpWithoutJcmdOrAlreadyDoneDoesNothing() throws Exception {
		new ThreadDumps.Dump("stdout of pid 1", null, CompletableFuture.completedFuture(true), null).end();
		Process done = new ProcessBuilder("true").start();
		done.waitFor();
		ThreadDumps.Dump dump = new ThreadDumps.Dump("a file", null, CompletableFuture.completedFuture(true), done);
		dump.end();
		assertThat(dump.running()).isFalse();
	}

}
