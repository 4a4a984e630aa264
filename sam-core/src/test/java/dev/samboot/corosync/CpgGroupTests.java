package dev.samboot.corosync;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

import dev.samboot.sam.Backoff;
import dev.samboot.sam.CsError;
import dev.samboot.sam.SamException;
import dev.samboot.sam.SupervisedRun;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link CpgGroup} in this JVM against the machine's corosync (see
 * {@code corosync/corosync-single-node.conf}), which others use at the same time: every
 * group has a name of its own. Without a running corosync the tests that need it are
 * skipped, saying why; the checks of {@link CpgGroup.Options} and of the arguments that
 * are refused before corosync is asked run anyway.
 */
@Timeout(60)
class CpgGroupTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final int PID = (int) ProcessHandle.current().pid();

	@Test
	void joinGivesThisProcessAsSelfAMembershipWithItAndItsJoin() {
		assumeCorosync();
		Recorder recorder = new Recorder();
		String name = groupName("join");
		try (CpgGroup group = CpgGroup.join(name, recorder)) {
			assertThat(group.isJoined()).isTrue();
			assertThat(group.name()).isEqualTo(name);
			assertThat(group.self()).isEqualTo(new CpgAddress(localNodeId(), PID, CpgReason.UNDEFINED));
			CpgMembership change = recorder.awaitMembership((m) -> joined(m, group.self()));
			assertThat(change.group()).isEqualTo(name);
			assertThat(change.contains(group.self().nodeId(), PID)).isTrue();
			assertThat(change.left()).isEmpty();
			await().atMost(WAIT)
				.until(() -> group.members().stream().anyMatch((m) -> m.is(group.self().nodeId(), PID)));
			assertThat(group.membership().contains(group.self().nodeId(), PID)).isTrue();
			assertThat(group.lostFor()).isEmpty();
			assertThat(group.lostCause()).isEmpty();
			assertThat(group.healthy(Duration.ZERO)).as("healthy while a member, whatever the bound").isTrue();
			assertThat(group.rejoins()).isZero();
			assertThat(group.messagesSent()).isZero();
			assertThat(group.toString()).contains(name, "joined as " + group.self());
			assertThat(dispatchThreads(name)).hasSize(1);
		}
	}

	@Test
	void sendDeliversToSelfWithTheSenderInOrderAndCounts() {
		assumeCorosync();
		Recorder recorder = new Recorder();
		try (CpgGroup group = CpgGroup.join(groupName("send"), recorder)) {
			byte[] bytes = { 0, 1, 2, (byte) 0xff, 0 };
			group.send("héllo");
			group.send(bytes);
			group.send("third");
			assertThat(group.messagesSent()).isEqualTo(3);
			List<CpgMessage> messages = recorder.awaitMessages(3);
			assertThat(messages).allSatisfy((message) -> {
				assertThat(message.group()).isEqualTo(group.name());
				assertThat(message.isFrom(group.self())).isTrue();
				assertThat(message.pid()).isEqualTo(PID);
				assertThat(message.nodeId()).isEqualTo(group.self().nodeId());
			});
			assertThat(messages.get(0).text()).isEqualTo("héllo");
			assertThat(messages.get(0).payload()).isEqualTo("héllo".getBytes(StandardCharsets.UTF_8));
			assertThat(messages.get(1).payload()).isEqualTo(bytes);
			assertThat(messages.get(2).text()).isEqualTo("third");
			await().atMost(WAIT).until(() -> group.messagesDelivered() == 3);
			assertThat(catchSam(() -> group.send((String) null))).isEqualTo(CsError.INVALID_PARAM);
			assertThat(catchSam(() -> group.send((byte[]) null))).isEqualTo(CsError.INVALID_PARAM);
			assertThat(group.messagesSent()).as("refused sends are not counted").isEqualTo(3);
		}
	}

	@Test
	void aMessageOverTheLimitIsTooBigAndOneAtTheLimitIsDelivered() {
		assumeCorosync();
		Recorder small = new Recorder();
		CpgGroup.Options options = new CpgGroup.Options(1000, CpgGroup.DEFAULT_SEND_TIMEOUT,
				CpgGroup.DEFAULT_REJOIN_BACKOFF);
		try (CpgGroup group = CpgGroup.join(groupName("small"), options, small)) {
			assertThat(catchSam(() -> group.send(new byte[1001]))).isEqualTo(CsError.TOO_BIG);
			// 1001 bytes of UTF-8 in 501 characters: the limit is in bytes
			assertThat(catchSam(() -> group.send("é".repeat(500) + "a"))).isEqualTo(CsError.TOO_BIG);
			group.send("é".repeat(500));
			group.send(new byte[1000]);
			assertThat(small.awaitMessages(2)).extracting(CpgMessage::length).containsExactly(1000, 1000);
			assertThat(group.messagesSent()).isEqualTo(2);
		}
		Recorder large = new Recorder();
		try (CpgGroup group = CpgGroup.join(groupName("large"), large)) {
			assertThat(catchSam(() -> group.send(new byte[CpgGroup.DEFAULT_MAX_MESSAGE_BYTES + 1])))
				.isEqualTo(CsError.TOO_BIG);
			// more than corosync's largest atomic message: fragmented and reassembled
			byte[] limit = new byte[CpgGroup.DEFAULT_MAX_MESSAGE_BYTES];
			ThreadLocalRandom.current().nextBytes(limit);
			group.send(limit);
			CpgMessage delivered = large.awaitMessages(1).get(0);
			assertThat(delivered.length()).isEqualTo(limit.length);
			assertThat(Arrays.equals(delivered.payload(), limit)).as("the 1 MiB message's bytes").isTrue();
		}
	}

	@Test
	void closeStopsTheDispatchThreadAndAnotherMemberSeesThisOneLeave() throws Exception {
		assumeCorosync();
		String name = groupName("close");
		try (SupervisedRun other = SupervisedRun.start(hostJava(CpgGroupMemberProgram.class, name))) {
			String otherSelf = other.awaitLine((l) -> l.startsWith("member "), WAIT).substring(7);
			int otherPid = (int) other.pid();
			Recorder recorder = new Recorder();
			CpgGroup group = CpgGroup.join(name, recorder);
			String me = CpgGroupMemberProgram.address(group.self());
			recorder.awaitMembership((m) -> joined(m, group.self()) && m.contains(group.self().nodeId(), otherPid));
			other.awaitLine((l) -> CpgGroupMemberProgram.field(l, "joined").contains(me + ":join"), WAIT);
			other.tell("send from-the-other");
			CpgMessage fromOther = recorder.awaitMessages(1).get(0);
			assertThat(fromOther.text()).isEqualTo("from-the-other");
			assertThat(fromOther.pid()).as("the sender").isEqualTo(otherPid);
			assertThat(otherSelf).isEqualTo(fromOther.nodeId() + "/" + otherPid);
			group.send("from-this-one");
			other.awaitLine((l) -> l.startsWith("delivered ") && l.endsWith(" " + me + " from-this-one"), WAIT);
			assertThat(dispatchThreads(name)).hasSize(1);

			group.close();
			assertThat(group.isJoined()).isFalse();
			assertThat(group.healthy(Duration.ofDays(1))).as("a closed group is not healthy").isFalse();
			await().atMost(Duration.ofSeconds(5)).until(() -> dispatchThreads(name).isEmpty());
			String left = other.awaitLine((l) -> CpgGroupMemberProgram.field(l, "left")
				.stream()
				.anyMatch((entry) -> entry.startsWith(me + ":")), WAIT);
			assertThat(CpgGroupMemberProgram.field(left, "members")).containsExactly(otherSelf);
			assertThat(CpgGroupMemberProgram.field(left, "left")).singleElement().isEqualTo(me + ":leave");
			assertThat(catchSam(() -> group.send("after close"))).isEqualTo(CsError.BAD_HANDLE);
			assertThat(catchSam(() -> group.send(new byte[1]))).isEqualTo(CsError.BAD_HANDLE);
			assertThat(group.toString()).contains("closed");
			group.close();
			System.out
				.println("CpgGroup.close() seen by another member as " + CpgGroupMemberProgram.field(left, "left"));
			other.tell("quit");
			assertThat(other.awaitExit(WAIT)).as(other.output()).isZero();
		}
	}

	@Test
	void aListenerThatThrowsDoesNotStopLaterDeliveries() {
		assumeCorosync();
		List<String> heard = new CopyOnWriteArrayList<>();
		CpgGroup.Listener throwing = new CpgGroup.Listener() {

			@Override
			public void delivered(CpgMessage message) {
				heard.add(message.text());
				if (message.text().startsWith("boom")) {
					throw new IllegalStateException("a listener failing on " + message.text());
				}
			}

			@Override
			public void membershipChanged(CpgMembership membership) {
				heard.add("membership");
				throw new IllegalStateException("a listener failing on a membership change");
			}

		};
		try (CpgGroup group = CpgGroup.join(groupName("throwing"), throwing)) {
			await().atMost(WAIT).until(() -> heard.contains("membership"));
			group.send("boom 1");
			group.send("boom 2");
			group.send("after");
			await().atMost(WAIT).until(() -> heard.contains("after"));
			assertThat(heard).containsExactly("membership", "boom 1", "boom 2", "after");
			assertThat(group.messagesDelivered()).isEqualTo(3);
			assertThat(group.isJoined()).isTrue();
			assertThat(group.rejoins()).as("a failing listener does not lose the group").isZero();
			assertThat(dispatchThreads(group.name())).hasSize(1);
		}
	}

	@Test
	void aListenerThatThrowsAnErrorDoesNotEndTheGroupSilently() {
		assumeCorosync();
		List<String> heard = new CopyOnWriteArrayList<>();
		CpgGroup.Listener failing = new CpgGroup.Listener() {

			@Override
			public void delivered(CpgMessage message) {
				heard.add(message.text());
				if (message.text().equals("error")) {
					throw new AssertionError("a listener's failed assertion");
				}
			}

		};
		try (CpgGroup group = CpgGroup.join(groupName("error"), failing)) {
			group.send("error");
			await().atMost(WAIT).until(() -> heard.contains("error"));
			// what the class promises: what the listener throws is logged and does not
			// end the group
			await().atMost(WAIT).untilAsserted(() -> {
				group.send("after");
				assertThat(heard).contains("after");
			});
			assertThat(dispatchThreads(group.name())).hasSize(1);
			assertThat(group.isJoined()).isTrue();
		}
	}

	@Test
	void twoGroupsInOneProcessEachDeliverOnlyTheirOwnMessages() {
		assumeCorosync();
		Recorder first = new Recorder();
		Recorder second = new Recorder();
		try (CpgGroup one = CpgGroup.join(groupName("one"), first);
				CpgGroup two = CpgGroup.join(groupName("two"), second)) {
			assertThat(one.self()).isEqualTo(two.self());
			first.awaitMembership((m) -> joined(m, one.self()));
			second.awaitMembership((m) -> joined(m, two.self()));
			one.send("to one");
			two.send("to two");
			two.send("to two again");
			assertThat(first.awaitMessages(1)).extracting(CpgMessage::text).containsExactly("to one");
			assertThat(second.awaitMessages(2)).extracting(CpgMessage::text).containsExactly("to two", "to two again");
			assertThat(first.messages).allMatch((m) -> m.group().equals(one.name()));
			assertThat(one.messagesDelivered()).isEqualTo(1);
			assertThat(two.messagesDelivered()).isEqualTo(2);
			assertThat(dispatchThreads(one.name())).hasSize(1);
			assertThat(dispatchThreads(two.name())).hasSize(1);
		}
	}

	@Test
	void joiningTheSameGroupTwiceIsExistAndTheFirstStaysJoined() {
		assumeCorosync();
		Recorder recorder = new Recorder();
		String name = groupName("twice");
		try (CpgGroup group = CpgGroup.join(name, recorder)) {
			recorder.awaitMembership((m) -> joined(m, group.self()));
			assertThat(catchSam(() -> CpgGroup.join(name, new Recorder()).close())).isEqualTo(CsError.EXIST);
			assertThat(group.isJoined()).isTrue();
			assertThat(dispatchThreads(name)).as("no thread for the refused join").hasSize(1);
			group.send("still here");
			assertThat(recorder.awaitMessages(1)).extracting(CpgMessage::text).containsExactly("still here");
			assertThat(group.members()).filteredOn((m) -> m.is(group.self().nodeId(), PID)).hasSize(1);
		}
	}

	@Test
	void badNamesAndMissingArgumentsAreRefusedWithTheirErrors() {
		Recorder recorder = new Recorder();
		assertThat(catchSam(() -> CpgGroup.join(null, recorder))).isEqualTo(CsError.INVALID_PARAM);
		assertThat(catchSam(() -> CpgGroup.join("", recorder))).isEqualTo(CsError.INVALID_PARAM);
		assertThat(catchSam(() -> CpgGroup.join("with\0nul", recorder))).isEqualTo(CsError.INVALID_PARAM);
		// 64 two-byte characters are 128 bytes of UTF-8, one more than corosync allows
		assertThat(catchSam(() -> CpgGroup.join("é".repeat(64), recorder))).isEqualTo(CsError.NAME_TOO_LONG);
		assertThat(catchSam(() -> CpgGroup.join("a".repeat(128), recorder))).isEqualTo(CsError.NAME_TOO_LONG);
		String valid = groupName("arguments");
		assertThat(catchSam(() -> CpgGroup.join(valid, null))).isEqualTo(CsError.INVALID_PARAM);
		assertThat(catchSam(() -> CpgGroup.join(valid, null, recorder))).isEqualTo(CsError.INVALID_PARAM);
		assertThat(catchSam(() -> CpgGroup.join(valid, CpgGroup.Options.DEFAULT, null)))
			.isEqualTo(CsError.INVALID_PARAM);
		assertThat(Thread.getAllStackTraces().keySet())
			.noneMatch((thread) -> thread.getName().startsWith("sam-cpg-") && thread.getName().contains("arguments"));
	}

	@Test
	void aNameOfExactly127BytesJoins() {
		assumeCorosync();
		String prefix = groupName("long") + "-";
		// two-byte characters up to 126 bytes, and one byte more
		String name = prefix + "é".repeat((126 - prefix.length()) / 2);
		name = name + "a".repeat(127 - name.getBytes(StandardCharsets.UTF_8).length);
		assertThat(name.getBytes(StandardCharsets.UTF_8)).hasSize(Cpg.MAX_NAME_BYTES);
		Recorder recorder = new Recorder();
		try (CpgGroup group = CpgGroup.join(name, recorder)) {
			recorder.awaitMembership((m) -> joined(m, group.self()) && m.group().equals(group.name()));
			group.send("long name");
			CpgMessage message = recorder.awaitMessages(1).get(0);
			assertThat(message.group()).as("the name as delivered").isEqualTo(name);
		}
	}

	@Test
	void optionsAreChecked() {
		CpgGroup.Options defaults = CpgGroup.Options.DEFAULT;
		assertThat(defaults.maxMessageBytes()).isEqualTo(1024 * 1024);
		assertThat(defaults.sendTimeout()).isEqualTo(Duration.ofSeconds(5));
		assertThat(defaults.rejoinBackoff()).isEqualTo(CpgGroup.DEFAULT_REJOIN_BACKOFF);
		assertThat(defaults.rejoinBackoff().initial()).isEqualTo(Duration.ofMillis(100));
		assertThat(defaults.rejoinBackoff().max()).isEqualTo(Duration.ofSeconds(5));
		Backoff backoff = defaults.rejoinBackoff();
		Duration timeout = defaults.sendTimeout();
		assertThat(new CpgGroup.Options(1, Duration.ZERO, backoff).maxMessageBytes()).isEqualTo(1);
		assertThat(catchSam(() -> new CpgGroup.Options(0, timeout, backoff))).isEqualTo(CsError.INVALID_PARAM);
		assertThat(catchSam(() -> new CpgGroup.Options(-1, timeout, backoff))).isEqualTo(CsError.INVALID_PARAM);
		assertThat(catchSam(() -> new CpgGroup.Options(1, null, backoff))).isEqualTo(CsError.INVALID_PARAM);
		assertThat(catchSam(() -> new CpgGroup.Options(1, Duration.ofNanos(-1), backoff)))
			.isEqualTo(CsError.INVALID_PARAM);
		assertThat(catchSam(() -> new CpgGroup.Options(1, timeout, null))).isEqualTo(CsError.INVALID_PARAM);
		assertThat(catchSam(() -> new CpgGroup.Options(1, timeout, Backoff.NONE))).as("rejoining without a wait")
			.isEqualTo(CsError.INVALID_PARAM);
	}

	static void assumeCorosync() {
		String reason = RunningCorosync.cmapUnavailableReason();
		assumeTrue(reason == null, () -> "corosync is not running here, skipping its tests: " + reason);
	}

	/**
	 * A group name of this run's own, so that tests running at the same time on this
	 * machine do not meet.
	 */
	static String groupName(String purpose) {
		return "samboot-cpggroup-" + purpose + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt());
	}

	static boolean joined(CpgMembership membership, CpgAddress member) {
		return membership.joined()
			.stream()
			.anyMatch((address) -> address.is(member.nodeId(), member.pid()) && address.reason() == CpgReason.JOIN);
	}

	/** The live threads dispatching for a group. */
	static List<Thread> dispatchThreads(String group) {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.isAlive() && thread.getName().equals("sam-cpg-" + group))
			.toList();
	}

	/** {@code cpg_local_get} on a handle of its own. */
	private static int localNodeId() {
		try (Cpg cpg = Cpg.initialize(new Recorder.Ignoring())) {
			return cpg.localGet();
		}
	}

	/** A JVM in the host's network namespace, on the test class path. */
	static List<String> hostJava(Class<?> main, String... args) {
		List<String> command = new ArrayList<>(SupervisedRun.javaCommand());
		command.add("-cp");
		command.add(SupervisedRun.testClassPath());
		command.add(main.getName());
		command.addAll(List.of(args));
		return command;
	}

	static CsError catchSam(ThrowingCallable call) {
		SamException thrown = catchThrowableOfType(SamException.class, call);
		assertThat(thrown).as("a SamException").isNotNull();
		return thrown.error();
	}

	/** Keeps what the group hears. */
	static final class Recorder implements CpgGroup.Listener {

		final List<CpgMessage> messages = new CopyOnWriteArrayList<>();

		final List<CpgMembership> memberships = new CopyOnWriteArrayList<>();

		final List<SamException> losses = new CopyOnWriteArrayList<>();

		@Override
		public void delivered(CpgMessage message) {
			this.messages.add(message);
		}

		@Override
		public void membershipChanged(CpgMembership membership) {
			this.memberships.add(membership);
		}

		@Override
		public void lost(SamException cause) {
			this.losses.add(cause);
		}

		List<CpgMessage> awaitMessages(int count) {
			await().atMost(WAIT).until(() -> this.messages.size() >= count);
			return List.copyOf(this.messages);
		}

		CpgMembership awaitMembership(Predicate<CpgMembership> predicate) {
			await().atMost(WAIT).until(() -> this.memberships.stream().anyMatch(predicate));
			return this.memberships.stream().filter(predicate).findFirst().orElseThrow();
		}

		/** Callbacks for a handle that joins nothing. */
		static final class Ignoring implements CpgCallbacks {

			@Override
			public void deliver(String group, int nodeId, int pid, byte[] message) {
			}

			@Override
			public void confchg(String group, List<CpgAddress> members, List<CpgAddress> left,
					List<CpgAddress> joined) {
			}

		}

	}

}
