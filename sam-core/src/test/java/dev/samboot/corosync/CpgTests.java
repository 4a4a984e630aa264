package dev.samboot.corosync;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;

import dev.samboot.corosync.CpgRecorder.Confchg;
import dev.samboot.corosync.CpgRecorder.Delivery;
import dev.samboot.corosync.CpgRecorder.Totem;
import dev.samboot.sam.CsError;
import dev.samboot.sam.SamException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The raw {@link Cpg} binding against the local corosync, in this JVM: bad input is
 * refused with corosync's error and crashes nothing, corosync's own rules (one membership
 * per process and group, no join after a leave) come back as its errors, and what
 * corosync delivers (configuration changes, messages, the totem ring) reaches the
 * callbacks as {@code cpg.h} describes. Callbacks are dispatched on threads with an 8 MiB
 * stack. Every group name is unique to the run. Without a running corosync these tests
 * are skipped, saying why.
 */
@Timeout(30)
class CpgTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final int PID = (int) ProcessHandle.current().pid();

	@BeforeAll
	static void corosyncIsRunning() {
		String reason = RunningCorosync.cmapUnavailableReason();
		assumeTrue(reason == null, () -> "corosync is not running here, skipping the CPG tests: " + reason);
	}

	/**
	 * A group name no other run uses.
	 * @param tag what the test is
	 * @return the name
	 */
	static String group(String tag) {
		return "samboot-cpgtest-" + tag + "-" + PID + "-"
				+ HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
	}

	private static CsError error(ThrowingCallable call) {
		SamException ex = catchThrowableOfType(SamException.class, call);
		assertThat(ex).as("a SamException").isNotNull();
		return ex.error();
	}

	private static int utf8Bytes(String name) {
		return name.getBytes(StandardCharsets.UTF_8).length;
	}

	/** Pad a name with {@code x} to a number of UTF-8 bytes. */
	private static String padded(String name, int bytes) {
		return name + "x".repeat(bytes - utf8Bytes(name));
	}

	private static boolean joinedSelf(Confchg change, int nodeId) {
		return change.joined().contains(new CpgAddress(nodeId, PID, CpgReason.JOIN));
	}

	// bad input

	@Test
	void groupNamesAreCountedInUtf8BytesUpTo127() throws Exception {
		String ascii127 = padded(group("ascii"), 127);
		String ascii128 = ascii127 + "x";
		// the euro sign is 3 bytes: 127 and 128 bytes, with fewer characters
		String multi127 = padded(group("euro"), 124) + "€";
		String multi128 = padded(group("euro"), 125) + "€";
		assertThat(utf8Bytes(multi127)).isEqualTo(127);
		assertThat(utf8Bytes(multi128)).isEqualTo(128);
		assertThat(multi128.length()).isEqualTo(126);
		try (CpgRecorder ascii = CpgRecorder.initialize().startDispatching();
				CpgRecorder multi = CpgRecorder.initialize().startDispatching()) {
			for (String tooLong : List.of(ascii128, multi128)) {
				assertThat(error(() -> Cpg.encodeName(tooLong))).isEqualTo(CsError.NAME_TOO_LONG);
				assertThat(error(() -> ascii.cpg().join(tooLong))).as("join").isEqualTo(CsError.NAME_TOO_LONG);
				assertThat(error(() -> ascii.cpg().leave(tooLong))).as("leave").isEqualTo(CsError.NAME_TOO_LONG);
				assertThat(error(() -> ascii.cpg().membershipGet(tooLong))).as("membershipGet")
					.isEqualTo(CsError.NAME_TOO_LONG);
				assertThat(error(() -> ascii.cpg().iterate(Cpg.IterationType.ONE_GROUP, tooLong)))
					.as("iterate ONE_GROUP")
					.isEqualTo(CsError.NAME_TOO_LONG);
			}
			int nodeId = ascii.cpg().localGet();
			ascii.cpg().join(ascii127);
			multi.cpg().join(multi127);
			// the names come back whole: UTF-8 and the NUL there and back
			assertThat(ascii.await(Confchg.class, (c) -> joinedSelf(c, nodeId), WAIT).group()).isEqualTo(ascii127);
			assertThat(multi.await(Confchg.class, (c) -> joinedSelf(c, nodeId), WAIT).group()).isEqualTo(multi127);
			assertThat(Cpg.encodeName(multi127)).hasSize(127);
			assertThat(ascii.cpg().membershipGet(ascii127))
				.containsExactly(new CpgAddress(nodeId, PID, CpgReason.UNDEFINED));
			assertThat(ascii.cpg().membershipGet(multi127))
				.containsExactly(new CpgAddress(nodeId, PID, CpgReason.UNDEFINED));
			assertThat(ascii.cpg().iterate(Cpg.IterationType.NAME_ONLY, null))
				.extracting(CpgIterationDescription::group)
				.contains(ascii127, multi127);
		}
	}

	@Test
	void emptyNullAndNulNamesAreInvalidParam() throws Exception {
		String group = group("nul");
		List<String> bad = Arrays.asList("", null, "a\0b", group + "\0", "\0");
		try (CpgRecorder recorder = CpgRecorder.initialize().startDispatching()) {
			Cpg cpg = recorder.cpg();
			for (String name : bad) {
				String shown = String.valueOf(name).replace("\0", "\\0");
				assertThat(error(() -> Cpg.encodeName(name))).as("encodeName '%s'", shown)
					.isEqualTo(CsError.INVALID_PARAM);
				assertThat(error(() -> cpg.join(name))).as("join '%s'", shown).isEqualTo(CsError.INVALID_PARAM);
				assertThat(error(() -> cpg.leave(name))).as("leave '%s'", shown).isEqualTo(CsError.INVALID_PARAM);
				assertThat(error(() -> cpg.membershipGet(name))).as("membershipGet '%s'", shown)
					.isEqualTo(CsError.INVALID_PARAM);
				assertThat(error(() -> cpg.iterate(Cpg.IterationType.ONE_GROUP, name))).as("iterate '%s'", shown)
					.isEqualTo(CsError.INVALID_PARAM);
			}
			// nothing of that reached corosync: the handle joins as if new
			cpg.join(group);
			recorder.await(Confchg.class, (c) -> joinedSelf(c, cpg.localGet()), WAIT);
			assertThat(cpg.membershipGet(group)).extracting(CpgAddress::pid).containsExactly(PID);
		}
	}

	@Test
	void joiningTwiceIsExist() throws Exception {
		String group = group("twice");
		try (CpgRecorder recorder = CpgRecorder.initialize().startDispatching()) {
			Cpg cpg = recorder.cpg();
			cpg.join(group);
			// at once, while corosync still completes the first join
			assertThat(error(() -> cpg.join(group))).isEqualTo(CsError.EXIST);
			recorder.await(Confchg.class, (c) -> joinedSelf(c, cpg.localGet()), WAIT);
			assertThat(error(() -> cpg.join(group))).as("once joined").isEqualTo(CsError.EXIST);
			// a handle is a member of one group
			assertThat(error(() -> cpg.join(group("other")))).as("another group").isEqualTo(CsError.EXIST);
			assertThat(cpg.membershipGet(group)).extracting(CpgAddress::pid).containsExactly(PID);
		}
	}

	@Test
	void aSecondHandleOfThisProcessCannotJoinTheSameGroup() throws Exception {
		String group = group("second");
		String other = group("second-other");
		try (CpgRecorder first = CpgRecorder.initialize().startDispatching();
				CpgRecorder second = CpgRecorder.initialize().startDispatching()) {
			int nodeId = first.cpg().localGet();
			first.cpg().join(group);
			first.await(Confchg.class, (c) -> joinedSelf(c, nodeId), WAIT);
			// corosync knows members by node and pid: one process is a member once
			assertThat(error(() -> second.cpg().join(group))).isEqualTo(CsError.EXIST);
			assertThat(second.cpg().membershipGet(group))
				.containsExactly(new CpgAddress(nodeId, PID, CpgReason.UNDEFINED));
			// the refusal is for that group only
			second.cpg().join(other);
			assertThat(second.await(Confchg.class, (c) -> joinedSelf(c, nodeId), WAIT).group()).isEqualTo(other);
			assertThat(second.confchgs()).extracting(Confchg::group).containsOnly(other);
		}
	}

	/**
	 * corosync 3.1.7 keeps the group and pid of a handle that left, in the state "leave
	 * started", for as long as the connection lasts ({@code exec/cpg.c} resets them only
	 * for local processes counted in the joined list, which a leave leaves empty). A join
	 * of the same group is then refused with EXIST, on that handle and on any other of
	 * this process; one of another group would be answered BUSY, which {@code cpg_join}
	 * repeats for ever, so it is not tried. Once the handle is finalized, a new one
	 * joins.
	 */
	@Test
	void aHandleThatLeftCannotJoinAgainAsCorosyncHasIt() throws Exception {
		String group = group("rejoin");
		try (CpgRecorder again = CpgRecorder.initialize().startDispatching()) {
			int nodeId = again.cpg().localGet();
			try (CpgRecorder recorder = CpgRecorder.initialize().startDispatching()) {
				Cpg cpg = recorder.cpg();
				cpg.join(group);
				recorder.await(Confchg.class, (c) -> joinedSelf(c, nodeId), WAIT);
				cpg.leave(group);
				Confchg left = recorder.await(Confchg.class,
						(c) -> c.left().contains(new CpgAddress(nodeId, PID, CpgReason.LEAVE)), WAIT);
				assertThat(left.members()).isEmpty();
				assertThat(left.joined()).isEmpty();
				assertThat(cpg.membershipGet(group)).isEmpty();
				assertThat(error(() -> cpg.join(group))).as("join after leave").isEqualTo(CsError.EXIST);
				assertThat(error(() -> cpg.leave(group))).as("leave after leave").isEqualTo(CsError.NOT_EXIST);
				assertThat(error(() -> again.cpg().join(group))).as("another handle, while the one that left is open")
					.isEqualTo(CsError.EXIST);
			}
			again.cpg().join(group);
			again.await(Confchg.class, (c) -> joinedSelf(c, nodeId), WAIT);
			assertThat(again.cpg().membershipGet(group))
				.containsExactly(new CpgAddress(nodeId, PID, CpgReason.UNDEFINED));
		}
	}

	@Test
	void leavingAGroupNotJoinedIsNotExist() throws Exception {
		String group = group("not-joined");
		try (CpgRecorder recorder = CpgRecorder.initialize()) {
			assertThat(error(() -> recorder.cpg().leave(group))).isEqualTo(CsError.NOT_EXIST);
			assertThat(recorder.cpg().membershipGet(group)).isEmpty();
			// still a fresh handle
			recorder.startDispatching();
			recorder.cpg().join(group);
			recorder.await(Confchg.class, (c) -> joinedSelf(c, recorder.cpg().localGet()), WAIT);
		}
	}

	/**
	 * corosync 3.1.7 does not compare the name a handle leaves with the one it joined: it
	 * answers OK, announces that this pid left the other group, and puts the handle in
	 * the state "leave started", so that neither a leave nor the end of the process ever
	 * takes it out of the group it joined. The member stays listed, with a pid that no
	 * longer runs, until corosync restarts. The binding could refuse such a leave itself.
	 */
	@Test
	void leavingAnotherGroupThanTheOneJoinedIsNotExist() throws Exception {
		String group = group("leave-other");
		try (CpgRecorder recorder = CpgRecorder.initialize().startDispatching()) {
			Cpg cpg = recorder.cpg();
			cpg.join(group);
			recorder.await(Confchg.class, (c) -> joinedSelf(c, cpg.localGet()), WAIT);
			assertThat(error(() -> cpg.leave(group("never-joined")))).isEqualTo(CsError.NOT_EXIST);
			cpg.leave(group);
			// the leave goes round the ring before corosync's membership shows it
			await().atMost(WAIT).until(() -> cpg.membershipGet(group).isEmpty());
		}
	}

	@Test
	void everyCallAfterCloseIsBadHandleAndClosingTwiceIsHarmless() throws Exception {
		String group = group("closed");
		CpgRecorder recorder = CpgRecorder.initialize();
		Cpg cpg = recorder.cpg();
		cpg.join(group);
		cpg.close();
		assertThat(cpg.isClosed()).isTrue();
		assertThat(cpg).hasToString("Cpg[finalized]");
		cpg.close();
		List<ThrowingCallable> calls = new ArrayList<>(List.of(cpg::fdGet, () -> cpg.join(group),
				() -> cpg.join(group("after-close")), () -> cpg.leave(group),
				() -> cpg.mcastJoined(Cpg.Guarantee.AGREED, new byte[] { 1 }), () -> cpg.membershipGet(group),
				cpg::localGet, cpg::maxAtomicMsgsizeGet, cpg::flowControlEnabled, cpg::contextGet,
				() -> cpg.contextSet("context"), () -> cpg.iterate(Cpg.IterationType.NAME_ONLY, null),
				() -> cpg.iterate(Cpg.IterationType.ONE_GROUP, group), () -> cpg.iterate(Cpg.IterationType.ALL, null)));
		for (Cpg.DispatchFlag flag : Cpg.DispatchFlag.values()) {
			// on a large stack and on the test's own thread: the handle is checked first
			calls.add(() -> CpgRecorder.onDispatchStack(() -> {
				cpg.dispatch(flag);
				return null;
			}, WAIT));
			calls.add(() -> cpg.dispatch(flag));
		}
		for (int i = 0; i < calls.size(); i++) {
			assertThat(error(calls.get(i))).as("call %d after close", i).isEqualTo(CsError.BAD_HANDLE);
		}
		cpg.close();
		assertThat(recorder.events()).isEmpty();
		// the close took this process out of the group
		assertNoMember(group);
	}

	@Test
	void dispatchOnAThreadWithA1MibStackIsRefusedAndTheJvmLives() throws Exception {
		String group = group("small-stack");
		try (CpgRecorder recorder = CpgRecorder.initialize()) {
			Cpg cpg = recorder.cpg();
			cpg.join(group);
			// a confchg is pending: dispatching it on this stack would overflow it
			for (Cpg.DispatchFlag flag : Cpg.DispatchFlag.values()) {
				SamException refused = CpgRecorder.onThreadWithStack(1L << 20,
						() -> catchThrowableOfType(SamException.class, () -> cpg.dispatch(flag)), WAIT);
				assertThat(refused).as("dispatch %s on a 1 MiB stack", flag).isNotNull();
				assertThat(refused.error()).isEqualTo(CsError.NO_RESOURCES);
				assertThat(refused.getMessage()).contains("cpg_dispatch", "KiB of stack", "cpg-test-1024k");
			}
			assertThat(recorder.events()).isEmpty();
			CpgRecorder.onDispatchStack(() -> {
				cpg.dispatch(Cpg.DispatchFlag.ONE);
				return null;
			}, WAIT);
			assertThat(recorder.confchgs()).singleElement()
				.satisfies((c) -> assertThat(joinedSelf(c, cpg.localGet())).isTrue());
		}
	}

	@Test
	void dispatchOnAVirtualThreadIsRefused() throws Exception {
		assumeTrue(Runtime.version().feature() >= 21,
				() -> "virtual threads need Java 21, this is " + Runtime.version());
		try (CpgRecorder recorder = CpgRecorder.initialize()) {
			Cpg cpg = recorder.cpg();
			cpg.join(group("virtual"));
			AtomicReference<Throwable> thrown = new AtomicReference<>();
			Runnable dispatch = () -> thrown.set(catchThrowable(() -> cpg.dispatch(Cpg.DispatchFlag.ALL)));
			// Thread.startVirtualThread, through reflection: the tests compile for Java
			// 17
			Thread virtual = (Thread) Thread.class.getMethod("startVirtualThread", Runnable.class)
				.invoke(null, dispatch);
			virtual.join(WAIT.toMillis());
			assertThat(thrown.get()).isInstanceOf(SamException.class).hasMessageContaining("never on a virtual thread");
			assertThat(((SamException) thrown.get()).error()).isEqualTo(CsError.NO_RESOURCES);
			assertThat(recorder.events()).isEmpty();
		}
	}

	@Test
	void nullArgumentsAreInvalidParam() throws Exception {
		assertThat(error(() -> Cpg.initialize(null))).isEqualTo(CsError.INVALID_PARAM);
		assertThat(error(() -> Cpg.modelInitialize(null, true))).isEqualTo(CsError.INVALID_PARAM);
		try (CpgRecorder recorder = CpgRecorder.initialize()) {
			Cpg cpg = recorder.cpg();
			List<ThrowingCallable> calls = List.of(() -> cpg.dispatch(null), () -> cpg.join(null),
					() -> cpg.leave(null), () -> cpg.membershipGet(null), () -> cpg.mcastJoined(null, new byte[] { 1 }),
					() -> cpg.mcastJoined(Cpg.Guarantee.AGREED, (byte[][]) null),
					() -> cpg.mcastJoined(Cpg.Guarantee.AGREED, new byte[] { 1 }, null), () -> cpg.iterate(null, null),
					() -> cpg.iterate(Cpg.IterationType.ONE_GROUP, null),
					() -> cpg.iterate(Cpg.IterationType.ALL, group("iterate")),
					() -> cpg.iterate(Cpg.IterationType.NAME_ONLY, group("iterate")));
			for (int i = 0; i < calls.size(); i++) {
				assertThat(error(calls.get(i))).as("call %d", i).isEqualTo(CsError.INVALID_PARAM);
			}
			cpg.contextSet(null);
			assertThat(cpg.contextGet()).isNull();
			assertThat(cpg.isClosed()).isFalse();
		}
	}

	// behaviour

	@Test
	void joinDeliversAConfchgWithThisProcessAndMembershipGetListsIt() throws Exception {
		String group = group("join");
		try (CpgRecorder recorder = CpgRecorder.initialize().startDispatching()) {
			Cpg cpg = recorder.cpg();
			int nodeId = cpg.localGet();
			assertThat(nodeId).as("node id (corosync-single-node.conf has 1)").isNotZero();
			assertThat(cpg.membershipGet(group)).as("before the join").isEmpty();
			cpg.join(group);
			Confchg change = recorder.await(Confchg.class, (c) -> !c.joined().isEmpty(), WAIT);
			assertThat(change.group()).isEqualTo(group);
			assertThat(change.joined()).containsExactly(new CpgAddress(nodeId, PID, CpgReason.JOIN));
			assertThat(change.members()).containsExactly(new CpgAddress(nodeId, PID, CpgReason.UNDEFINED));
			assertThat(change.left()).isEmpty();
			assertThat(cpg.membershipGet(group)).containsExactly(new CpgAddress(nodeId, PID, CpgReason.UNDEFINED));
			assertThat(recorder.confchgs()).hasSize(1);
		}
	}

	@Test
	void aMulticastOfSeveralPartsArrivesAsTheirConcatenationToItsSender() throws Exception {
		String group = group("mcast");
		byte[] random = new byte[10_000];
		new Random(42).nextBytes(random);
		byte[][] parts = { "ab".getBytes(StandardCharsets.UTF_8), new byte[0], "cdé".getBytes(StandardCharsets.UTF_8),
				random, { 0 } };
		byte[] whole = concat(parts);
		try (CpgRecorder recorder = CpgRecorder.initialize().startDispatching()) {
			Cpg cpg = recorder.cpg();
			int nodeId = cpg.localGet();
			cpg.join(group);
			recorder.await(Confchg.class, (c) -> joinedSelf(c, nodeId), WAIT);
			cpg.mcastJoined(Cpg.Guarantee.AGREED, parts);
			// no parts, and empty parts, make an empty message
			cpg.mcastJoined(Cpg.Guarantee.AGREED);
			cpg.mcastJoined(Cpg.Guarantee.AGREED, new byte[0], new byte[0]);
			// corosync delivers the four guarantees alike, in order
			for (Cpg.Guarantee guarantee : Cpg.Guarantee.values()) {
				cpg.mcastJoined(guarantee, guarantee.name().getBytes(StandardCharsets.UTF_8));
			}
			List<Delivery> deliveries = recorder.awaitDeliveries(7, WAIT);
			assertThat(deliveries).allSatisfy((d) -> {
				assertThat(d.group()).isEqualTo(group);
				assertThat(d.nodeId()).isEqualTo(nodeId);
				assertThat(d.pid()).isEqualTo(PID);
			});
			assertThat(deliveries).extracting(Delivery::message)
				.containsExactly(whole, new byte[0], new byte[0], bytes("UNORDERED"), bytes("FIFO"), bytes("AGREED"),
						bytes("SAFE"));
		}
	}

	/**
	 * libcpg copies the iovecs into an array of 64 on its stack without a bound check (a
	 * C client with 64 parts dies of a buffer overflow): the binding sends one.
	 */
	@Test
	void aMulticastOfMoreThanSixtyFourPartsArrivesWhole() throws Exception {
		String group = group("many-parts");
		byte[][] parts = new byte[200][];
		for (int i = 0; i < parts.length; i++) {
			parts[i] = new byte[] { (byte) i, (byte) (i >> 8) };
		}
		try (CpgRecorder recorder = CpgRecorder.initialize().startDispatching()) {
			Cpg cpg = recorder.cpg();
			int nodeId = cpg.localGet();
			cpg.join(group);
			recorder.await(Confchg.class, (c) -> joinedSelf(c, nodeId), WAIT);
			cpg.mcastJoined(Cpg.Guarantee.AGREED, parts);
			assertThat(recorder.awaitDeliveries(1, WAIT)).extracting(Delivery::message).containsExactly(concat(parts));
		}
	}

	/**
	 * After a leave corosync answers a join of another group BUSY, which libcpg retries
	 * for ever: the binding refuses it at once.
	 */
	@Test
	void joiningAnotherGroupAfterALeaveIsExistAtOnce() throws Exception {
		String group = group("left");
		try (CpgRecorder recorder = CpgRecorder.initialize().startDispatching()) {
			Cpg cpg = recorder.cpg();
			int nodeId = cpg.localGet();
			cpg.join(group);
			recorder.await(Confchg.class, (c) -> joinedSelf(c, nodeId), WAIT);
			cpg.leave(group);
			long begin = System.nanoTime();
			assertThat(error(() -> cpg.join(group("another")))).isEqualTo(CsError.EXIST);
			assertThat(error(() -> cpg.join(group))).isEqualTo(CsError.EXIST);
			assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(1));
		}
	}

	@Test
	void modelInitializeDeliversTheTotemConfigurationAfterTheJoinWhenAsked() throws Exception {
		try (CpgRecorder model = CpgRecorder.modelInitialize(true).startDispatching();
				CpgRecorder modelWithout = CpgRecorder.modelInitialize(false).startDispatching();
				CpgRecorder plain = CpgRecorder.initialize().startDispatching()) {
			int nodeId = model.cpg().localGet();
			assertThat(model.events()).as("nothing before a join").isEmpty();
			// corosync sends the initial totem configuration with the first confchg of a
			// join
			model.cpg().join(group("totem"));
			Totem totem = model.await(Totem.class, (t) -> true, WAIT);
			System.out.printf("initial totem configuration: ring %s, members %s%n", totem.ringId(),
					Arrays.toString(totem.members()));
			assertThat(totem.ringId().nodeId()).isEqualTo(nodeId).isEqualTo(1);
			assertThat(totem.ringId().seq()).isPositive();
			assertThat(totem.members()).containsExactly(nodeId);
			assertThat(model.events().get(0)).isInstanceOf(Confchg.class);
			for (CpgRecorder without : List.of(modelWithout, plain)) {
				without.cpg().join(group("no-totem"));
				without.cpg().mcastJoined(Cpg.Guarantee.AGREED, bytes("after the join"));
				without.awaitDeliveries(1, WAIT);
				assertThat(without.events()).hasSize(2).first().isInstanceOf(Confchg.class);
			}
			// the one totem configuration, and no other since
			assertThat(model.totems()).hasSize(1);
		}
	}

	@Test
	void iterateListsTheGroupAndItsMember() throws Exception {
		String group = group("iterate");
		try (CpgRecorder recorder = CpgRecorder.initialize().startDispatching()) {
			Cpg cpg = recorder.cpg();
			int nodeId = cpg.localGet();
			assertThat(cpg.iterate(Cpg.IterationType.ONE_GROUP, group)).as("before the join").isEmpty();
			cpg.join(group);
			recorder.await(Confchg.class, (c) -> joinedSelf(c, nodeId), WAIT);
			assertThat(cpg.iterate(Cpg.IterationType.NAME_ONLY, null)).as("NAME_ONLY")
				.containsOnlyOnce(new CpgIterationDescription(group, 0, 0));
			assertThat(cpg.iterate(Cpg.IterationType.ONE_GROUP, group)).as("ONE_GROUP")
				.containsExactly(new CpgIterationDescription(group, nodeId, PID));
			assertThat(cpg.iterate(Cpg.IterationType.ALL, null)).as("ALL")
				.containsOnlyOnce(new CpgIterationDescription(group, nodeId, PID));
		}
	}

	@Test
	void localGetMaxAtomicMessageSizeAndFlowControl() throws Exception {
		try (CpgRecorder recorder = CpgRecorder.initialize()) {
			Cpg cpg = recorder.cpg();
			int max = cpg.maxAtomicMsgsizeGet();
			System.out.printf("cpg_local_get %s, cpg_max_atomic_msgsize_get %,d bytes, fd %d%n",
					Integer.toUnsignedString(cpg.localGet()), max, cpg.fdGet());
			assertThat(max).isPositive();
			assertThat(cpg.localGet()).isNotZero();
			assertThat(cpg.fdGet()).isNotNegative();
			assertThat(cpg.flowControlEnabled()).isFalse();
			cpg.join(group("flow"));
			assertThat(cpg.flowControlEnabled()).as("joined").isFalse();
		}
	}

	@Test
	void contextSetAndGet() throws Exception {
		try (CpgRecorder recorder = CpgRecorder.initialize()) {
			Cpg cpg = recorder.cpg();
			assertThat(cpg.contextGet()).isNull();
			Object context = new Object();
			cpg.contextSet(context);
			assertThat(cpg.contextGet()).isSameAs(context);
			cpg.contextSet("another");
			assertThat(cpg.contextGet()).isEqualTo("another");
			cpg.contextSet(null);
			assertThat(cpg.contextGet()).isNull();
		}
	}

	@Test
	void whatACallbackThrowsIsRethrownAfterTheDispatchAndTheHandleStaysUsable() throws Exception {
		String group = group("throws");
		List<Throwable> raised = new CopyOnWriteArrayList<>();
		List<String> delivered = new CopyOnWriteArrayList<>();
		CpgCallbacks callbacks = new CpgCallbacks() {

			@Override
			public void deliver(String group, int nodeId, int pid, byte[] message) {
				String text = new String(message, StandardCharsets.UTF_8);
				delivered.add(text);
				Throwable failure = switch (text) {
					case "boom-1", "boom-2" -> new IllegalStateException(text);
					case "boom-error" -> new AssertionError(text);
					default -> null;
				};
				if (failure instanceof RuntimeException runtime) {
					raised.add(runtime);
					throw runtime;
				}
				if (failure instanceof Error error) {
					raised.add(error);
					throw error;
				}
			}

			@Override
			public void confchg(String group, List<CpgAddress> members, List<CpgAddress> left,
					List<CpgAddress> joined) {
			}

		};
		try (Cpg cpg = Cpg.initialize(callbacks)) {
			cpg.join(group);
			for (String message : List.of("boom-1", "boom-2", "boom-error", "ok")) {
				cpg.mcastJoined(Cpg.Guarantee.AGREED, bytes(message));
			}
			List<Throwable> thrown = dispatchUntil(cpg, delivered, "ok");
			// each one exactly once, in order: thrown by a dispatch or added to what it
			// threw
			List<Throwable> surfaced = new ArrayList<>();
			for (Throwable ex : thrown) {
				surfaced.add(((ex.getCause() instanceof AssertionError error) ? error : ex));
				for (Throwable suppressed : ex.getSuppressed()) {
					surfaced.add((suppressed.getCause() instanceof AssertionError error) ? error : suppressed);
				}
			}
			assertThat(surfaced).isEqualTo(raised);
			assertThat(raised).hasSize(3);
			assertThat(thrown).allMatch(RuntimeException.class::isInstance);
			assertThat(delivered).containsExactly("boom-1", "boom-2", "boom-error", "ok");
			// the handle goes on
			cpg.mcastJoined(Cpg.Guarantee.AGREED, bytes("after"));
			assertThat(dispatchUntil(cpg, delivered, "after")).isEmpty();
			assertThat(cpg.membershipGet(group)).extracting(CpgAddress::pid).containsExactly(PID);
		}
	}

	/**
	 * Dispatch ALL on a large stack until a message is delivered; return what it threw.
	 */
	private static List<Throwable> dispatchUntil(Cpg cpg, List<String> delivered, String last) throws Exception {
		return CpgRecorder.onDispatchStack(() -> {
			List<Throwable> thrown = new ArrayList<>();
			long deadline = System.nanoTime() + WAIT.toNanos();
			while (!delivered.contains(last) && System.nanoTime() < deadline) {
				try {
					cpg.dispatch(Cpg.DispatchFlag.ALL);
				}
				catch (RuntimeException ex) {
					thrown.add(ex);
				}
				Thread.sleep(1);
			}
			return thrown;
		}, WAIT.multipliedBy(2));
	}

	@Test
	void closeFromAnotherThreadEndsABlockingDispatch() throws Exception {
		CpgRecorder recorder = CpgRecorder.initialize().startDispatching();
		try {
			Cpg cpg = recorder.cpg();
			cpg.join(group("close-blocking"));
			recorder.await(Confchg.class, (c) -> joinedSelf(c, cpg.localGet()), WAIT);
			Thread.sleep(150);
			assertThat(recorder.dispatcher().isAlive()).isTrue();
			long closing = System.nanoTime();
			cpg.close();
			recorder.dispatcher().join(5000);
			long endedMillis = (System.nanoTime() - closing) / 1_000_000;
			System.out.printf("close() from another thread ended a BLOCKING dispatch in %d ms%n", endedMillis);
			assertThat(recorder.dispatcher().isAlive()).isFalse();
			assertThat(recorder.dispatchFailure()).isNull();
			assertThat(recorder.dispatchReturned()).isTrue();
			assertThat(endedMillis).isLessThan(2000);
		}
		finally {
			recorder.close();
		}
	}

	@Test
	void closeFromAnotherThreadEndsADispatchOfOne() throws Exception {
		try (CpgRecorder recorder = CpgRecorder.initialize()) {
			Cpg cpg = recorder.cpg();
			cpg.join(group("close-one"));
			CpgRecorder.onDispatchStack(() -> {
				cpg.dispatch(Cpg.DispatchFlag.ONE);
				return null;
			}, WAIT);
			assertThat(recorder.confchgs()).hasSize(1);
			// nothing is pending: ONE waits
			AtomicReference<Throwable> outcome = new AtomicReference<>();
			Thread dispatcher = new Thread(null, () -> {
				outcome.set(catchThrowable(() -> cpg.dispatch(Cpg.DispatchFlag.ONE)));
			}, "cpg-test-one", CpgRecorder.STACK_BYTES);
			dispatcher.start();
			Thread.sleep(300);
			assertThat(dispatcher.isAlive()).as("ONE waits while nothing comes").isTrue();
			long closing = System.nanoTime();
			cpg.close();
			dispatcher.join(5000);
			long endedMillis = (System.nanoTime() - closing) / 1_000_000;
			System.out.printf("close() from another thread ended a ONE dispatch in %d ms (%s)%n", endedMillis,
					(outcome.get() != null) ? outcome.get().getMessage() : "returned");
			assertThat(dispatcher.isAlive()).isFalse();
			assertThat(endedMillis).isLessThan(2000);
			// it returns, or says the handle is gone when the close came before its wait
			if (outcome.get() != null) {
				assertThat(outcome.get()).isInstanceOf(SamException.class);
				assertThat(((SamException) outcome.get()).error()).isEqualTo(CsError.BAD_HANDLE);
			}
			assertThat(recorder.confchgs()).hasSize(1);
		}
	}

	@Test
	void closeFromACallbackEndsADispatchOfAllCleanly() throws Exception {
		closeFromACallbackEndsTheDispatchCleanly(Cpg.DispatchFlag.ALL);
	}

	@Test
	void closeFromACallbackEndsABlockingDispatchCleanly() throws Exception {
		closeFromACallbackEndsTheDispatchCleanly(Cpg.DispatchFlag.BLOCKING);
	}

	private void closeFromACallbackEndsTheDispatchCleanly(Cpg.DispatchFlag flag) throws Exception {
		String group = group("close-callback");
		AtomicReference<Cpg> handle = new AtomicReference<>();
		List<String> delivered = new CopyOnWriteArrayList<>();
		Cpg cpg = Cpg.initialize(new CpgCallbacks() {

			@Override
			public void deliver(String group, int nodeId, int pid, byte[] message) {
				String text = new String(message, StandardCharsets.UTF_8);
				delivered.add(text);
				if (text.equals("close")) {
					handle.get().close();
				}
			}

			@Override
			public void confchg(String group, List<CpgAddress> members, List<CpgAddress> left,
					List<CpgAddress> joined) {
				delivered.add("confchg");
			}

		});
		handle.set(cpg);
		try {
			cpg.join(group);
			for (String message : List.of("first", "close", "after")) {
				cpg.mcastJoined(Cpg.Guarantee.AGREED, bytes(message));
			}
			long started = System.nanoTime();
			Throwable outcome = CpgRecorder.onDispatchStack(() -> {
				while (!cpg.isClosed() && System.nanoTime() - started < WAIT.toNanos()) {
					Throwable thrown = catchThrowable(() -> cpg.dispatch(flag));
					if (thrown != null || flag == Cpg.DispatchFlag.BLOCKING) {
						return thrown;
					}
					Thread.sleep(1);
				}
				return null;
			}, WAIT.multipliedBy(2));
			long tookMillis = (System.nanoTime() - started) / 1_000_000;
			assertThat(outcome).as("what the %s dispatch that closed threw", flag).isNull();
			assertThat(cpg.isClosed()).isTrue();
			// nothing is delivered once closed, even what was already received
			assertThat(delivered).containsExactly("confchg", "first", "close");
			assertThat(error(() -> cpg.mcastJoined(Cpg.Guarantee.AGREED, bytes("x")))).isEqualTo(CsError.BAD_HANDLE);
			assertThat(tookMillis).isLessThan(WAIT.toMillis());
		}
		finally {
			cpg.close();
		}
		assertNoMember(group);
	}

	/** Wait until corosync has taken this process out of a group it closed. */
	private static void assertNoMember(String group) throws Exception {
		try (CpgRecorder other = CpgRecorder.initialize()) {
			await().atMost(WAIT)
				.pollInterval(Duration.ofMillis(5))
				.untilAsserted(() -> assertThat(other.cpg().membershipGet(group)).isEmpty());
		}
	}

	static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private static byte[] concat(byte[]... parts) {
		int length = 0;
		for (byte[] part : parts) {
			length += part.length;
		}
		byte[] whole = new byte[length];
		int at = 0;
		for (byte[] part : parts) {
			System.arraycopy(part, 0, whole, at, part.length);
			at += part.length;
		}
		return whole;
	}

}
