package dev.samboot.sam;

import java.util.List;

import static dev.samboot.sam.TestSam.check;
import static dev.samboot.sam.TestSam.expectError;
import static dev.samboot.sam.TestSam.fail;

/**
 * The {@link TestSam} programs that need a running corosync, ports of {@code test/testsam.c}'s
 * {@code test_quorum}, {@code test_cmap_quit} and {@code test_cmap_restart}.
 */
final class CorosyncScenarios {

	static final String EXPECTED_VOTES = "quorum.expected_votes";

	private CorosyncScenarios() {
	}

	/**
	 * Instance 1 takes quorum away and blocks in start() until the test kills it (it counts as
	 * started, so it is recovered); instance 2 gives quorum back, starts, then takes quorum away
	 * while started and is warned and killed; instance 3 finds both recoveries and quits cleanly.
	 */
	static void quorum(Sam sam, int instance, int interval) throws InterruptedException {
		try (Cmap cmap = Cmap.connect()) {
			if (instance == 1) {
				cmap.setUint32(EXPECTED_VOTES, 2);
				System.out.println("waiting-for-quorum");
				sam.start();
				fail("start returned without quorum");
			}
			if (instance == 2) {
				cmap.setUint32(EXPECTED_VOTES, 1);
				sam.start();
				System.out.println("started-with-quorum");
				Thread heartbeats = new Thread(() -> {
					while (true) {
						sam.hcSend();
						sleep(interval / 4);
					}
				});
				heartbeats.setDaemon(true);
				heartbeats.start();
				sleep(interval);
				cmap.setUint32(EXPECTED_VOTES, 2);
				System.out.println("quorum-taken-away");
				Thread.sleep(30_000);
				fail("instance 2 was not recovered after losing quorum");
			}
			List<String> reasons = sam.recoveries().stream().map((r) -> r.reason().value()).toList();
			check(reasons.equals(List.of("killed", "quorum-lost")), "recoveries " + reasons);
			cmap.setUint32(EXPECTED_VOTES, 1);
			sam.start();
			sam.stop();
			System.exit(0);
		}
	}

	/**
	 * The state keys follow start and stop, last_updated grows with every message; then the
	 * instance either ends while started (a recovery under quit: state failed, keys kept) or stops
	 * first (a clean quit: keys removed).
	 */
	static void cmapQuit(Sam sam, int interval, boolean clean) throws InterruptedException {
		String prefix = CmapStatePublisher.keyPrefix(sam.supervisorPid());
		try (Cmap cmap = Cmap.connect()) {
			check(cmap.getString(prefix + "recovery").equals("quit"), "recovery " + cmap.getString(prefix + "recovery"));
			check(cmap.getUint64(prefix + "poll_period") == interval, "poll_period " + cmap.getUint64(prefix + "poll_period"));
			check(cmap.getString(prefix + "state").equals("stopped"), "state " + cmap.getString(prefix + "state"));
			sam.start();
			check(cmap.getString(prefix + "state").equals("running"), "state after start " + cmap.getString(prefix + "state"));
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
			check(cmap.getString(prefix + "state").equals("stopped"), "state after stop " + cmap.getString(prefix + "state"));
			expectError(CsError.INVALID_PARAM, () -> Sam.current().orElseThrow().warnSignalSet(0));
			if (clean) {
				System.exit(0);
			}
			sam.start();
			System.exit(5);
		}
	}

	/** markFailed(): SIGKILL at once, no restart although the policy said restart, state failed. */
	static void cmapRestart(Sam sam) throws InterruptedException {
		String prefix = CmapStatePublisher.keyPrefix(sam.supervisorPid());
		try (Cmap cmap = Cmap.connect()) {
			check(cmap.getString(prefix + "recovery").equals("restart"), "recovery " + cmap.getString(prefix + "recovery"));
			sam.start();
			System.out.println("marking-failed");
			sam.markFailed();
			Thread.sleep(30_000);
			fail("instance was not killed after markFailed");
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
