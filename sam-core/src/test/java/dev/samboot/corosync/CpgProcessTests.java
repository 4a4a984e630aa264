package dev.samboot.corosync;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.samboot.corosync.CpgRecorder.Confchg;
import dev.samboot.corosync.CpgRecorder.Delivery;
import dev.samboot.sam.Signals;
import dev.samboot.sam.SupervisedRun;
import dev.samboot.sam.internal.process.PosixSignals;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link Cpg} between real processes: this JVM and a {@link CpgMemberProgram} JVM join
 * one group of the local corosync, see each other come and go, and deliver the same
 * messages in the same order, the large ones (fragmented by corosync) whole; corosync's
 * own {@code corosync-cpgtool} sees the Java members; and where no corosync runs (a
 * network namespace of its own, since corosync's sockets are scoped to one)
 * {@link Cpg#initialize(CpgCallbacks)} fails at once with {@code CS_ERR_LIBRARY}. Without
 * a running corosync these tests are skipped, saying why.
 */
@Timeout(60)
class CpgProcessTests {

	private static final Duration START = Duration.ofSeconds(20);

	private static final Duration WAIT = Duration.ofSeconds(20);

	/** Messages each member sends in the ordering test. */
	private static final int BURST = 3000;

	private static final int THREE_MIB = 3 << 20;

	private static final int PID = (int) ProcessHandle.current().pid();

	@BeforeAll
	static void corosyncIsRunning() {
		String reason = RunningCorosync.cmapUnavailableReason();
		assumeTrue(reason == null, () -> "corosync is not running here, skipping the CPG process tests: " + reason);
	}

	private static SupervisedRun member(String group) throws IOException {
		return start(List.of("member", group), List.of());
	}

	private static SupervisedRun start(List<String> args, List<String> prefix) throws IOException {
		List<String> command = new ArrayList<>(prefix);
		command.addAll(SupervisedRun.javaCommand());
		command.add("-cp");
		command.add(SupervisedRun.testClassPath());
		command.add(CpgMemberProgram.class.getName());
		command.addAll(args);
		return SupervisedRun.start(command);
	}

	/** Wait for the child to have joined; return its pid. */
	private static int awaitJoined(SupervisedRun child) {
		int pid = Integer.parseInt(child.awaitLine((l) -> l.startsWith("pid "), START).substring(4));
		assertThat(pid).isEqualTo((int) child.pid());
		child.awaitLine((l) -> l.startsWith("joined ") || l.startsWith("FAIL"), START);
		assertThat(child.output()).doesNotContain("FAIL");
		return pid;
	}

	@Test
	void eachMemberSeesTheOtherJoinAndInTheMembershipAndCorosyncCpgtoolListsBoth() throws Exception {
		String group = CpgTests.group("two");
		try (CpgRecorder recorder = CpgRecorder.initialize().startDispatching(); SupervisedRun child = member(group)) {
			Cpg cpg = recorder.cpg();
			int nodeId = cpg.localGet();
			cpg.join(group);
			recorder.await(Confchg.class, (c) -> c.joined().contains(new CpgAddress(nodeId, PID, CpgReason.JOIN)),
					WAIT);
			int childPid = awaitJoined(child);
			Confchg childJoined = recorder.await(Confchg.class,
					(c) -> c.joined().contains(new CpgAddress(nodeId, childPid, CpgReason.JOIN)), WAIT);
			assertThat(childJoined.members()).containsExactlyInAnyOrder(
					new CpgAddress(nodeId, PID, CpgReason.UNDEFINED),
					new CpgAddress(nodeId, childPid, CpgReason.UNDEFINED));
			assertThat(childJoined.left()).isEmpty();
			// the child joined after this JVM: its first confchg lists both, itself
			// joined
			List<String> both = List.of(nodeId + "/" + PID + "/0", nodeId + "/" + childPid + "/0");
			String[] childFirst = child.awaitLine((l) -> l.startsWith("confchg "), WAIT).split(" ");
			assertThat(childFirst[1].substring("members=".length()).split(","))
				.containsExactlyInAnyOrderElementsOf(both);
			assertThat(childFirst[2]).isEqualTo("left=-");
			assertThat(childFirst[3]).isEqualTo("joined=" + nodeId + "/" + childPid + "/1");
			assertThat(cpg.membershipGet(group)).containsExactlyInAnyOrder(
					new CpgAddress(nodeId, PID, CpgReason.UNDEFINED),
					new CpgAddress(nodeId, childPid, CpgReason.UNDEFINED));
			child.tell("membership");
			String membership = child.awaitLine((l) -> l.startsWith("membership "), WAIT);
			assertThat(membership.substring("membership ".length()).split(","))
				.containsExactlyInAnyOrderElementsOf(both);

			Map<String, List<Integer>> cpgtool = cpgtool();
			assertThat(cpgtool).as("corosync-cpgtool -e").containsKey(group);
			assertThat(cpgtool.get(group)).containsExactlyInAnyOrder(PID, childPid);

			child.tell("quit");
			assertThat(child.awaitExit(WAIT)).as(child.output()).isZero();
			Confchg childLeft = recorder.await(Confchg.class,
					(c) -> c.left().stream().anyMatch((a) -> a.pid() == childPid), WAIT);
			// cpg_finalize without cpg_leave: corosync says the process went down
			assertThat(childLeft.left()).containsExactly(new CpgAddress(nodeId, childPid, CpgReason.PROCDOWN));
			assertThat(childLeft.members()).containsExactly(new CpgAddress(nodeId, PID, CpgReason.UNDEFINED));
		}
	}

	@Test
	void bothMembersDeliverEveryMessageInTheSameOrder() throws Exception {
		String group = CpgTests.group("order");
		try (CpgRecorder recorder = CpgRecorder.initialize().startDispatching(); SupervisedRun child = member(group)) {
			Cpg cpg = recorder.cpg();
			int nodeId = cpg.localGet();
			cpg.join(group);
			int childPid = awaitJoined(child);
			recorder.await(Confchg.class, (c) -> c.members().size() == 2, WAIT);
			child.awaitLine((l) -> l.startsWith("confchg members=") && l.contains(","), WAIT);
			long started = System.nanoTime();
			// both send at once
			child.tell("burst " + BURST);
			AtomicLong retries = new AtomicLong();
			for (int seq = 0; seq < BURST; seq++) {
				retries.addAndGet(CpgMemberProgram.send(cpg, CpgMemberProgram.message(PID, seq)));
			}
			List<Delivery> here = recorder.awaitDeliveries(2 * BURST, WAIT);
			await().atMost(WAIT)
				.pollInterval(Duration.ofMillis(20))
				.until(() -> child.lines().stream().filter((l) -> l.startsWith("deliver ")).count() >= 2 * BURST);
			long tookMillis = (System.nanoTime() - started) / 1_000_000;
			String childSent = child.awaitLine((l) -> l.startsWith("burst-sent "), WAIT);

			List<String> deliveredHere = new ArrayList<>();
			for (Delivery delivery : here) {
				assertThat(delivery.nodeId()).isEqualTo(nodeId);
				deliveredHere.add(delivery.pid() + " " + new String(delivery.message(), StandardCharsets.UTF_8));
			}
			List<String> deliveredThere = new ArrayList<>();
			for (String line : child.lines()) {
				if (line.startsWith("deliver ")) {
					String[] fields = line.split(" ");
					assertThat(fields[1]).isEqualTo(Integer.toUnsignedString(nodeId));
					deliveredThere.add(fields[2] + " "
							+ new String(Base64.getDecoder().decode(fields[5]), StandardCharsets.UTF_8));
				}
			}
			assertThat(deliveredHere).hasSize(2 * BURST);
			// agreed order: the very same sequence at both
			assertThat(deliveredThere).isEqualTo(deliveredHere);
			// every message, each sender's in the order sent, the sender given right
			assertThat(sequence(deliveredHere, PID)).as("this JVM's messages").isEqualTo(range(BURST));
			assertThat(sequence(deliveredHere, childPid)).as("the child's messages").isEqualTo(range(BURST));
			int switches = 0;
			for (int i = 1; i < deliveredHere.size(); i++) {
				if (!deliveredHere.get(i).split(" ")[0].equals(deliveredHere.get(i - 1).split(" ")[0])) {
					switches++;
				}
			}
			System.out.printf(
					"%d messages from each of two members delivered in the same order by both in %d ms; the order "
							+ "changes sender %d times; TRY_AGAIN retried %d times here, %s in the child%n",
					BURST, tookMillis, switches, retries.get(), childSent.split(" ")[2]);
			assertThat(child.output()).doesNotContain("FAIL");
		}
	}

	@Test
	void aMessageOfTheAtomicMaximumAndOneOf3MibArriveWholeAtBoth() throws Exception {
		String group = CpgTests.group("big");
		try (CpgRecorder recorder = CpgRecorder.initialize().startDispatching(); SupervisedRun child = member(group)) {
			Cpg cpg = recorder.cpg();
			cpg.join(group);
			int childPid = awaitJoined(child);
			recorder.await(Confchg.class, (c) -> c.members().size() == 2, WAIT);
			child.awaitLine((l) -> l.startsWith("confchg members=") && l.contains(","), WAIT);
			int max = cpg.maxAtomicMsgsizeGet();
			// this JVM sends seeds 1 and 2, the child 3 and 4
			Map<Long, byte[]> expected = new HashMap<>();
			expected.put(1L, CpgMemberProgram.pattern(max, 1));
			expected.put(2L, CpgMemberProgram.pattern(THREE_MIB, 2));
			expected.put(3L, CpgMemberProgram.pattern(max, 3));
			expected.put(4L, CpgMemberProgram.pattern(THREE_MIB, 4));
			long started = System.nanoTime();
			CpgMemberProgram.send(cpg, expected.get(1L));
			CpgMemberProgram.send(cpg, expected.get(2L));
			child.tell("big " + max + " 3");
			child.tell("big " + THREE_MIB + " 4");
			List<Delivery> here = recorder.awaitDeliveries(4, WAIT);
			await().atMost(WAIT)
				.pollInterval(Duration.ofMillis(20))
				.until(() -> child.lines().stream().filter((l) -> l.startsWith("deliver ")).count() >= 4);
			long tookMillis = (System.nanoTime() - started) / 1_000_000;
			assertThat(here).hasSize(4);
			List<String> there = child.lines().stream().filter((l) -> l.startsWith("deliver ")).toList();
			assertThat(there).hasSize(4);
			for (int i = 0; i < 4; i++) {
				Delivery delivery = here.get(i);
				long seed = (delivery.pid() == PID) ? ((delivery.message().length == max) ? 1 : 2)
						: ((delivery.message().length == max) ? 3 : 4);
				byte[] sent = expected.get(seed);
				assertThat(delivery.pid()).isIn(PID, childPid);
				assertThat(delivery.message()).as("message %d here (seed %d)", i, seed).isEqualTo(sent);
				String[] fields = there.get(i).split(" ");
				assertThat(fields[2] + " " + fields[3] + " " + fields[4]).as("message %d in the child", i)
					.isEqualTo(delivery.pid() + " " + sent.length + " " + CpgMemberProgram.crc(sent));
			}
			assertThat(here).extracting(Delivery::pid).containsOnly(PID, childPid);
			System.out.printf("messages of %,d bytes (the atomic maximum) and of %,d bytes, two from each member, "
					+ "delivered whole by both in %d ms%n", max, THREE_MIB, tookMillis);
			assertThat(child.output()).doesNotContain("FAIL");
		}
	}

	@Test
	void killingTheChildWithSigkillIsAProcdownLeave() throws Exception {
		String group = CpgTests.group("kill");
		try (CpgRecorder recorder = CpgRecorder.initialize().startDispatching(); SupervisedRun child = member(group)) {
			Cpg cpg = recorder.cpg();
			int nodeId = cpg.localGet();
			cpg.join(group);
			int childPid = awaitJoined(child);
			recorder.await(Confchg.class, (c) -> c.joined().contains(new CpgAddress(nodeId, childPid, CpgReason.JOIN)),
					WAIT);
			long killing = System.nanoTime();
			PosixSignals.send(child.process().toHandle(), Signals.SIGKILL);
			Confchg left = recorder.await(Confchg.class, (c) -> !c.left().isEmpty(), WAIT);
			long delayMillis = TimeUnit.NANOSECONDS.toMillis(left.nanos() - killing);
			System.out.printf("kill -9 of a member: its PROCDOWN leave delivered %d ms later%n", delayMillis);
			assertThat(left.left()).containsExactly(new CpgAddress(nodeId, childPid, CpgReason.PROCDOWN));
			assertThat(left.members()).containsExactly(new CpgAddress(nodeId, PID, CpgReason.UNDEFINED));
			assertThat(left.joined()).isEmpty();
			assertThat(delayMillis).isBetween(0L, 5000L);
			assertThat(child.awaitExit(WAIT)).isEqualTo(128 + Signals.SIGKILL);
			assertThat(cpg.membershipGet(group)).containsExactly(new CpgAddress(nodeId, PID, CpgReason.UNDEFINED));
		}
	}

	@Test
	void withoutCorosyncInitializeFailsAtOnceWithLibrary() throws Exception {
		assumeTrue(canUnshareTheNetwork(),
				"cannot make a network namespace here (unshare --net), which the test needs to run where no corosync is");
		try (SupervisedRun child = start(List.of("initialize"), List.of("unshare", "--net"))) {
			assertThat(child.awaitExit(START)).as(child.output()).isZero();
			List<String> answers = child.lines().stream().filter((l) -> l.startsWith("initialize ")).toList();
			assertThat(answers).as(child.output()).hasSize(2);
			for (String answer : answers) {
				String[] fields = answer.split(" ", 4);
				assertThat(fields[1]).as(answer).isEqualTo("LIBRARY");
				assertThat(fields[3]).contains("is corosync running?").contains("CS_ERR_LIBRARY");
			}
			long firstMicros = Long.parseLong(answers.get(0).split(" ")[2]);
			long secondMicros = Long.parseLong(answers.get(1).split(" ")[2]);
			System.out.printf("Cpg.initialize without corosync: CS_ERR_LIBRARY after %d us (library loaded "
					+ "in the first), then %d us%n", firstMicros, secondMicros);
			assertThat(secondMicros).as("the second answer, in microseconds").isLessThan(500_000);
		}
	}

	private static boolean canUnshareTheNetwork() throws InterruptedException {
		try {
			Process process = new ProcessBuilder("unshare", "--net", "true").redirectErrorStream(true).start();
			process.getInputStream().readAllBytes();
			if (!process.waitFor(10, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				return false;
			}
			return process.exitValue() == 0;
		}
		catch (IOException ex) {
			return false;
		}
	}

	/**
	 * What {@code corosync-cpgtool -e} lists: each group (printed with its NUL) and the
	 * pids of its members.
	 */
	private static Map<String, List<Integer>> cpgtool() throws IOException, InterruptedException {
		Process process = new ProcessBuilder("corosync-cpgtool", "-e").redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).as(output).isZero();
		Map<String, List<Integer>> groups = new HashMap<>();
		List<Integer> members = null;
		for (String line : output.split("\n")) {
			if (line.startsWith("\t")) {
				if (members != null) {
					members.add(Integer.parseInt(line.trim().split("\\s+")[0]));
				}
			}
			else if (line.endsWith("\0")) {
				members = new ArrayList<>();
				groups.put(line.substring(0, line.length() - 1), members);
			}
			else {
				members = null;
			}
		}
		return groups;
	}

	/** The numbers of one sender's messages, in the order delivered. */
	private static List<Integer> sequence(List<String> delivered, int pid) {
		List<Integer> sequence = new ArrayList<>();
		for (String entry : delivered) {
			// "PID m PID SEQ": the sender as corosync gave it, then as the message says
			String[] fields = entry.split(" ");
			if (Integer.parseInt(fields[0]) == pid) {
				assertThat(fields[1] + " " + fields[2]).isEqualTo("m " + pid);
				sequence.add(Integer.parseInt(fields[3]));
			}
		}
		return sequence;
	}

	private static List<Integer> range(int count) {
		List<Integer> range = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			range.add(i);
		}
		return range;
	}

}
