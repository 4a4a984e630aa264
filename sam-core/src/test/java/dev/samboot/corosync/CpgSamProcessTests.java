package dev.samboot.corosync;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import dev.samboot.corosync.CpgGroupTests.Recorder;
import dev.samboot.sam.SupervisedRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * CPG with SAM, with real supervised processes ({@link CpgSamProgram} run by
 * {@link SupervisedRun}): the active process joins the group, the supervisor never does;
 * an instance that dies leaves with {@link CpgReason#PROCDOWN} and the next joins under
 * its own pid; an instance whose health check is {@link CpgGroup#healthy(Duration)} is
 * restarted when corosync stays away for longer than the bound. Skipped, saying why,
 * where corosync (or, for the second, a private corosync) cannot be had.
 */
@Timeout(120)
class CpgSamProcessTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	private static final long INTERVAL_MILLIS = 500;

	private static final long BOUND_MILLIS = 3 * INTERVAL_MILLIS;

	@Test
	void aSilentInstanceIsKilledLeavesWithProcdownAndTheNextJoinsUnderItsOwnPid() throws Exception {
		CpgGroupTests.assumeCorosync();
		String name = CpgGroupTests.groupName("sam");
		Recorder watcher = new Recorder();
		try (CpgGroup watching = CpgGroup.join(name, watcher);
				SupervisedRun run = SupervisedRun.start(
						CpgGroupTests.hostJava(CpgSamProgram.class, "watched", name, Long.toString(INTERVAL_MILLIS)))) {
			int node = watching.self().nodeId();
			int first = (int) run.awaitInstance(1, WAIT);
			watcher.awaitMembership((m) -> CpgGroupTests.joined(m, new CpgAddress(node, first, CpgReason.JOIN)));
			run.awaitLine("started instance 1"::equals, WAIT);
			assertThat(run.output()).contains("instance 1 pid " + first + " supervisor " + run.pid() + " reasons []");

			run.tell("silent");
			run.awaitLine("silent instance 1"::equals, WAIT);
			long silentAt = System.nanoTime();
			CpgMembership left = watcher.awaitMembership((m) -> m.left().stream().anyMatch((a) -> a.is(node, first)));
			long leftAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - silentAt);
			assertThat(left.left()).containsExactly(new CpgAddress(node, first, CpgReason.PROCDOWN));
			assertThat(left.contains(node, first)).isFalse();
			int second = (int) run.awaitInstance(2, WAIT);
			assertThat(second).isNotEqualTo(first);
			watcher.awaitMembership((m) -> CpgGroupTests.joined(m, new CpgAddress(node, second, CpgReason.JOIN)));
			long joinedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - silentAt);
			assertThat(run.output())
				.contains("instance 2 pid " + second + " supervisor " + run.pid() + " reasons [hc-timeout]");
			assertThat(SupervisedRun.isRunning(first)).as("instance 1 is dead").isFalse();
			assertThat(watching.members()).extracting(CpgAddress::pid)
				.containsExactlyInAnyOrder((int) ProcessHandle.current().pid(), second);

			run.tell("quit");
			assertThat(run.awaitExit(WAIT)).as(run.output()).isZero();
			watcher.awaitMembership((m) -> m.left().stream().anyMatch((a) -> a.is(node, second)));
			Set<Integer> seen = pidsSeen(watcher);
			assertThat(seen).as("the supervisor never joins").doesNotContain((int) run.pid());
			assertThat(seen).as("only the instances and the watcher")
				.containsExactlyInAnyOrder((int) ProcessHandle.current().pid(), first, second);
			assertThat(run.output()).doesNotContain("FAIL").doesNotContain("instance 3");
			System.out.printf(
					"CPG with SAM, T=%d ms: the silent instance was seen leaving (procdown) %d ms after it stopped its "
							+ "heartbeats, the next instance joining %d ms after%n",
					INTERVAL_MILLIS, leftAfter, joinedAfter);
		}
	}

	@Test
	void anInstanceThatLostTheGroupForLongerThanTheBoundIsRestartedAndTheNextJoinsOnceCorosyncIsBack()
			throws Exception {
		String name = CpgGroupTests.groupName("sam-healthy");
		try (PrivateCorosync corosync = PrivateCorosync.create()) {
			corosync.start();
			try (SupervisedRun run = SupervisedRun.start(corosync.java(CpgSamProgram.class, "healthy", name,
					Long.toString(INTERVAL_MILLIS), Long.toString(BOUND_MILLIS)))) {
				int first = (int) run.awaitInstance(1, WAIT);
				run.awaitLine("started instance 1"::equals, WAIT);
				awaitMembers(corosync, name, first);

				long stopping = System.currentTimeMillis();
				corosync.stop();
				long lostAt = CpgGroupMemberProgram.time(run.awaitLine((l) -> l.startsWith("lost "), WAIT));
				String unhealthy = run.awaitLine((l) -> l.startsWith("unhealthy instance 1 lostFor "), WAIT);
				assertThat(Long.parseLong(unhealthy.split(" ")[4])).isGreaterThanOrEqualTo(BOUND_MILLIS);
				int second = (int) run.awaitInstance(2, WAIT);
				assertThat(second).isNotEqualTo(first);
				String recovery = run.awaitLine((l) -> l.startsWith("recovery "), WAIT);
				assertThat(recovery).startsWith("recovery unhealthy ").contains(" instance 1 pid " + first + " ");
				long recoveredAfter = Long.parseLong(recovery.split(" ")[2]) - lostAt;
				assertThat(recoveredAfter).as("restarted once the group was lost for the bound")
					.isBetween(BOUND_MILLIS - 500, BOUND_MILLIS + 4 * INTERVAL_MILLIS + 5000);
				assertThat(run.output())
					.contains("instance 2 pid " + second + " supervisor " + run.pid() + " reasons [unhealthy]");
				run.awaitLine((l) -> l.startsWith("join-waiting instance 2 "), WAIT);
				assertThat(run.output()).as("instance 2 cannot join while corosync is away")
					.doesNotContain("joined instance 2");

				Instant answered = corosync.start();
				String joined = run
					.awaitLine(
							(l) -> l.startsWith("membership ")
									&& CpgGroupMemberProgram.field(l, "joined").contains("1/" + second + ":join"),
							WAIT);
				run.awaitLine("started instance 2"::equals, WAIT);
				long joinedAfter = CpgGroupMemberProgram.time(joined) - answered.toEpochMilli();
				awaitMembers(corosync, name, second);
				assertThat(run.output()).doesNotContain("instance 3").doesNotContain("FAIL");
				assertThat(SupervisedRun.isRunning(first)).as("instance 1 is dead").isFalse();

				run.tell("quit");
				assertThat(run.awaitExit(WAIT)).as(run.output()).isZero();
				System.out.printf(
						"CPG with SAM, T=%d ms, healthy(%d ms): corosync stopped, the group lost %d ms after SIGTERM, "
								+ "instance 1 restarted (unhealthy) %d ms after the loss; corosync back: instance 2, "
								+ "which had waited to join, joined %d ms after corosync answered%n",
						INTERVAL_MILLIS, BOUND_MILLIS, lostAt - stopping, recoveredAfter, joinedAfter);
			}
		}
	}

	/** Wait until {@code corosync-cpgtool} lists the group with this member only. */
	private static void awaitMembers(PrivateCorosync corosync, String name, int pid) {
		await().atMost(WAIT)
			.pollInterval(Duration.ofMillis(100))
			.untilAsserted(() -> assertThat(groupMembers(corosync, name)).as("corosync-cpgtool in the namespace")
				.containsExactly(pid));
	}

	/** Every pid the watcher saw as a member, joining or leaving. */
	private static Set<Integer> pidsSeen(Recorder watcher) {
		Set<Integer> pids = new HashSet<>();
		for (CpgMembership membership : watcher.memberships) {
			for (List<CpgAddress> addresses : List.of(membership.members(), membership.left(), membership.joined())) {
				addresses.forEach((address) -> pids.add(address.pid()));
			}
		}
		return pids;
	}

	/**
	 * The members of a group as an operator sees them: {@code corosync-cpgtool} in the
	 * namespace, whose lines are {@code NAME\x00|PID|NODEID}.
	 */
	private static List<Integer> groupMembers(PrivateCorosync corosync, String name)
			throws IOException, InterruptedException {
		Process process = corosync.command("corosync-cpgtool", "-d", "|").redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).as(output).isZero();
		List<Integer> pids = new ArrayList<>();
		for (String line : output.split("\n")) {
			String[] fields = line.split("\\|");
			if (fields.length == 3 && fields[0].equals(name + "\\x00")) {
				pids.add(Integer.parseInt(fields[1].trim()));
			}
		}
		return pids;
	}

}
