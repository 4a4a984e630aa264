package dev.samboot.corosync;

import java.util.Arrays;
import java.util.List;

import dev.samboot.sam.CsError;
import dev.samboot.sam.Recovery;
import dev.samboot.sam.Sam;
import dev.samboot.sam.Signals;
import dev.samboot.sam.TestSam;
import sun.misc.Signal;

import static dev.samboot.sam.TestSam.check;
import static dev.samboot.sam.TestSam.expectError;
import static dev.samboot.sam.TestSam.fail;

/**
 * The {@link TestSam} programs that need a running corosync, ports of
 * {@code test/testsam.c}'s {@code test_quorum}, {@code test_cmap_quit} and
 * {@code test_cmap_restart}.
 */
public final class CorosyncScenarios {

	static final String EXPECTED_VOTES = "quorum.expected_votes";

	private CorosyncScenarios() {
	}

	/**
	 * test_quorum, with the cmap flag on as well. Instance 1 takes quorum away and blocks
	 * in start() (state {@code waiting for quorum}) until the test kills it; it counts as
	 * started, so it is recovered. Instance 2 gives quorum back, starts, keeps sending
	 * heartbeats and takes quorum away: it is warned (SIGUSR1, timed from the moment it
	 * took quorum away) and, heartbeats notwithstanding, killed T later. Instance 3 finds
	 * both recoveries, blocks in start() until a thread gives quorum back, then stops
	 * cleanly.
	 */
	public static void quorum(Sam sam, int instance, int interval) throws InterruptedException {
		try (Cmap cmap = Cmap.connect()) {
			if (instance == 1) {
				cmap.setUint32(EXPECTED_VOTES, 2);
				awaitQuorate(false);
				System.out.println("waiting-for-quorum");
				sam.start();
				fail("start returned without quorum");
			}
			if (instance == 2) {
				sam.warnSignalSet(Signals.SIGUSR1);
				cmap.setUint32(EXPECTED_VOTES, 1);
				sam.start();
				System.out.println("started-with-quorum");
				TestSam.heartbeatsInTheBackground(sam, interval);
				sleep(interval);
				long takenAt = System.currentTimeMillis();
				Signal.handle(new Signal("USR1"), (signal) -> {
					long now = System.currentTimeMillis();
					System.out.println("warned " + (now - takenAt) + " ms after quorum was taken away");
					sam.dataStore(TestSam.longs(takenAt, now));
				});
				cmap.setUint32(EXPECTED_VOTES, 2);
				System.out.println("quorum-taken-away");
				Thread.sleep(30_000);
				fail("instance 2 was not recovered after losing quorum");
			}
			List<Recovery> recoveries = sam.recoveries();
			List<String> reasons = recoveries.stream().map((r) -> r.reason().value()).toList();
			check(reasons.equals(List.of("killed", "quorum-lost")), "recoveries " + reasons);
			check(recoveries.get(1).exitStatus() == 128 + Signals.SIGKILL,
					"instance 2 ended with " + recoveries.get(1).exitStatus() + ", not by SIGKILL");
			long[] stored = TestSam.toLongs(sam.dataRestore());
			check(stored.length == 2, "instance 2 was not warned: " + Arrays.toString(stored));
			System.out.println("quorum-lost warn-after-ms " + (stored[1] - stored[0]) + " kill-after-ms "
					+ (recoveries.get(1).time().toEpochMilli() - stored[0]));
			long waitFrom = System.currentTimeMillis();
			Thread giveBack = new Thread(() -> {
				sleep(1000);
				try (Cmap other = Cmap.connect()) {
					other.setUint32(EXPECTED_VOTES, 1);
				}
			});
			giveBack.start();
			sam.start();
			long waited = System.currentTimeMillis() - waitFrom;
			check(waited >= 900, "start returned after " + waited + " ms, before quorum was given back");
			System.out.println("start-unblocked-after-ms " + waited);
			giveBack.join();
			sam.stop();
			System.exit(0);
		}
	}

	/**
	 * The state keys follow start and stop, last_updated grows with every message; then
	 * the instance either ends while started (a recovery under quit: state failed, keys
	 * kept) or stops first (a clean quit: keys removed).
	 */
	public static void cmapQuit(Sam sam, int interval, boolean clean) throws InterruptedException {
		String prefix = CmapStatePublisher.keyPrefix(sam.supervisorPid());
		try (Cmap cmap = Cmap.connect()) {
			check(cmap.getString(prefix + "recovery").equals("quit"),
					"recovery " + cmap.getString(prefix + "recovery"));
			check(cmap.getUint64(prefix + "poll_period") == interval,
					"poll_period " + cmap.getUint64(prefix + "poll_period"));
			check(cmap.getString(prefix + "state").equals("stopped"), "state " + cmap.getString(prefix + "state"));
			sam.start();
			check(cmap.getString(prefix + "state").equals("running"),
					"state after start " + cmap.getString(prefix + "state"));
			long before = cmap.getUint64(prefix + "last_updated");
			for (int i = 0; i < 5; i++) {
				Thread.sleep(20);
				sam.hcSend();
			}
			sam.dataStore(new byte[] { 1 });
			long after = cmap.getUint64(prefix + "last_updated");
			check(after > before, "last_updated did not grow: " + before + " then " + after);
			System.out.println("last_updated " + before + " -> " + after);
			sam.stop();
			check(cmap.getString(prefix + "state").equals("stopped"),
					"state after stop " + cmap.getString(prefix + "state"));
			expectError(CsError.INVALID_PARAM, () -> Sam.current().orElseThrow().warnSignalSet(0));
			if (clean) {
				System.exit(0);
			}
			sam.start();
			System.exit(5);
		}
	}

	/**
	 * markFailed(): SIGKILL at once, no restart although the policy said restart, state
	 * failed.
	 */
	public static void cmapRestart(Sam sam) throws InterruptedException {
		String prefix = CmapStatePublisher.keyPrefix(sam.supervisorPid());
		try (Cmap cmap = Cmap.connect()) {
			check(cmap.getString(prefix + "recovery").equals("restart"),
					"recovery " + cmap.getString(prefix + "recovery"));
			sam.start();
			System.out.println("marking-failed");
			sam.markFailed();
			Thread.sleep(30_000);
			fail("instance was not killed after markFailed");
		}
	}

	/**
	 * votequorum applies a new {@code expected_votes} a moment after cmap took it; wait
	 * for that.
	 */
	static void awaitQuorate(boolean expected) {
		try (CorosyncQuorum quorum = new CorosyncQuorum()) {
			quorum.start((quorate) -> {
			});
			long deadline = System.nanoTime() + 10_000_000_000L;
			while (quorum.isQuorate() != expected) {
				check(System.nanoTime() - deadline < 0, "corosync's quorate is not " + expected + " after 10 s");
				sleep(10);
			}
		}
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
