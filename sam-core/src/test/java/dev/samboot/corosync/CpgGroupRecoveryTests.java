package dev.samboot.corosync;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import dev.samboot.sam.SupervisedRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A {@link CpgGroup} member whose corosync goes away and comes back: a
 * {@link CpgGroupMemberProgram} in the namespace of a {@link PrivateCorosync}, which is
 * stopped and started again under it. Skipped, saying why, where no private corosync can
 * run.
 */
@Timeout(90)
class CpgGroupRecoveryTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	/** The health check's bound. */
	private static final long BOUND_MILLIS = 3000;

	@Test
	void memberLosesTheGroupWhenCorosyncStopsAndJoinsAgainByItselfWhenItIsBack() throws Exception {
		String group = "samboot-recovery-" + Integer.toHexString(ThreadLocalRandom.current().nextInt());
		try (PrivateCorosync corosync = PrivateCorosync.create()) {
			corosync.start();
			// rejoin waits of 100 ms doubling to 500 ms, so the rejoin follows corosync
			// closely
			try (SupervisedRun member = SupervisedRun
				.start(corosync.java(CpgGroupMemberProgram.class, group, "100", "500"))) {
				String self = member.awaitLine((l) -> l.startsWith("member "), WAIT).substring(7);
				String joined = member.awaitLine((l) -> l.startsWith("membership "), WAIT);
				assertThat(CpgGroupMemberProgram.field(joined, "joined")).containsExactly(self + ":join");
				assertThat(self).endsWith("/" + member.pid()).startsWith("1/");
				member.tell("send before");
				member.awaitLine((l) -> l.endsWith(" " + self + " before") && l.startsWith("delivered "), WAIT);
				assertThat(status(member)).contains("joined=true", "healthy=true", "rejoins=0", "lostFor=-");

				long stopping = System.currentTimeMillis();
				// stopped from another thread, so that the member is asked while it has
				// been lost for less than the bound
				CompletableFuture<Duration> stopped = CompletableFuture.supplyAsync(() -> stop(corosync));
				String lost = member.awaitLine((l) -> l.startsWith("lost "), WAIT);
				long lostAfter = CpgGroupMemberProgram.time(lost) - stopping;
				assertThat(lost).as("lost for the connection, or evicted").matches("lost \\d+ (LIBRARY|NOT_EXIST) .*");
				String whileLost = status(member);
				assertThat(whileLost).contains("joined=false", "healthy=true", "rejoins=0", "members=-");
				member.tell("send during");
				member.awaitLine("send-failed NOT_EXIST during"::equals, WAIT);
				Duration stopTook = stopped.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
				assertThat(lostAfter).as("lost noticed after SIGTERM").isBetween(0L, stopTook.toMillis() + 5000);
				String unhealthy = awaitStatus(member, "healthy=false");
				assertThat(unhealthy).contains("joined=false", "rejoins=0");
				List<String> whileAway = statuses(member).stream().filter((l) -> l.contains("joined=false")).toList();
				assertThat(whileAway).allSatisfy((status) -> {
					if (status.contains("healthy=true")) {
						assertThat(millis(status, "lostFor")).as("healthy, lost for less than the bound: " + status)
							.isLessThan(BOUND_MILLIS);
					}
					else {
						assertThat(millis(status, "lostForAfter")).as("unhealthy, lost for the bound: " + status)
							.isGreaterThanOrEqualTo(BOUND_MILLIS);
					}
				});

				Instant answered = corosync.start();
				String rejoined = member.awaitLine((l) -> l.startsWith("membership ") && !l.equals(joined), WAIT);
				long rejoinedAfter = CpgGroupMemberProgram.time(rejoined) - answered.toEpochMilli();
				assertThat(CpgGroupMemberProgram.field(rejoined, "joined")).containsExactly(self + ":join");
				assertThat(CpgGroupMemberProgram.field(rejoined, "members")).containsExactly(self);
				assertThat(rejoinedAfter).as("rejoined after corosync answered").isBetween(-2000L, 5000L);
				assertThat(status(member)).contains("joined=true", "healthy=true", "rejoins=1", "lostFor=-",
						"members=" + self);
				member.tell("send after");
				member.awaitLine((l) -> l.endsWith(" " + self + " after") && l.startsWith("delivered "), WAIT);
				assertThat(member.lines()).as("only one loss").filteredOn((l) -> l.startsWith("lost ")).hasSize(1);
				assertThat(member.lines()).as("nothing sent while lost")
					.noneMatch((l) -> l.startsWith("delivered ") && l.endsWith(" during"));

				member.tell("quit");
				assertThat(member.awaitExit(WAIT)).as(member.output()).isZero();
				System.out.printf(
						"private corosync stopped (SIGTERM, exited after %d ms): the member noticed the loss %d ms "
								+ "after SIGTERM, was unhealthy (bound %d ms) %d ms after the loss; corosync started "
								+ "again: the member joined again %d ms after corosync answered%n",
						stopTook.toMillis(), lostAfter, BOUND_MILLIS, millis(unhealthy, "lostForAfter"), rejoinedAfter);
			}
		}
	}

	private static Duration stop(PrivateCorosync corosync) {
		try {
			return corosync.stop();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static long millis(String status, String field) {
		return Long.parseLong(CpgGroupMemberProgram.field(status, field).get(0));
	}

	/** Ask for a status line, with the health check for the bound, and wait for it. */
	private static String status(SupervisedRun member) throws IOException {
		int before = statuses(member).size();
		member.tell("status " + BOUND_MILLIS);
		await().atMost(WAIT).pollInterval(Duration.ofMillis(10)).until(() -> statuses(member).size() > before);
		return statuses(member).get(before);
	}

	private static List<String> statuses(SupervisedRun member) {
		return member.lines().stream().filter((l) -> l.startsWith("status ")).toList();
	}

	private static String awaitStatus(SupervisedRun member, String expected) throws Exception {
		long deadline = System.nanoTime() + WAIT.toNanos();
		while (System.nanoTime() - deadline < 0) {
			String status = status(member);
			if (status.contains(expected)) {
				return status;
			}
			Thread.sleep(100);
		}
		throw new AssertionError("no status with " + expected + " within " + WAIT + ":\n" + member.output());
	}

}
