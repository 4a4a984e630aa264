package dev.samboot.sam.internal.supervisor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.samboot.sam.Backoff;
import dev.samboot.sam.CsError;
import dev.samboot.sam.Recovery;
import dev.samboot.sam.RecoveryPolicy;
import dev.samboot.sam.SamException;
import dev.samboot.sam.Signals;
import dev.samboot.sam.StatePublisher;
import dev.samboot.sam.internal.channel.Codec;
import dev.samboot.sam.internal.channel.Message;
import dev.samboot.sam.internal.channel.Message.DataStore;
import dev.samboot.sam.internal.channel.Message.HealthFailed;
import dev.samboot.sam.internal.channel.Message.Heartbeat;
import dev.samboot.sam.internal.channel.Message.Hello;
import dev.samboot.sam.internal.channel.Message.MarkFailed;
import dev.samboot.sam.internal.channel.Message.Reply;
import dev.samboot.sam.internal.channel.Message.RestartRequest;
import dev.samboot.sam.internal.channel.Message.Start;
import dev.samboot.sam.internal.channel.Message.Stop;
import dev.samboot.sam.internal.channel.Message.WarnSignalSet;
import dev.samboot.sam.internal.channel.Message.Welcome;
import dev.samboot.sam.internal.process.SamEnvironment;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.fail;

/**
 * The supervisor's state machine against its rules (warn at T and kill at 2T after the
 * last message, what the policy does when an instance ends, restart limits, backoff and
 * the start-up timeout), driven by a clock that only moves when a test moves it, launched
 * "processes" that record the signals they get and end when a test says, and connections
 * that record what the supervisor answers. Time is moved the way {@link SupervisorLoop}
 * moves it: the supervisor is woken at every deadline it asks for.
 */
class SupervisorTests {

	private static final long T = TimeUnit.SECONDS.toNanos(1);

	private static final long SHUTDOWN_TIMEOUT = TimeUnit.SECONDS.toNanos(5);

	private static final long SUPERVISOR_PID = 4242;

	private static final int DATA_MAX_SIZE = 16;

	private static final byte[] TOKEN = token((byte) 7);

	private final FakeClock clock = new FakeClock(TimeUnit.HOURS.toNanos(3));

	private final FakeLauncher launcher = new FakeLauncher();

	private final RecordingPublisher publisher = new RecordingPublisher();

	private Supervisor supervisor;

	@Test
	void noTimeLimitBeforeStart() {
		supervise(T, RecoveryPolicy.RESTART);
		connect();
		elapse(TimeUnit.DAYS.toNanos(1));
		assertThat(process().signals).isEmpty();
		assertThat(this.supervisor.nextDeadline()).isEqualTo(Long.MAX_VALUE);
	}

	@Test
	void noTimeLimitWithIntervalZeroEvenWhenStarted() {
		supervise(0, RecoveryPolicy.RESTART);
		FakePeer peer = connect();
		send(peer, new Start());
		elapse(TimeUnit.DAYS.toNanos(1));
		assertThat(peer.replies()).containsExactly(CsError.OK);
		assertThat(process().signals).isEmpty();
		assertThat(this.supervisor.nextDeadline()).isEqualTo(Long.MAX_VALUE);
	}

	@Test
	void hcTimeoutWhenStartedSendsWarnSignalThenKill() {
		supervise(T, RecoveryPolicy.RESTART);
		FakePeer peer = connect();
		send(peer, new Start());
		FakeProcess first = process();
		assertThat(this.supervisor.nextDeadline() - this.clock.now).isEqualTo(T);
		elapse(T - 1);
		assertThat(first.signals).isEmpty();
		elapse(1);
		assertThat(first.signals).containsExactly(Signals.SIGTERM);
		elapse(T - 1);
		assertThat(first.signals).containsExactly(Signals.SIGTERM);
		elapse(1);
		assertThat(first.signals).containsExactly(Signals.SIGTERM, Signals.SIGKILL);
		assertThat(this.supervisor.nextDeadline()).isEqualTo(Long.MAX_VALUE);
		first.exit(128 + Signals.SIGKILL);
		assertThat(this.launcher.launched).hasSize(2);
		assertThat(this.supervisor.instanceId()).isEqualTo(2);
		assertThat(this.supervisor.recoveries()).singleElement().satisfies((recovery) -> {
			assertThat(recovery.reason()).isEqualTo(Recovery.Reason.HC_TIMEOUT);
			assertThat(recovery.instance()).isEqualTo(1);
			assertThat(recovery.pid()).isEqualTo(first.pid);
			assertThat(recovery.exitStatus()).isEqualTo(137);
			assertThat(recovery.action()).isEqualTo(Recovery.Action.RESTART);
		});
	}

	@Test
	void hcTimeoutSendsTheWarnSignalTheInstanceSet() {
		supervise(T, RecoveryPolicy.RESTART);
		FakePeer peer = connect();
		send(peer, new WarnSignalSet(Signals.SIGUSR1));
		send(peer, new Start());
		elapse(2 * T);
		assertThat(peer.replies()).containsExactly(CsError.OK, CsError.OK);
		assertThat(process().prepared).contains(Signals.SIGUSR1);
		assertThat(process().signals).containsExactly(Signals.SIGUSR1, Signals.SIGKILL);
	}

	@Test
	void lateWarnSignalDoesNotMakeTheKillLateButLeavesTheApplicationThreeQuartersOfT() {
		supervise(T, RecoveryPolicy.RESTART);
		FakePeer peer = connect();
		send(peer, new Start());
		FakeProcess first = process();
		long start = this.clock.now;
		// the loop gets to the warn 10 ms late: SIGKILL still 2T after the last message
		this.clock.now = start + T + TimeUnit.MILLISECONDS.toNanos(10);
		this.supervisor.onTimer();
		assertThat(first.signals).containsExactly(Signals.SIGTERM);
		assertThat(this.supervisor.nextDeadline()).isEqualTo(start + 2 * T);
		elapse(start + 2 * T - this.clock.now);
		assertThat(first.signals).containsExactly(Signals.SIGTERM, Signals.SIGKILL);
		first.exit(137);
		// the next instance's warn comes T/2 late (a stopped supervisor): SIGKILL 3T/4
		// after it
		FakePeer second = connect();
		send(second, new Start());
		long began = this.clock.now;
		this.clock.now = began + T + T / 2;
		this.supervisor.onTimer();
		assertThat(process().signals).containsExactly(Signals.SIGTERM);
		assertThat(this.supervisor.nextDeadline()).isEqualTo(this.clock.now + T * 3 / 4);
	}

	@Test
	void warnSignalSigkillIsTheOnlySignalSent() {
		supervise(T, RecoveryPolicy.RESTART);
		FakePeer peer = connect();
		send(peer, new WarnSignalSet(Signals.SIGKILL));
		send(peer, new Start());
		elapse(T);
		assertThat(process().signals).containsExactly(Signals.SIGKILL);
		assertThat(this.supervisor.nextDeadline()).isEqualTo(Long.MAX_VALUE);
		elapse(TimeUnit.DAYS.toNanos(1));
		assertThat(process().signals).containsExactly(Signals.SIGKILL);
	}

	static Stream<Message> signsOfLife() {
		return Stream.of(new Heartbeat(), new Start(), new DataStore(new byte[] { 1 }), new DataStore(null),
				new WarnSignalSet(Signals.SIGUSR2), new WarnSignalSet(0));
	}

	@ParameterizedTest
	@MethodSource("signsOfLife")
	void everyMessageResetsTheClock(Message message) {
		supervise(T, RecoveryPolicy.RESTART);
		FakePeer peer = connect();
		send(peer, new Start());
		elapse(T - 1);
		send(peer, message);
		elapse(T - 1);
		assertThat(process().signals).isEmpty();
		elapse(1);
		assertThat(process().signals).hasSize(1);
	}

	@Test
	void stopDisarmsTheClockAndStartArmsItAgain() {
		supervise(T, RecoveryPolicy.RESTART);
		FakePeer peer = connect();
		send(peer, new Start());
		elapse(T / 2);
		send(peer, new Stop());
		elapse(TimeUnit.DAYS.toNanos(1));
		assertThat(process().signals).isEmpty();
		assertThat(this.supervisor.nextDeadline()).isEqualTo(Long.MAX_VALUE);
		send(peer, new Start());
		elapse(T);
		assertThat(process().signals).containsExactly(Signals.SIGTERM);
		assertThat(peer.replies()).containsExactly(CsError.OK, CsError.OK, CsError.OK);
	}

	@Test
	void healthFailedIsNoSignOfLifeAndMakesTheReasonUnhealthy() {
		supervise(T, RecoveryPolicy.RESTART);
		FakePeer peer = connect();
		send(peer, new Start());
		elapse(T - 1);
		send(peer, new HealthFailed("database down"));
		elapse(1);
		assertThat(process().signals).containsExactly(Signals.SIGTERM);
		process().exit(128 + Signals.SIGTERM);
		assertThat(reasons()).containsExactly("unhealthy");
	}

	@Test
	void reportedHealthFailureIsWarnedAQuarterOfTheIntervalLaterThenKilledAfterT() {
		supervise(T, RecoveryPolicy.RESTART);
		FakePeer peer = connect();
		send(peer, new Start());
		elapse(T / 4);
		send(peer, new Heartbeat());
		send(peer, new HealthFailed("livenessState BROKEN"));
		elapse(T / 4 - 1);
		assertThat(process().signals).isEmpty();
		elapse(1);
		assertThat(process().signals).containsExactly(Signals.SIGTERM);
		elapse(T - 1);
		assertThat(process().signals).containsExactly(Signals.SIGTERM);
		elapse(1);
		assertThat(process().signals).containsExactly(Signals.SIGTERM, Signals.SIGKILL);
		process().exit(128 + Signals.SIGKILL);
		assertThat(reasons()).containsExactly("unhealthy");
	}

	@Test
	void messagesFromAConnectionThatDidNotPresentTheTokenAreIgnored() {
		supervise(T, RecoveryPolicy.RESTART);
		FakePeer peer = connect();
		send(peer, new Start());
		FakePeer stranger = new FakePeer();
		elapse(T - 1);
		send(stranger, new Heartbeat());
		send(stranger, new DataStore(new byte[] { 6, 6, 6 }));
		send(stranger, new Stop());
		elapse(1);
		assertThat(process().signals).containsExactly(Signals.SIGTERM);
		assertThat(stranger.sent).isEmpty();
		assertThat(this.supervisor.data()).isNull();
	}

	@Test
	void warnIsSentAtMostOncePerInstance() {
		supervise(T, RecoveryPolicy.RESTART);
		FakePeer peer = connect();
		send(peer, new Start());
		elapse(T);
		assertThat(process().signals).containsExactly(Signals.SIGTERM);
		elapse(T / 2);
		send(peer, new Heartbeat());
		elapse(T - 1);
		assertThat(process().signals).containsExactly(Signals.SIGTERM);
		elapse(1);
		assertThat(process().signals).containsExactly(Signals.SIGTERM, Signals.SIGKILL);
	}

	@Test
	void warnedInstanceThatSendsStopIsStillKilledTAfterItsLastMessage() {
		supervise(T, RecoveryPolicy.RESTART);
		FakePeer peer = connect();
		send(peer, new Start());
		elapse(T);
		elapse(TimeUnit.MILLISECONDS.toNanos(10));
		send(peer, new Stop());
		assertThat(peer.replies()).containsExactly(CsError.OK, CsError.OK);
		elapse(T - 1);
		assertThat(process().signals).containsExactly(Signals.SIGTERM);
		elapse(1);
		assertThat(process().signals).containsExactly(Signals.SIGTERM, Signals.SIGKILL);
		process().exit(128 + Signals.SIGKILL);
		assertThat(this.supervisor.exitStatus()).isEmpty();
		assertThat(this.supervisor.instanceId()).isEqualTo(2);
		assertThat(reasons()).containsExactly("hc-timeout");
	}

	@Test
	void deathAfterWarnIsRecoveryEvenIfStopArrived() {
		supervise(T, RecoveryPolicy.QUIT);
		FakePeer peer = connect();
		send(peer, new Start());
		elapse(T);
		send(peer, new Stop());
		process().exit(128 + Signals.SIGTERM);
		assertThat(this.supervisor.recoveries()).singleElement().satisfies((recovery) -> {
			assertThat(recovery.reason()).isEqualTo(Recovery.Reason.HC_TIMEOUT);
			assertThat(recovery.action()).isEqualTo(Recovery.Action.QUIT);
		});
		assertThat(this.supervisor.exitStatus()).hasValue(143);
	}

	@Test
	void deathWhenNotStartedQuitsWithItsStatus() {
		supervise(T, RecoveryPolicy.RESTART.withCmap());
		connect();
		process().exit(3);
		assertThat(this.supervisor.exitStatus()).hasValue(3);
		assertThat(this.launcher.launched).hasSize(1);
		assertThat(this.supervisor.recoveries()).isEmpty();
		assertThat(this.publisher.events).endsWith("remove");
	}

	@Test
	void anInstanceTheStartupCacheLaunchedThatDiesBeforeStartIsLaunchedAgainWithoutIt() {
		supervise(T, RecoveryPolicy.RESTART);
		this.launcher.relaunchPlain = true;
		connect();
		process().exit(134);
		assertThat(this.supervisor.exitStatus()).isEmpty();
		assertThat(this.launcher.launched).hasSize(2);
		assertThat(this.supervisor.recoveries()).as("not a recovery").isEmpty();
		connect();
		process().exit(134);
		assertThat(this.supervisor.exitStatus()).as("the plain command dies too: libsam quits").hasValue(134);
	}

	@Test
	void deathBeforeConnectingQuitsWithItsStatus() {
		supervise(T, RecoveryPolicy.RESTART);
		process().exit(1);
		assertThat(this.supervisor.exitStatus()).hasValue(1);
		assertThat(this.launcher.launched).hasSize(1);
	}

	@Test
	void deathAfterStopQuitsWithItsStatus() {
		supervise(T, RecoveryPolicy.RESTART);
		FakePeer peer = connect();
		send(peer, new Start());
		send(peer, new Stop());
		process().exit(0);
		assertThat(this.supervisor.exitStatus()).hasValue(0);
		assertThat(this.launcher.launched).hasSize(1);
		assertThat(peer.closed).isTrue();
	}

	@Test
	void restartRelaunchesNextIdCarryingDataAndWarnSignal() {
		supervise(T, RecoveryPolicy.RESTART);
		FakePeer peer = connect();
		byte[] data = { 1, 2, 3 };
		send(peer, new DataStore(data));
		send(peer, new WarnSignalSet(Signals.SIGUSR1));
		send(peer, new Start());
		FakeProcess first = process();
		first.exit(1);
		assertThat(peer.closed).isTrue();
		assertThat(this.launcher.environments).containsExactly(Map.of(SamEnvironment.INSTANCE_ID, "1"),
				Map.of(SamEnvironment.INSTANCE_ID, "2"));
		assertThat(process()).isNotSameAs(first);
		assertThat(process().prepared).containsExactly(Signals.SIGUSR1);
		Welcome welcome = connect().welcome();
		assertThat(welcome.instanceId()).isEqualTo(2);
		assertThat(welcome.warnSignal()).isEqualTo(Signals.SIGUSR1);
		assertThat(welcome.supervisorPid()).isEqualTo(SUPERVISOR_PID);
		assertThat(welcome.data()).containsExactly(1, 2, 3);
		assertThat(welcome.recoveries()).singleElement().satisfies((recovery) -> {
			assertThat(recovery.instance()).isEqualTo(1);
			assertThat(recovery.pid()).isEqualTo(first.pid);
			assertThat(recovery.reason()).isEqualTo(Recovery.Reason.EXITED);
			assertThat(recovery.exitStatus()).isEqualTo(1);
		});
	}

	@Test
	void totalsKeepCountingPastTheRecoveriesKept() {
		supervise(T, RecoveryPolicy.RESTART);
		int rounds = Supervisor.RECOVERIES_KEPT + 8;
		long previous = -1;
		for (int i = 0; i < rounds; i++) {
			FakePeer peer = connect();
			Welcome welcome = peer.welcome();
			assertThat(welcome.totals().restarts()).isEqualTo(i);
			assertThat(welcome.totals().recoveryCount()).isEqualTo(i).isGreaterThan(previous);
			previous = welcome.totals().recoveryCount();
			send(peer, new Start());
			process().exit((i % 2 == 0) ? 1 : 128 + Signals.SIGKILL);
		}
		Welcome last = connect().welcome();
		assertThat(last.recoveries()).hasSize(Supervisor.RECOVERIES_KEPT);
		assertThat(last.totals().restarts()).isEqualTo(rounds);
		assertThat(last.totals().recoveries(Recovery.Reason.EXITED)).isEqualTo(rounds / 2);
		assertThat(last.totals().recoveries(Recovery.Reason.KILLED)).isEqualTo(rounds / 2);
		assertThat(last.totals().recoveries(Recovery.Reason.HC_TIMEOUT)).isZero();
	}

	@Test
	void totalsSumTheBackoff() {
		Backoff backoff = new Backoff(java.time.Duration.ofMillis(100), java.time.Duration.ofSeconds(1), 2, 0,
				java.time.Duration.ofMinutes(1));
		supervise(T, RecoveryPolicy.RESTART, rules(-1, 0, backoff));
		long waited = 0;
		for (int i = 0; i < 3; i++) {
			send(connect(), new Start());
			int before = this.launcher.launched.size();
			process().exit(1);
			waited += waitForLaunch(before);
		}
		assertThat(connect().welcome().totals().backoff()).isEqualTo(java.time.Duration.ofNanos(waited)).isPositive();
	}

	@Test
	void requestedRestartWarnsAtOnceAndRestartsWithoutBackoffWhateverThePolicy() {
		Backoff backoff = new Backoff(java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(5), 2, 0,
				java.time.Duration.ofMinutes(1));
		supervise(T, RecoveryPolicy.QUIT, rules(0, TimeUnit.HOURS.toNanos(1), backoff));
		FakePeer peer = connect();
		send(peer, new Start());
		FakeProcess first = process();
		send(peer, new RestartRequest());
		assertThat(peer.replies()).containsExactly(CsError.OK, CsError.OK);
		assertThat(first.signals).containsExactly(Signals.SIGTERM);
		send(peer, new RestartRequest());
		assertThat(peer.replies()).as("already on its way out").endsWith(CsError.BUSY);
		first.exit(128 + Signals.SIGTERM);
		assertThat(this.launcher.launched).as("launched at once, no backoff, no restart limit").hasSize(2);
		assertThat(this.supervisor.exitStatus()).isEmpty();
		assertThat(this.supervisor.recoveries()).singleElement().satisfies((recovery) -> {
			assertThat(recovery.reason()).isEqualTo(Recovery.Reason.REQUESTED);
			assertThat(recovery.action()).isEqualTo(Recovery.Action.RESTART);
			assertThat(recovery.backoff()).isZero();
			assertThat(recovery.threadDump()).isNull();
		});
		assertThat(connect().welcome().totals().recoveries(Recovery.Reason.REQUESTED)).isEqualTo(1);
	}

	@Test
	void requestedRestartOfAnInstanceThatIgnoresTheWarnSignalIsKilledAfterT() {
		supervise(T, RecoveryPolicy.RESTART);
		FakePeer peer = connect();
		send(peer, new Start());
		FakeProcess first = process();
		elapse(T / 2);
		send(peer, new RestartRequest());
		elapse(T - 1);
		assertThat(first.signals).containsExactly(Signals.SIGTERM);
		elapse(1);
		assertThat(first.signals).containsExactly(Signals.SIGTERM, Signals.SIGKILL);
		send(peer, new HealthFailed("shutting down"));
		first.exit(137);
		assertThat(reasons()).as("the request stays the reason").containsExactly("requested");
	}

	@Test
	void restartRequestBeforeStartIsRefused() {
		supervise(T, RecoveryPolicy.RESTART);
		FakePeer peer = connect();
		send(peer, new RestartRequest());
		assertThat(peer.replies()).containsExactly(CsError.BAD_HANDLE);
		assertThat(process().signals).isEmpty();
	}

	@Test
	void relaunchedInstanceIsNotTimedUntilItStarts() {
		supervise(T, RecoveryPolicy.RESTART);
		send(connect(), new Start());
		elapse(2 * T);
		process().exit(137);
		connect();
		elapse(TimeUnit.DAYS.toNanos(1));
		assertThat(process().signals).isEmpty();
	}

	@Test
	void quitPolicyExitsWithTheInstanceStatus() {
		supervise(T, RecoveryPolicy.QUIT.withCmap());
		send(connect(), new Start());
		process().exit(7);
		assertThat(this.supervisor.exitStatus()).hasValue(7);
		assertThat(this.launcher.launched).hasSize(1);
		assertThat(this.supervisor.recoveries()).singleElement().satisfies((recovery) -> {
			assertThat(recovery.reason()).isEqualTo(Recovery.Reason.EXITED);
			assertThat(recovery.action()).isEqualTo(Recovery.Action.QUIT);
		});
		assertThat(this.publisher.events).endsWith("state failed").doesNotContain("remove");
	}

	@Test
	void instanceKilledBySomeoneElseIsReasonKilled() {
		supervise(T, RecoveryPolicy.RESTART);
		send(connect(), new Start());
		process().exit(128 + Signals.SIGKILL);
		assertThat(reasons()).containsExactly("killed");
	}

	@Test
	void markFailedKillsAtOnceWithoutWarnAndTheSupervisorQuits() {
		supervise(T, RecoveryPolicy.RESTART.withCmap());
		FakePeer peer = connect();
		send(peer, new Start());
		send(peer, new MarkFailed());
		assertThat(process().signals).containsExactly(Signals.SIGKILL);
		assertThat(this.supervisor.policy()).isEqualTo(RecoveryPolicy.QUIT.withCmap());
		assertThat(this.publisher.events).endsWith("state failed");
		assertThat(peer.replies()).containsExactly(CsError.OK);
		assertThat(this.supervisor.nextDeadline()).isEqualTo(Long.MAX_VALUE);
		process().exit(128 + Signals.SIGKILL);
		assertThat(this.supervisor.exitStatus()).hasValue(137);
		assertThat(this.launcher.launched).hasSize(1);
		assertThat(reasons()).containsExactly("marked-failed");
		assertThat(this.publisher.events).endsWith("state failed").doesNotContain("remove");
	}

	@Test
	void markFailedBeforeStartThenStopIsStillARecovery() {
		supervise(T, RecoveryPolicy.RESTART.withCmap());
		FakePeer peer = connect();
		send(peer, new MarkFailed());
		send(peer, new Stop());
		process().exit(128 + Signals.SIGKILL);
		assertThat(reasons()).containsExactly("marked-failed");
		assertThat(this.supervisor.exitStatus()).hasValue(137);
		assertThat(this.publisher.events).endsWith("state failed").doesNotContain("remove");
	}

	@Test
	void markFailedWithoutTheCmapFlagIsIgnored() {
		supervise(T, RecoveryPolicy.RESTART);
		FakePeer peer = connect();
		send(peer, new Start());
		send(peer, new MarkFailed());
		assertThat(process().signals).isEmpty();
		assertThat(this.supervisor.policy()).isEqualTo(RecoveryPolicy.RESTART);
	}

	@Test
	void stopRequestForwardsSigtermAndNeverRestarts() {
		supervise(T, RecoveryPolicy.RESTART.withCmap());
		send(connect(), new Start());
		this.supervisor.onStopRequested(Signals.SIGTERM);
		assertThat(process().signals).containsExactly(Signals.SIGTERM);
		process().exit(128 + Signals.SIGTERM);
		assertThat(this.supervisor.exitStatus()).hasValue(143);
		assertThat(this.launcher.launched).hasSize(1);
		assertThat(this.supervisor.recoveries()).isEmpty();
		assertThat(this.publisher.events).endsWith("remove");
	}

	@Test
	void stopRequestKillsAfterTheShutdownTimeoutAndSuspendsTheHealthCheck() {
		supervise(T, RecoveryPolicy.RESTART);
		send(connect(), new Start());
		this.supervisor.onStopRequested(Signals.SIGINT);
		assertThat(this.supervisor.nextDeadline() - this.clock.now).isEqualTo(SHUTDOWN_TIMEOUT);
		elapse(SHUTDOWN_TIMEOUT - 1);
		assertThat(process().signals).containsExactly(Signals.SIGTERM);
		elapse(1);
		assertThat(process().signals).containsExactly(Signals.SIGTERM, Signals.SIGKILL);
		process().exit(128 + Signals.SIGKILL);
		assertThat(this.supervisor.exitStatus()).hasValue(137);
		assertThat(this.launcher.launched).hasSize(1);
	}

	@Test
	void secondStopRequestKillsAtOnce() {
		supervise(T, RecoveryPolicy.RESTART);
		send(connect(), new Start());
		this.supervisor.onStopRequested(Signals.SIGTERM);
		elapse(TimeUnit.MILLISECONDS.toNanos(100));
		this.supervisor.onStopRequested(Signals.SIGINT);
		assertThat(process().signals).containsExactly(Signals.SIGTERM, Signals.SIGKILL);
	}

	@Test
	void stopRequestOfAWarnedInstanceNeverRestarts() {
		supervise(T, RecoveryPolicy.RESTART);
		send(connect(), new Start());
		elapse(T);
		this.supervisor.onStopRequested(Signals.SIGTERM);
		assertThat(process().signals).containsExactly(Signals.SIGTERM, Signals.SIGTERM);
		process().exit(128 + Signals.SIGTERM);
		assertThat(this.supervisor.exitStatus()).hasValue(143);
		assertThat(this.launcher.launched).hasSize(1);
	}

	@Test
	void stopRequestBeforeStartStopsTheInstance() {
		supervise(T, RecoveryPolicy.RESTART);
		connect();
		this.supervisor.onStopRequested(Signals.SIGTERM);
		assertThat(process().signals).containsExactly(Signals.SIGTERM);
		process().exit(0);
		assertThat(this.supervisor.exitStatus()).hasValue(0);
	}

	@Test
	void quorumStartWaitsUntilQuorate() {
		supervise(T, RecoveryPolicy.QUORUM_RESTART.withCmap(), false);
		FakePeer peer = connect();
		send(peer, new Start());
		assertThat(peer.replies()).isEmpty();
		assertThat(this.publisher.events).endsWith("state waiting for quorum");
		assertThat(this.supervisor.nextDeadline()).isEqualTo(Long.MAX_VALUE);
		elapse(TimeUnit.DAYS.toNanos(1));
		assertThat(process().signals).isEmpty();
		this.supervisor.onQuorum(true);
		assertThat(peer.replies()).containsExactly(CsError.OK);
		assertThat(this.publisher.events).endsWith("state running");
		elapse(T - 1);
		assertThat(process().signals).isEmpty();
		elapse(1);
		assertThat(process().signals).containsExactly(Signals.SIGTERM);
	}

	@Test
	void quorumStartWhenQuorateIsAnsweredAtOnce() {
		supervise(T, RecoveryPolicy.QUORUM_QUIT, true);
		FakePeer peer = connect();
		send(peer, new Start());
		assertThat(peer.replies()).containsExactly(CsError.OK);
	}

	@Test
	void losingQuorumWhileStartedWarnsThenKillsAfterT() {
		supervise(T, RecoveryPolicy.QUORUM_RESTART, true);
		FakePeer peer = connect();
		send(peer, new Start());
		elapse(T / 2);
		send(peer, new Heartbeat());
		this.supervisor.onQuorum(false);
		assertThat(process().signals).containsExactly(Signals.SIGTERM);
		elapse(T - 1);
		assertThat(process().signals).containsExactly(Signals.SIGTERM);
		elapse(1);
		assertThat(process().signals).containsExactly(Signals.SIGTERM, Signals.SIGKILL);
		process().exit(128 + Signals.SIGKILL);
		assertThat(reasons()).containsExactly("quorum-lost");
		assertThat(this.supervisor.instanceId()).isEqualTo(2);
	}

	@Test
	void quorumBackAfterTheWarnDoesNotSpareTheInstance() {
		supervise(T, RecoveryPolicy.QUORUM_RESTART, true);
		send(connect(), new Start());
		this.supervisor.onQuorum(false);
		this.supervisor.onQuorum(true);
		elapse(T);
		assertThat(process().signals).containsExactly(Signals.SIGTERM, Signals.SIGKILL);
	}

	@Test
	void quorumLostAgainAfterTheWarnKeepsSigkillTAfterTheLastMessage() {
		supervise(T, RecoveryPolicy.QUORUM_RESTART, true);
		FakePeer peer = connect();
		send(peer, new Start());
		this.supervisor.onQuorum(false);
		assertThat(process().signals).containsExactly(Signals.SIGTERM);
		elapse(T / 4);
		this.supervisor.onQuorum(true);
		send(peer, new Heartbeat());
		elapse(T / 4);
		this.supervisor.onQuorum(false);
		assertThat(process().signals).as("no SIGKILL before T").containsExactly(Signals.SIGTERM);
		send(peer, new Heartbeat());
		elapse(T / 4 + T / 2 - 1);
		assertThat(process().signals).as("T after the heartbeat sent while quorate, no time bought without quorum")
			.containsExactly(Signals.SIGTERM);
		elapse(1);
		assertThat(process().signals).containsExactly(Signals.SIGTERM, Signals.SIGKILL);
		process().exit(128 + Signals.SIGKILL);
		assertThat(reasons()).containsExactly("quorum-lost");
	}

	@Test
	void losingQuorumWhileNotStartedDoesNothing() {
		supervise(T, RecoveryPolicy.QUORUM_RESTART, true);
		connect();
		this.supervisor.onQuorum(false);
		elapse(TimeUnit.DAYS.toNanos(1));
		assertThat(process().signals).isEmpty();
	}

	@Test
	void deathWhileStartWaitsForQuorumIsRecoveredNotQuit() {
		supervise(T, RecoveryPolicy.QUORUM_QUIT, false);
		send(connect(), new Start());
		process().exit(128 + Signals.SIGKILL);
		assertThat(reasons()).containsExactly("killed");
		assertThat(this.supervisor.exitStatus()).hasValue(137);
		supervise(T, RecoveryPolicy.QUORUM_RESTART, false);
		send(connect(), new Start());
		process().exit(128 + Signals.SIGKILL);
		assertThat(this.supervisor.instanceId()).isEqualTo(2);
	}

	static Stream<byte[]> wrongTokens() {
		byte[] flipped = TOKEN.clone();
		flipped[31] ^= 1;
		return Stream.of(flipped, new byte[32], Arrays.copyOf(TOKEN, 31), new byte[0]);
	}

	@ParameterizedTest
	@MethodSource("wrongTokens")
	void helloWithAWrongTokenIsRefused(byte[] token) {
		supervise(T, RecoveryPolicy.RESTART);
		FakePeer stranger = new FakePeer();
		assertThat(this.supervisor.onHello(new Hello(token, process().pid), stranger)).isFalse();
		send(stranger, new Start());
		assertThat(stranger.sent).isEmpty();
		FakePeer peer = connect();
		assertThat(peer.welcome().instanceId()).isEqualTo(1);
	}

	@Test
	void helloOfAnotherProtocolVersionIsRefusedNamingBothVersions() {
		supervise(T, RecoveryPolicy.RESTART);
		FakePeer other = new FakePeer();
		assertThat(this.supervisor.onHello(new Hello(Codec.PROTOCOL_VERSION + 1, null, process().pid), other))
			.isFalse();
		assertThat(this.supervisor.refusal()).contains("version " + (Codec.PROTOCOL_VERSION + 1))
			.contains("supervisor version " + Codec.PROTOCOL_VERSION);
		assertThat(other.replies()).containsExactly(CsError.VERSION);
		connect();
	}

	@Test
	void helloWithTheTokenButAnotherPidIsRefused() {
		supervise(T, RecoveryPolicy.RESTART);
		FakePeer stranger = new FakePeer();
		assertThat(this.supervisor.onHello(new Hello(TOKEN.clone(), process().pid + 1), stranger)).isFalse();
		assertThat(stranger.sent).isEmpty();
	}

	@Test
	void secondConnectionOfTheInstanceIsRefused() {
		supervise(T, RecoveryPolicy.RESTART);
		FakePeer peer = connect();
		send(peer, new Start());
		FakePeer second = new FakePeer();
		assertThat(this.supervisor.onHello(new Hello(TOKEN.clone(), process().pid), second)).isFalse();
		assertThat(second.sent).isEmpty();
		elapse(T - 1);
		send(second, new Heartbeat());
		send(second, new Stop());
		elapse(1);
		assertThat(process().signals).containsExactly(Signals.SIGTERM);
		assertThat(second.sent).isEmpty();
		assertThat(peer.replies()).containsExactly(CsError.OK);
	}

	@Test
	void dataStoreOverTheLimitIsTooBigAndKeepsTheStoredData() {
		supervise(T, RecoveryPolicy.RESTART);
		FakePeer peer = connect();
		byte[] full = new byte[DATA_MAX_SIZE];
		Arrays.fill(full, (byte) 5);
		send(peer, new DataStore(full));
		send(peer, new DataStore(new byte[DATA_MAX_SIZE + 1]));
		assertThat(peer.replies()).containsExactly(CsError.OK, CsError.TOO_BIG);
		assertThat(this.supervisor.data()).isEqualTo(full);
		send(peer, new Start());
		process().exit(137);
		assertThat(connect().welcome().data()).as("handed to the next instance").isEqualTo(full);
	}

	@Test
	void dataStoreOfNullOrNothingDeletesTheData() {
		supervise(T, RecoveryPolicy.RESTART);
		FakePeer peer = connect();
		send(peer, new DataStore(new byte[] { 1 }));
		send(peer, new DataStore(null));
		assertThat(this.supervisor.data()).isNull();
		send(peer, new DataStore(new byte[] { 1 }));
		send(peer, new DataStore(new byte[0]));
		assertThat(this.supervisor.data()).isNull();
		assertThat(peer.replies()).containsOnly(CsError.OK).hasSize(4);
	}

	@ParameterizedTest
	@ValueSource(ints = { 0, -1, 65, Integer.MIN_VALUE, Integer.MAX_VALUE })
	void warnSignalSetOfANonSignalIsInvalidAndKeepsTheSignal(int signal) {
		supervise(T, RecoveryPolicy.RESTART);
		FakePeer peer = connect();
		send(peer, new WarnSignalSet(signal));
		assertThat(peer.replies()).containsExactly(CsError.INVALID_PARAM);
		assertThat(this.supervisor.warnSignal()).isEqualTo(Signals.SIGTERM);
	}

	@Test
	void recoveryHistoryKeepsTheMostRecentRecoveries() {
		supervise(T, RecoveryPolicy.RESTART);
		int recoveries = Supervisor.RECOVERIES_KEPT + 8;
		for (int i = 0; i < recoveries; i++) {
			send(connect(), new Start());
			process().exit(1);
		}
		assertThat(this.supervisor.instanceId()).isEqualTo(recoveries + 1);
		assertThat(this.supervisor.recoveries()).hasSize(Supervisor.RECOVERIES_KEPT);
		assertThat(this.supervisor.recoveries().get(0).instance()).isEqualTo(9);
		assertThat(this.supervisor.recoveries().get(Supervisor.RECOVERIES_KEPT - 1).instance()).isEqualTo(recoveries);
		assertThat(connect().welcome().recoveries()).hasSize(Supervisor.RECOVERIES_KEPT);
	}

	@Test
	void everyRecoveryReasonIsRecordedInOrder() {
		supervise(T, RecoveryPolicy.QUORUM_RESTART.withCmap(), true);
		send(connect(), new Start());
		elapse(T);
		process().exit(128 + Signals.SIGTERM);
		FakePeer peer = connect();
		send(peer, new Start());
		send(peer, new HealthFailed("down"));
		elapse(T);
		process().exit(128 + Signals.SIGTERM);
		send(connect(), new Start());
		process().exit(1);
		send(connect(), new Start());
		process().exit(128 + Signals.SIGKILL);
		send(connect(), new Start());
		this.supervisor.onQuorum(false);
		process().exit(128 + Signals.SIGTERM);
		this.supervisor.onQuorum(true);
		peer = connect();
		send(peer, new Start());
		send(peer, new MarkFailed());
		process().exit(128 + Signals.SIGKILL);
		assertThat(reasons()).containsExactly("hc-timeout", "unhealthy", "exited", "killed", "quorum-lost",
				"marked-failed");
		assertThat(this.supervisor.recoveries()).extracting(Recovery::instance).containsExactly(1, 2, 3, 4, 5, 6);
		assertThat(this.supervisor.recoveries()).extracting(Recovery::exitStatus)
			.containsExactly(143, 143, 1, 137, 143, 137);
		assertThat(this.supervisor.exitStatus()).hasValue(137);
	}

	@Test
	void oneMillisecondIntervalWarnsAfterOneAndKillsAfterTwo() {
		long oneMillisecond = TimeUnit.MILLISECONDS.toNanos(1);
		supervise(oneMillisecond, RecoveryPolicy.RESTART);
		send(connect(), new Start());
		assertThat(this.supervisor.nextDeadline() - this.clock.now).isEqualTo(oneMillisecond);
		elapse(oneMillisecond - 1);
		assertThat(process().signals).isEmpty();
		elapse(1);
		assertThat(process().signals).containsExactly(Signals.SIGTERM);
		elapse(oneMillisecond);
		assertThat(process().signals).containsExactly(Signals.SIGTERM, Signals.SIGKILL);
	}

	@Test
	void twentyFourDayIntervalWarnsAndKillsOnTime() {
		long days24 = TimeUnit.DAYS.toNanos(24);
		supervise(days24, RecoveryPolicy.RESTART);
		send(connect(), new Start());
		assertThat(this.supervisor.nextDeadline() - this.clock.now).isEqualTo(days24);
		assertThat(this.supervisor.nextDeadline()).isGreaterThan(this.clock.now);
		elapse(days24 - 1);
		assertThat(process().signals).isEmpty();
		elapse(1);
		assertThat(process().signals).containsExactly(Signals.SIGTERM);
		assertThat(this.supervisor.nextDeadline() - this.clock.now).isEqualTo(days24);
		elapse(days24);
		assertThat(process().signals).containsExactly(Signals.SIGTERM, Signals.SIGKILL);
	}

	@Test
	void twentyFourDayIntervalIsTimedRightWhenTheClockReadingWrapsAround() {
		long days24 = TimeUnit.DAYS.toNanos(24);
		this.clock.now = Long.MAX_VALUE - TimeUnit.DAYS.toNanos(1);
		supervise(days24, RecoveryPolicy.RESTART);
		send(connect(), new Start());
		assertThat(this.supervisor.nextDeadline() - this.clock.now).isEqualTo(days24);
		elapse(days24 - 1);
		assertThat(process().signals).isEmpty();
		elapse(1);
		assertThat(process().signals).containsExactly(Signals.SIGTERM);
		elapse(days24);
		assertThat(process().signals).containsExactly(Signals.SIGTERM, Signals.SIGKILL);
	}

	@Test
	void publisherFollowsTheInstanceAndIsRemovedAfterACleanQuit() {
		supervise(T, RecoveryPolicy.QUIT.withCmap());
		FakePeer peer = connect();
		send(peer, new Start());
		send(peer, new Heartbeat());
		send(peer, new Stop());
		process().exit(0);
		assertThat(this.publisher.events).containsExactly("register quit 1000", "state stopped", "last_updated",
				"state running", "last_updated", "last_updated", "state stopped", "remove");
	}

	@Test
	void firstInstanceThatCannotBeLaunchedIsALibraryError() {
		this.launcher.failFrom = 1;
		assertThatExceptionOfType(SamException.class).isThrownBy(() -> supervise(T, RecoveryPolicy.RESTART))
			.satisfies((ex) -> assertThat(ex.error()).isEqualTo(CsError.LIBRARY))
			.withMessageContaining("Cannot launch the active process");
	}

	@Test
	void relaunchThatFailsEndsTheSupervisorWithTheLaunchFailedStatus() {
		this.launcher.failFrom = 2;
		supervise(T, RecoveryPolicy.RESTART);
		send(connect(), new Start());
		process().exit(137);
		assertThat(this.supervisor.exitStatus()).hasValue(Supervisor.LAUNCH_FAILED_STATUS);
		assertThat(reasons()).containsExactly("killed");
	}

	@Test
	void nothingHappensAfterTheSupervisorDecidedToQuit() {
		supervise(T, RecoveryPolicy.QUIT);
		FakePeer peer = connect();
		send(peer, new Start());
		process().exit(4);
		send(peer, new Start());
		this.supervisor.onStopRequested(Signals.SIGTERM);
		this.supervisor.onQuorum(false);
		this.supervisor.onExit(9);
		elapse(TimeUnit.DAYS.toNanos(1));
		assertThat(this.supervisor.exitStatus()).hasValue(4);
		assertThat(process().signals).isEmpty();
		assertThat(peer.replies()).containsExactly(CsError.OK);
	}

	@Test
	void instanceUnderAQuorumPolicyIsToldOfEveryQuorumChange() {
		supervise(T, RecoveryPolicy.QUORUM_RESTART, true);
		FakePeer peer = connect();
		assertThat(peer.sent).element(1).isEqualTo(new Message.QuorumState(true));
		this.supervisor.onQuorum(false);
		this.supervisor.onQuorum(false);
		this.supervisor.onQuorum(true);
		assertThat(peer.sent).filteredOn(Message.QuorumState.class::isInstance)
			.containsExactly(new Message.QuorumState(true), new Message.QuorumState(false),
					new Message.QuorumState(true));
	}

	@Test
	void restartIntensityGivesUpOnTheRestartBeyondTheLimit() {
		supervise(T, RecoveryPolicy.RESTART.withCmap(), rules(2, TimeUnit.SECONDS.toNanos(60), Backoff.NONE));
		for (int instance = 1; instance <= 2; instance++) {
			send(connect(), new Start());
			process().exit(3);
		}
		send(connect(), new Start());
		process().exit(3);
		assertThat(this.supervisor.exitStatus()).hasValue(3);
		assertThat(this.launcher.launched).hasSize(3);
		List<Recovery> recoveries = this.supervisor.recoveries();
		assertThat(recoveries).extracting(Recovery::action)
			.containsExactly(Recovery.Action.RESTART, Recovery.Action.RESTART, Recovery.Action.QUIT);
		assertThat(recoveries.get(2).detail()).contains("more than 2 restarts within 60000 ms");
		assertThat(this.publisher.events).endsWith("state failed");
	}

	@Test
	void restartsOlderThanTheWindowDoNotCount() {
		supervise(T, RecoveryPolicy.RESTART, rules(1, TimeUnit.SECONDS.toNanos(10), Backoff.NONE));
		send(connect(), new Start());
		process().exit(3);
		FakePeer peer = connect();
		send(peer, new Start());
		for (int i = 0; i < 21; i++) {
			elapse(T / 2);
			send(peer, new Heartbeat());
		}
		process().exit(3);
		assertThat(this.supervisor.exitStatus()).as("the first restart is 10.5 s old").isEmpty();
		assertThat(this.launcher.launched).hasSize(3);
	}

	@Test
	void backoffWaitsLongerForEachRestartInARowAndResetsAfterAHealthyRun() {
		Backoff backoff = new Backoff(java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(4), 2, 0,
				java.time.Duration.ofSeconds(30));
		supervise(T, RecoveryPolicy.RESTART, rules(-1, 0, backoff));
		List<Long> waits = new ArrayList<>();
		for (int crash = 0; crash < 4; crash++) {
			send(connect(), new Start());
			int launched = this.launcher.launched.size();
			process().exit(1);
			waits.add(waitForLaunch(launched));
		}
		assertThat(waits).containsExactly(T, 2 * T, 4 * T, 4 * T);
		FakePeer peer = connect();
		send(peer, new Start());
		for (int i = 0; i < 62; i++) {
			elapse(T / 2);
			send(peer, new Heartbeat());
		}
		int launched = this.launcher.launched.size();
		process().exit(1);
		assertThat(waitForLaunch(launched)).as("after 31 s of running the next restart is the first again")
			.isEqualTo(T);
		assertThat(this.supervisor.recoveries()).extracting((recovery) -> recovery.backoff().toMillis())
			.containsExactly(1000L, 2000L, 4000L, 4000L, 1000L);
	}

	/**
	 * Every phase an instance can be in, against every event: the phase it is in
	 * afterwards, as {@code PHASE} for the same instance, {@code PHASE#N} for instance N,
	 * {@code quit} when the supervisor decided to exit. The policy has the quorum and
	 * cmap flags, so that every event applies.
	 */
	static Stream<Arguments> phaseByEvent() {
		return Stream.of(Arguments.of("LAUNCHED", "hello", "CONNECTED"),
				Arguments.of("LAUNCHED", "silence", "LAUNCHED"), Arguments.of("LAUNCHED", "quorum lost", "LAUNCHED"),
				Arguments.of("LAUNCHED", "exit", "quit"), Arguments.of("CONNECTED", "start", "STARTED"),
				Arguments.of("CONNECTED", "stop", "CONNECTED"), Arguments.of("CONNECTED", "heartbeat", "CONNECTED"),
				Arguments.of("CONNECTED", "health failed", "CONNECTED"),
				Arguments.of("CONNECTED", "mark failed", "KILLED"),
				Arguments.of("CONNECTED", "quorum lost", "CONNECTED"),
				Arguments.of("CONNECTED", "silence", "CONNECTED"), Arguments.of("CONNECTED", "exit", "quit"),
				Arguments.of("WAITING_FOR_QUORUM", "quorum back", "STARTED"),
				Arguments.of("WAITING_FOR_QUORUM", "stop", "CONNECTED"),
				Arguments.of("WAITING_FOR_QUORUM", "heartbeat", "WAITING_FOR_QUORUM"),
				Arguments.of("WAITING_FOR_QUORUM", "silence", "WAITING_FOR_QUORUM"),
				Arguments.of("WAITING_FOR_QUORUM", "mark failed", "KILLED"),
				Arguments.of("WAITING_FOR_QUORUM", "exit", "LAUNCHED#2"), Arguments.of("STARTED", "start", "STARTED"),
				Arguments.of("STARTED", "stop", "CONNECTED"), Arguments.of("STARTED", "heartbeat", "STARTED"),
				Arguments.of("STARTED", "health failed", "STARTED"), Arguments.of("STARTED", "mark failed", "KILLED"),
				Arguments.of("STARTED", "quorum lost", "WARNED"), Arguments.of("STARTED", "silence", "WARNED"),
				Arguments.of("STARTED", "exit", "LAUNCHED#2"), Arguments.of("WARNED", "stop", "WARNED"),
				Arguments.of("WARNED", "heartbeat", "WARNED"), Arguments.of("WARNED", "health failed", "WARNED"),
				Arguments.of("WARNED", "mark failed", "KILLED"), Arguments.of("WARNED", "quorum lost", "KILLED"),
				Arguments.of("WARNED", "silence", "KILLED"), Arguments.of("WARNED", "exit", "LAUNCHED#2"),
				Arguments.of("KILLED", "heartbeat", "KILLED"), Arguments.of("KILLED", "stop", "KILLED"),
				Arguments.of("KILLED", "silence", "KILLED"), Arguments.of("KILLED", "quorum lost", "KILLED"),
				Arguments.of("KILLED", "exit", "quit"));
	}

	@ParameterizedTest(name = "{0} + {1} -> {2}")
	@MethodSource("phaseByEvent")
	void everyPhaseAnswersEveryEventAsTheTableSays(String phase, String event, String expected) {
		supervise(T, RecoveryPolicy.QUORUM_RESTART.withCmap(), true);
		FakePeer peer = driveTo(Instance.Phase.valueOf(phase));
		assertThat(this.supervisor.phase()).isEqualTo(Instance.Phase.valueOf(phase));
		switch (event) {
			case "hello" -> connect();
			case "start" -> send(peer, new Start());
			case "stop" -> send(peer, new Stop());
			case "heartbeat" -> send(peer, new Heartbeat());
			case "health failed" -> send(peer, new HealthFailed("down"));
			case "mark failed" -> send(peer, new MarkFailed());
			case "quorum lost" -> this.supervisor.onQuorum(false);
			case "quorum back" -> this.supervisor.onQuorum(true);
			case "silence" -> elapse(T);
			case "exit" -> process().exit(1);
			default -> throw new IllegalArgumentException(event);
		}
		String after = this.supervisor.exitStatus().isPresent() ? "quit" : this.supervisor.phase()
				+ ((this.supervisor.instanceId() > 1) ? "#" + this.supervisor.instanceId() : "");
		assertThat(after).isEqualTo(expected);
	}

	private FakePeer driveTo(Instance.Phase phase) {
		if (phase == Instance.Phase.LAUNCHED) {
			return null;
		}
		FakePeer peer = connect();
		switch (phase) {
			case WAITING_FOR_QUORUM -> {
				this.supervisor.onQuorum(false);
				send(peer, new Start());
			}
			case STARTED -> send(peer, new Start());
			case WARNED -> {
				send(peer, new Start());
				elapse(T);
			}
			case KILLED -> {
				send(peer, new Start());
				send(peer, new MarkFailed());
			}
			default -> {
			}
		}
		return peer;
	}

	@Test
	void aCleanStopAfterStartIsNotWarnedForTheStartupTimeout() {
		supervise(T, RecoveryPolicy.RESTART, startupTimeout(2 * T));
		FakePeer peer = connect();
		send(peer, new Start());
		send(peer, new Stop());
		elapse(5 * T);
		assertThat(process().signals).as("stop() on the way out of a clean shutdown").isEmpty();
		process().exit(0);
		assertThat(this.supervisor.exitStatus()).hasValue(0);
	}

	@Test
	void recoveredInstanceThatEndsBeforeStartIsLaunchedAgainWithGrowingWaits() {
		supervise(T, RecoveryPolicy.RESTART, startRetry(-1, java.util.Set.of()));
		send(connect(), new Start());
		int launched = this.launcher.launched.size();
		process().exit(1);
		assertThat(waitForLaunch(launched)).as("a crash of a started instance restarts at once").isZero();
		List<Long> waits = new ArrayList<>();
		for (int failure = 0; failure < 4; failure++) {
			connect();
			launched = this.launcher.launched.size();
			process().exit(1);
			assertThat(this.supervisor.exitStatus()).isEmpty();
			waits.add(waitForLaunch(launched));
		}
		assertThat(waits).containsExactly(T, 2 * T, 4 * T, 4 * T);
		send(connect(), new Start());
		launched = this.launcher.launched.size();
		process().exit(1);
		assertThat(waitForLaunch(launched)).isZero();
		connect();
		launched = this.launcher.launched.size();
		process().exit(1);
		assertThat(waitForLaunch(launched)).as("an instance that reached start() ends the series").isEqualTo(T);
		assertThat(this.supervisor.recoveries()).extracting(Recovery::reason)
			.containsExactly(Recovery.Reason.EXITED, Recovery.Reason.START_FAILED, Recovery.Reason.START_FAILED,
					Recovery.Reason.START_FAILED, Recovery.Reason.START_FAILED, Recovery.Reason.EXITED,
					Recovery.Reason.START_FAILED);
		assertThat(this.supervisor.recoveries()).extracting((recovery) -> recovery.backoff().toMillis())
			.containsExactly(0L, 1000L, 2000L, 4000L, 4000L, 0L, 1000L);
	}

	@Test
	void firstInstanceThatEndsBeforeStartQuitsEvenWithStartRetries() {
		supervise(T, RecoveryPolicy.RESTART, startRetry(-1, java.util.Set.of()));
		connect();
		process().exit(78);
		assertThat(this.supervisor.exitStatus()).hasValue(78);
		assertThat(this.launcher.launched).hasSize(1);
		assertThat(this.supervisor.recoveries()).isEmpty();
	}

	@Test
	void failedStartsCountTowardTheRestartIntensity() {
		supervise(T, RecoveryPolicy.RESTART, startRetry(2, java.util.Set.of()));
		send(connect(), new Start());
		process().exit(1);
		connect();
		int launched = this.launcher.launched.size();
		process().exit(1);
		waitForLaunch(launched);
		connect();
		process().exit(1);
		assertThat(this.supervisor.exitStatus()).hasValue(1);
		assertThat(this.launcher.launched).hasSize(3);
		assertThat(this.supervisor.recoveries()).last().satisfies((recovery) -> {
			assertThat(recovery.reason()).isEqualTo(Recovery.Reason.START_FAILED);
			assertThat(recovery.action()).isEqualTo(Recovery.Action.QUIT);
			assertThat(recovery.detail()).contains("more than 2 restarts");
		});
	}

	@Test
	void failedStartWithAQuitExitStatusQuits() {
		supervise(T, RecoveryPolicy.RESTART, startRetry(-1, java.util.Set.of(78)));
		send(connect(), new Start());
		process().exit(1);
		connect();
		process().exit(78);
		assertThat(this.supervisor.exitStatus()).hasValue(78);
		assertThat(this.supervisor.recoveries()).last().extracting(Recovery::action).isEqualTo(Recovery.Action.QUIT);
	}

	@Test
	void recoveredInstanceThatStoppedCleanlyQuitsEvenWithStartRetries() {
		supervise(T, RecoveryPolicy.RESTART, startRetry(-1, java.util.Set.of()));
		send(connect(), new Start());
		process().exit(1);
		FakePeer peer = connect();
		send(peer, new Start());
		send(peer, new Stop());
		process().exit(0);
		assertThat(this.supervisor.exitStatus()).hasValue(0);
		assertThat(this.launcher.launched).hasSize(2);
	}

	@Test
	void stopRequestedDuringTheBackoffQuitsWithTheLastStatus() {
		supervise(T, RecoveryPolicy.RESTART, rules(-1, 0, new Backoff(java.time.Duration.ofSeconds(10),
				java.time.Duration.ofSeconds(10), 1, 0, java.time.Duration.ZERO)));
		send(connect(), new Start());
		process().exit(5);
		elapse(T);
		this.supervisor.onStopRequested(Signals.SIGTERM);
		assertThat(this.supervisor.exitStatus()).hasValue(5);
		assertThat(this.launcher.launched).hasSize(1);
	}

	@Test
	void backoffJitterStaysWithinItsFraction() {
		Backoff backoff = new Backoff(java.time.Duration.ofSeconds(10), java.time.Duration.ofSeconds(10), 1, 0.2,
				java.time.Duration.ZERO);
		assertThat(backoff.delayNanos(0, () -> 0.0)).isEqualTo(TimeUnit.SECONDS.toNanos(8));
		assertThat(backoff.delayNanos(0, () -> 1.0)).isEqualTo(TimeUnit.SECONDS.toNanos(12));
		assertThat(backoff.delayNanos(5, () -> 0.5)).isEqualTo(TimeUnit.SECONDS.toNanos(10));
		assertThat(Backoff.NONE.delayNanos(3, () -> 1.0)).isZero();
		assertThatExceptionOfType(SamException.class)
			.isThrownBy(() -> new Backoff(java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(1), 0.5, 0,
					java.time.Duration.ZERO))
			.satisfies((ex) -> assertThat(ex.error()).isEqualTo(CsError.INVALID_PARAM));
	}

	@Test
	void startupTimeoutWarnsAnInstanceThatNeverStartsThenKillsItAfterT() {
		supervise(T, RecoveryPolicy.RESTART, startupTimeout(5 * T));
		connect();
		elapse(5 * T - 1);
		assertThat(process().signals).isEmpty();
		elapse(1);
		assertThat(process().signals).containsExactly(Signals.SIGTERM);
		elapse(T);
		assertThat(process().signals).containsExactly(Signals.SIGTERM, Signals.SIGKILL);
		process().exit(137);
		assertThat(reasons()).containsExactly("startup-timeout");
		assertThat(this.launcher.launched).hasSize(2);
	}

	@Test
	void startupTimeoutWithIntervalZeroKillsOneTimeoutAfterTheWarning() {
		supervise(0, RecoveryPolicy.QUIT, startupTimeout(3 * T));
		elapse(3 * T);
		assertThat(process().signals).containsExactly(Signals.SIGTERM);
		elapse(3 * T);
		assertThat(process().signals).containsExactly(Signals.SIGTERM, Signals.SIGKILL);
		process().exit(137);
		assertThat(this.supervisor.exitStatus()).hasValue(137);
	}

	@Test
	void startCalledInTimeEndsTheStartupLimit() {
		supervise(0, RecoveryPolicy.RESTART, startupTimeout(3 * T));
		FakePeer peer = connect();
		elapse(2 * T);
		send(peer, new Start());
		elapse(TimeUnit.DAYS.toNanos(1));
		assertThat(process().signals).isEmpty();
	}

	@Test
	void exitStatusesCanForceQuitOrRestartWhateverThePolicy() {
		supervise(T, RecoveryPolicy.RESTART, exitCodes(java.util.Set.of(), java.util.Set.of(78)));
		send(connect(), new Start());
		process().exit(78);
		assertThat(this.supervisor.exitStatus()).hasValue(78);
		assertThat(this.supervisor.recoveries().get(0).detail()).isEqualTo("exit status 78 always quits");

		supervise(T, RecoveryPolicy.QUIT, exitCodes(java.util.Set.of(75), java.util.Set.of()));
		send(connect(), new Start());
		process().exit(75);
		assertThat(this.supervisor.exitStatus()).isEmpty();
		assertThat(this.launcher.launched).hasSize(2);
		send(connect(), new Start());
		process().exit(1);
		assertThat(this.supervisor.exitStatus()).hasValue(1);
	}

	@Test
	void threadDumpIsTakenBeforeTheWarnSignalAndLinkedInTheRecovery() {
		ThreadDumps withoutJcmd = new ThreadDumps(java.nio.file.Path.of("dumps"), T,
				java.nio.file.Path.of("/none/jcmd"));
		supervise(4 * T, RecoveryPolicy.RESTART, RestartRules.LIBSAM.withThreadDumps(withoutJcmd));
		FakePeer peer = connect();
		send(peer, new Start());
		elapse(3 * T - 1);
		assertThat(process().signals).isEmpty();
		elapse(1);
		assertThat(process().signals).as("SIGQUIT: the JVM prints its threads, T/4 before the warning")
			.containsExactly(Signals.SIGQUIT);
		elapse(T);
		assertThat(process().signals).containsExactly(Signals.SIGQUIT, Signals.SIGTERM);
		process().exit(143);
		assertThat(this.supervisor.recoveries().get(0).threadDump()).isEqualTo("stdout of pid 1000");
	}

	@Test
	void jcmdStillRunningWhenItsInstanceEndsIsAbandonedSoonAfter(@TempDir Path directory) throws Exception {
		Path pidFile = directory.resolve("jcmd.pid");
		Path jcmd = Files.writeString(directory.resolve("jcmd"),
				"#!/bin/sh\necho $$ > '" + pidFile + "'\nexec sleep 30\n");
		assertThat(jcmd.toFile().setExecutable(true)).isTrue();
		ThreadDumps slow = new ThreadDumps(directory.resolve("dumps"), TimeUnit.SECONDS.toNanos(60), jcmd);
		supervise(4 * T, RecoveryPolicy.RESTART, RestartRules.LIBSAM.withThreadDumps(slow));
		FakePeer peer = connect();
		send(peer, new Start());
		elapse(3 * T);
		long pid = Long.parseLong(Awaitility.await("jcmd started")
			.atMost(Duration.ofSeconds(10))
			.until(() -> Files.exists(pidFile) ? Files.readString(pidFile).trim() : "", (text) -> !text.isEmpty()));
		ProcessHandle started = ProcessHandle.of(pid).orElseThrow();
		try {
			elapse(T);
			assertThat(process().signals).containsExactly(Signals.SIGTERM);
			process().exit(143);
			assertThat(this.launcher.launched).as("the next instance").hasSize(2);
			elapse(ThreadDumpBook.ENDED_GRACE_NANOS - 1);
			assertThat(started.isAlive()).as("jcmd may still write what it read").isTrue();
			elapse(1);
			assertThat(started.onExit().get(10, TimeUnit.SECONDS).isAlive())
				.as("jcmd ended a grace after its instance, not at its 60 s limit")
				.isFalse();
		}
		finally {
			started.destroyForcibly();
		}
	}

	@Test
	void lostQuorumWarnsAtOnceWithoutAThreadDump() {
		ThreadDumps withoutJcmd = new ThreadDumps(java.nio.file.Path.of("dumps"), T,
				java.nio.file.Path.of("/none/jcmd"));
		supervise(T, RecoveryPolicy.QUORUM_RESTART, RestartRules.LIBSAM.withThreadDumps(withoutJcmd));
		this.supervisor.onQuorum(true);
		FakePeer peer = connect();
		send(peer, new Start());
		elapse(T / 2);
		send(peer, new Heartbeat());
		this.supervisor.onQuorum(false);
		assertThat(process().signals).as("the warn signal at once, no SIGQUIT for a dump before it")
			.containsExactly(Signals.SIGTERM);
		elapse(T);
		assertThat(process().signals).containsExactly(Signals.SIGTERM, Signals.SIGKILL);
		process().exit(128 + Signals.SIGKILL);
		assertThat(reasons()).containsExactly("quorum-lost");
		assertThat(this.supervisor.recoveries().get(0).threadDump()).isNull();
	}

	@Test
	void earlyThreadDumpIsDroppedWhenTheInstanceAnswersAgain() {
		ThreadDumps withoutJcmd = new ThreadDumps(java.nio.file.Path.of("dumps"), T,
				java.nio.file.Path.of("/none/jcmd"));
		supervise(4 * T, RecoveryPolicy.RESTART, RestartRules.LIBSAM.withThreadDumps(withoutJcmd));
		FakePeer peer = connect();
		send(peer, new Start());
		elapse(3 * T);
		send(peer, new Heartbeat());
		elapse(T);
		send(peer, new Stop());
		process().exit(0);
		assertThat(this.supervisor.exitStatus()).hasValue(0);
		assertThat(process().signals).containsExactly(Signals.SIGQUIT);
	}

	private long waitForLaunch(int launchedBefore) {
		long start = this.clock.now;
		while (this.launcher.launched.size() == launchedBefore) {
			long deadline = this.supervisor.nextDeadline();
			assertThat(deadline).as("a launch is scheduled").isNotEqualTo(Long.MAX_VALUE);
			this.clock.now = deadline;
			this.supervisor.onTimer();
		}
		return this.clock.now - start;
	}

	private static RestartRules rules(int maxRestarts, long windowNanos, Backoff backoff) {
		return new RestartRules(maxRestarts, windowNanos, backoff, null, java.util.Set.of(), java.util.Set.of(), 0,
				null, null, () -> 0.5);
	}

	private static RestartRules startRetry(int maxRestarts, java.util.Set<Integer> quit) {
		Backoff retry = new Backoff(java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(4), 2, 0,
				java.time.Duration.ZERO);
		return new RestartRules(maxRestarts, TimeUnit.HOURS.toNanos(1), Backoff.NONE, retry, java.util.Set.of(), quit,
				0, null, null, () -> 0.5);
	}

	private static RestartRules startupTimeout(long nanos) {
		return new RestartRules(-1, 0, Backoff.NONE, null, java.util.Set.of(), java.util.Set.of(), nanos, null, null,
				() -> 0.5);
	}

	private static RestartRules exitCodes(java.util.Set<Integer> restart, java.util.Set<Integer> quit) {
		return new RestartRules(-1, 0, Backoff.NONE, null, restart, quit, 0, null, null, () -> 0.5);
	}

	private void supervise(long intervalNanos, RecoveryPolicy policy, RestartRules rules) {
		SupervisorSettings settings = new SupervisorSettings(intervalNanos, policy, Signals.SIGTERM, null,
				DATA_MAX_SIZE, SHUTDOWN_TIMEOUT, TOKEN.clone(), SUPERVISOR_PID);
		this.launcher.launched.clear();
		this.launcher.environments.clear();
		this.supervisor = new Supervisor(settings, rules, this.clock, this.launcher,
				policy.cmap() ? this.publisher : null);
		this.supervisor.launchFirst();
	}

	private void supervise(long intervalNanos, RecoveryPolicy policy) {
		supervise(intervalNanos, policy, true);
	}

	/**
	 * Start a supervisor the way {@code Sam.supervise()} does: quorum first, then the
	 * first instance.
	 */
	private void supervise(long intervalNanos, RecoveryPolicy policy, boolean quorate) {
		SupervisorSettings settings = new SupervisorSettings(intervalNanos, policy, Signals.SIGTERM, null,
				DATA_MAX_SIZE, SHUTDOWN_TIMEOUT, TOKEN.clone(), SUPERVISOR_PID);
		this.launcher.launched.clear();
		this.launcher.environments.clear();
		this.supervisor = new Supervisor(settings, this.clock, this.launcher, policy.cmap() ? this.publisher : null);
		if (policy.quorum()) {
			this.supervisor.onQuorum(quorate);
		}
		this.supervisor.launchFirst();
	}

	/** Connect the current instance with the right token and pid. */
	private FakePeer connect() {
		FakePeer peer = new FakePeer();
		assertThat(this.supervisor.onHello(new Hello(TOKEN.clone(), process().pid), peer)).isTrue();
		assertThat(peer.sent.get(0)).isInstanceOf(Welcome.class);
		assertThat(peer.sent.subList(1, peer.sent.size())).as("after the welcome, only the quorum state")
			.allMatch(Message.QuorumState.class::isInstance);
		return peer;
	}

	private void send(FakePeer peer, Message message) {
		this.supervisor.onMessage(peer, message);
	}

	/**
	 * Let time pass as {@link SupervisorLoop} does: wake the supervisor at each deadline
	 * it asks for up to the end, and once at the end.
	 */
	private void elapse(long nanos) {
		long end = this.clock.now + nanos;
		long deadline;
		while ((deadline = this.supervisor.nextDeadline()) != Long.MAX_VALUE && deadline - end <= 0) {
			if (deadline - this.clock.now > 0) {
				this.clock.now = deadline;
			}
			this.supervisor.onTimer();
			if (this.supervisor.nextDeadline() == deadline) {
				fail("the supervisor did not act on its deadline " + deadline);
			}
		}
		this.clock.now = end;
		this.supervisor.onTimer();
	}

	private FakeProcess process() {
		return (FakeProcess) this.supervisor.process();
	}

	private List<String> reasons() {
		return this.supervisor.recoveries().stream().map((recovery) -> recovery.reason().value()).toList();
	}

	private static byte[] token(byte seed) {
		byte[] token = new byte[Codec.TOKEN_BYTES];
		for (int i = 0; i < token.length; i++) {
			token[i] = (byte) (seed * 31 + i);
		}
		return token;
	}

	private static final class FakeClock implements Clock {

		private long now;

		FakeClock(long now) {
			this.now = now;
		}

		@Override
		public long nanoTime() {
			return this.now;
		}

	}

	/**
	 * Launches {@link FakeProcess}es and tells the supervisor of their end, as the loop's
	 * watcher does.
	 */
	private final class FakeLauncher implements ProcessLauncher {

		private final List<FakeProcess> launched = new ArrayList<>();

		private final List<Map<String, String>> environments = new ArrayList<>();

		private int failFrom = Integer.MAX_VALUE;

		private boolean relaunchPlain;

		@Override
		public boolean relaunchPlain(ActiveProcess process, int status) {
			boolean relaunch = this.relaunchPlain;
			this.relaunchPlain = false;
			return relaunch;
		}

		@Override
		public ActiveProcess launch(Map<String, String> environment) throws IOException {
			if (this.launched.size() + 1 >= this.failFrom) {
				throw new IOException("Cannot run program \"java\": error=2, No such file or directory");
			}
			FakeProcess process = new FakeProcess(1000 + this.launched.size());
			this.launched.add(process);
			this.environments.add(Map.copyOf(environment));
			process.onExit().thenAccept((status) -> {
				if (SupervisorTests.this.supervisor.process() == process) {
					SupervisorTests.this.supervisor.onExit(status);
				}
			});
			return process;
		}

	}

	private static final class FakeProcess implements ActiveProcess {

		private final long pid;

		private final List<Integer> signals = new ArrayList<>();

		private final List<Integer> prepared = new ArrayList<>();

		private final CompletableFuture<Integer> exit = new CompletableFuture<>();

		FakeProcess(long pid) {
			this.pid = pid;
		}

		@Override
		public long pid() {
			return this.pid;
		}

		@Override
		public void signal(int signal) {
			this.signals.add(signal);
		}

		@Override
		public void prepare(int signal) {
			this.prepared.add(signal);
		}

		@Override
		public CompletableFuture<Integer> onExit() {
			return this.exit;
		}

		void exit(int status) {
			this.exit.complete(status);
		}

		@Override
		public String toString() {
			return "pid " + this.pid;
		}

	}

	private static final class FakePeer implements Peer {

		private final List<Message> sent = new ArrayList<>();

		private boolean closed;

		@Override
		public void send(Message message) {
			this.sent.add(message);
		}

		@Override
		public void close() {
			this.closed = true;
		}

		Welcome welcome() {
			return (Welcome) this.sent.get(0);
		}

		List<CsError> replies() {
			return this.sent.stream().filter(Reply.class::isInstance).map((m) -> ((Reply) m).error()).toList();
		}

	}

	private static final class RecordingPublisher implements StatePublisher {

		private final List<String> events = new ArrayList<>();

		@Override
		public void register(RecoveryPolicy policy, long pollPeriodMillis) {
			this.events.add("register " + (policy.restart() ? "restart" : "quit") + " " + pollPeriodMillis);
		}

		@Override
		public void state(String state) {
			this.events.add("state " + state);
		}

		@Override
		public void lastUpdated() {
			this.events.add("last_updated");
		}

		@Override
		public void remove() {
			this.events.add("remove");
		}

	}

}
