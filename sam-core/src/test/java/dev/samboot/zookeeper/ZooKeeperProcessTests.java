package dev.samboot.zookeeper;

import java.time.Duration;

import dev.samboot.sam.Signals;
import dev.samboot.sam.SupervisedRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The quorum policies with a ZooKeeper ensemble as the quorum source
 * ({@code SamOptions.quorumSource}), with real processes: a supervised instance that
 * keeps sending heartbeats is warned as soon as the ensemble loses its majority and
 * killed T later, then restarted into a {@code start()} that blocks until the majority is
 * back (quorum-restart), or the supervisor quits (quorum-quit).
 */
@Timeout(60)
class ZooKeeperProcessTests {

	private static final Duration START = Duration.ofSeconds(30);

	private static final long INTERVAL_MILLIS = 1000;

	@Test
	void quorumRestartWarnsKillsAndRestartsIntoAStartThatWaitsForTheMajority() throws Exception {
		try (ZooKeeperEnsemble ensemble = ZooKeeperEnsemble.started();
				SupervisedRun run = SupervisedRun.testSam("zk-restart", Long.toString(INTERVAL_MILLIS),
						ensemble.connectString())) {
			run.awaitLine("started-with-quorum"::equals, START);
			long takenAway = takeMajorityAway(ensemble);
			run.awaitLine("waiting-for-quorum"::equals, START);
			long warnedAfter = epochMillis(run, "warned at ") - takenAway;
			long killedAfter = epochMillis(run, "recovered at ") - takenAway;
			Thread.sleep(1500);
			assertThat(run.output()).doesNotContain("started-after-ms");
			ensemble.bringMajorityBack();
			assertThat(run.awaitExit(START)).as(run.output()).isZero();
			long startedAfter = Long
				.parseLong(run.awaitLine((l) -> l.startsWith("started-after-ms "), START).split(" ")[1]);
			assertThat(run.output()).contains("instance 2 pid").doesNotContain("instance 3").doesNotContain("FAIL");
			System.out.printf(
					"ZooKeeper quorum-restart, T=%d ms: majority taken away -> warn signal after %d ms, "
							+ "SIGKILL seen after %d ms; the next start() waited %d ms%n",
					INTERVAL_MILLIS, warnedAfter, killedAfter, startedAfter);
			// Curator says SUSPENDED within moments; a loaded machine adds to it
			assertThat(warnedAfter).as("warn signal after the majority was taken away")
				.isBetween(0L, 3 * INTERVAL_MILLIS);
			assertThat(killedAfter).as("SIGKILL T after the warn signal, heartbeats notwithstanding")
				.isBetween(INTERVAL_MILLIS, 2 * INTERVAL_MILLIS + 500)
				.isGreaterThan(warnedAfter);
			assertThat(startedAfter).as("start() waited for the majority").isGreaterThanOrEqualTo(1500);
		}
	}

	@Test
	void quorumQuitWarnsKillsAndQuits() throws Exception {
		try (ZooKeeperEnsemble ensemble = ZooKeeperEnsemble.started();
				SupervisedRun run = SupervisedRun.testSam("zk-quit", Long.toString(INTERVAL_MILLIS),
						ensemble.connectString())) {
			run.awaitLine("started-with-quorum"::equals, START);
			long takenAway = takeMajorityAway(ensemble);
			assertThat(run.awaitExit(START)).as(run.output()).isEqualTo(128 + Signals.SIGKILL);
			long quitAfter = System.currentTimeMillis() - takenAway;
			assertThat(run.output()).as("the supervisor warned before the kill")
				.contains("lost quorum: sending SIGUSR1")
				.doesNotContain("instance 2")
				.doesNotContain("FAIL");
			// the instance prints its warning from the JVM's signal thread, which a
			// loaded
			// machine may not run before the SIGKILL T later: time it when it did
			String warned = run.lines().stream().filter((l) -> l.startsWith("warned at ")).findFirst().orElse(null);
			long warnedAfter = (warned != null)
					? Long.parseLong(warned.substring("warned at ".length()).trim()) - takenAway : -1;
			System.out.printf("ZooKeeper quorum-quit, T=%d ms: majority taken away -> warn signal after %d ms, "
					+ "supervisor gone after %d ms%n", INTERVAL_MILLIS, warnedAfter, quitAfter);
			if (warned != null) {
				assertThat(warnedAfter).isBetween(0L, 3 * INTERVAL_MILLIS);
			}
		}
	}

	/**
	 * Stop two of the three servers.
	 * @return when the first one was being stopped, as epoch milliseconds: the connection
	 * may be suspended as soon as that one goes, when it was the one connected to
	 */
	private static long takeMajorityAway(ZooKeeperEnsemble ensemble) throws Exception {
		long before = System.currentTimeMillis();
		ensemble.takeMajorityAway();
		return before;
	}

	private static long epochMillis(SupervisedRun run, String prefix) {
		String line = run.awaitLine((l) -> l.startsWith(prefix), START);
		return Long.parseLong(line.substring(prefix.length()).trim());
	}

}
