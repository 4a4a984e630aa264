package dev.samboot.zookeeper;

import java.time.Duration;
import java.util.List;

import dev.samboot.sam.Sam;
import dev.samboot.sam.Signals;
import dev.samboot.sam.TestSam;
import sun.misc.Signal;

import static dev.samboot.sam.TestSam.check;
import static dev.samboot.sam.TestSam.fail;

/**
 * The {@link TestSam} programs whose quorum comes from a ZooKeeper ensemble
 * ({@link ZooKeeperQuorum}); the test that runs them stops and restarts the ensemble's
 * servers.
 */
public final class ZooKeeperScenarios {

	public static final Duration SESSION_TIMEOUT = Duration.ofSeconds(3);

	public static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(1);

	private ZooKeeperScenarios() {
	}

	/**
	 * Instance 1 starts (the ensemble is up), keeps sending heartbeats and waits: the
	 * test takes the majority away, so the instance is warned (SIGUSR1, the moment
	 * printed) and killed T later. Under quorum-restart instance 2 finds that recovery
	 * and blocks in start() until the test brings the servers back, then stops cleanly;
	 * under quorum-quit there is no instance 2.
	 */
	public static void quorumLost(Sam sam, int instance, int interval) throws InterruptedException {
		if (instance == 1) {
			sam.warnSignalSet(Signals.SIGUSR1);
			Signal.handle(new Signal("USR1"),
					(signal) -> System.out.println("warned at " + System.currentTimeMillis()));
			sam.start();
			System.out.println("started-with-quorum");
			TestSam.heartbeatsInTheBackground(sam, interval);
			Thread.sleep(30_000);
			fail("instance 1 was not recovered after losing quorum");
		}
		List<String> reasons = sam.recoveries().stream().map((r) -> r.reason().value()).toList();
		check(reasons.equals(List.of("quorum-lost")), "recoveries " + reasons);
		check(sam.recoveries().get(0).exitStatus() == 128 + Signals.SIGKILL,
				"instance 1 ended with " + sam.recoveries().get(0).exitStatus());
		System.out.println("recovered at " + sam.recoveries().get(0).time().toEpochMilli());
		System.out.println("waiting-for-quorum");
		long waitFrom = System.currentTimeMillis();
		sam.start();
		System.out.println("started-after-ms " + (System.currentTimeMillis() - waitFrom));
		sam.stop();
		System.exit(0);
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
