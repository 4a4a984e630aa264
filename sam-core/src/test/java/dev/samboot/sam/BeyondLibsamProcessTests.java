package dev.samboot.sam;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.samboot.sam.internal.channel.ChannelDirectory;
import dev.samboot.sam.internal.process.AdoptedProcess;
import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What samboot adds to libsam, with real processes: a crash loop held by the restart
 * intensity with growing waits, the start-up timeout, exit statuses that restart or quit,
 * a thread dump of a silent instance written by jcmd, and systemd's notify protocol over
 * a real datagram socket.
 */
@Timeout(90)
class BeyondLibsamProcessTests {

	private static final Duration START = Duration.ofSeconds(30);

	@Test
	void leanSupervisorKeepsItsPidAndLoadsOnlyTheCore() throws Exception {
		try (SupervisedRun run = SupervisedRun.testSam("lean", "2000")) {
			assertThat(run.awaitExit(START)).as(run.output()).isZero();
			String supervisor = run.awaitLine((l) -> l.startsWith("supervisor command "), START);
			assertThat(supervisor).contains("-Xint", "dev.samboot.sam.internal.lean.LeanSupervisor")
				.doesNotContain("TestSam")
				.doesNotContain("test-classes");
			assertThat(run.output()).contains("recovered exited 5", "instance 2 pid")
				.contains("[supervisor] d.s.sam.internal.supervisor.Supervisor");
		}
	}

	@Test
	void totalsOnlyGrowPastTheRecoveriesKeptAndRequestedRestartsAreRecoveries() throws Exception {
		int last = 34;
		try (SupervisedRun run = SupervisedRun.testSam("totals", "2000", Integer.toString(last))) {
			assertThat(run.awaitExit(Duration.ofSeconds(80))).as(run.output()).isZero();
			List<long[]> rows = run.output()
				.lines()
				.filter((line) -> line.startsWith("totals instance "))
				.map((line) -> java.util.Arrays.stream(line.split(" "))
					.filter((word) -> word.chars().allMatch(Character::isDigit))
					.mapToLong(Long::parseLong)
					.toArray())
				.toList();
			assertThat(rows).as(run.output()).hasSize(last);
			for (int i = 1; i < rows.size(); i++) {
				long[] before = rows.get(i - 1);
				long[] now = rows.get(i);
				for (int column = 0; column < now.length - 1; column++) {
					assertThat(now[column]).as("column %d of instance %d", column, now[0])
						.isGreaterThanOrEqualTo(before[column]);
				}
			}
			// instance, restarts, recoveries, exited, requested, backoff, kept
			long[] end = rows.get(rows.size() - 1);
			assertThat(end[0]).isEqualTo(last);
			assertThat(end[1]).isEqualTo(last - 1);
			assertThat(end[2]).isEqualTo(last - 1);
			assertThat(end[4]).as("every third instance asked for its restart").isEqualTo((last - 1) / 3);
			assertThat(end[3]).isEqualTo(last - 1 - (last - 1) / 3);
			assertThat(end[5]).as("backoff after the exits only").isPositive();
			assertThat(end[6]).as("recoveries kept").isEqualTo(32);
			assertThat(run.output()).contains("asked for a restart: sending SIGTERM");
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "early", "early-lean" })
	void instanceLaunchedEarlyWaitsForTheSupervisorAndIsSupervisedAsInstanceOne(String scenario) throws Exception {
		try (SupervisedRun run = SupervisedRun.testSam(scenario, "2000")) {
			assertThat(run.awaitExit(START)).as(run.output()).isZero();
			String early = run.awaitLine((l) -> l.startsWith("early pid "), START).substring("early pid ".length());
			assertThat(run.output()).as("the early instance is instance 1")
				.contains("instance 1 pid " + early + " ")
				.contains("recovered exited 5", "instance 2 pid");
			if (scenario.contains("lean")) {
				assertThat(run.awaitLine((l) -> l.startsWith("supervisor command "), START))
					.contains("dev.samboot.sam.internal.lean.LeanSupervisor", AdoptedProcess.ADD_OPENS);
			}
		}
	}

	@Test
	void leanSupervisorReapsTheInstanceLaunchedEarlyAndExitsWithItsStatus() throws Exception {
		try (SupervisedRun run = SupervisedRun.testSam("quit-early-lean", "2000")) {
			assertThat(run.awaitExit(START)).as(run.output()).isEqualTo(7);
			String early = run.awaitLine((l) -> l.startsWith("early pid "), START).substring("early pid ".length());
			assertThat(run.output()).contains("instance 1 pid " + early + " ")
				.contains("Instance 1 ended (exited, status 7)");
		}
	}

	@Test
	void cancelledEarlyLaunchLeavesNoProcessAndNoDirectory() throws Exception {
		try (SupervisedRun run = SupervisedRun.testSam("early-cancel", "2000")) {
			assertThat(run.awaitExit(START)).as(run.output()).isZero();
			assertThat(run.output()).contains("cancelled alive false directory false").doesNotContain("instance 1 pid");
		}
	}

	@Test
	void instanceLaunchedEarlyEndsWhenItsSupervisorDiesBeforeListening() throws Exception {
		try (SupervisedRun run = SupervisedRun.testSam("early-orphan", "2000")) {
			assertThat(run.awaitExit(START)).as(run.output()).isZero();
			long early = Long
				.parseLong(run.awaitLine((l) -> l.startsWith("early pid "), START).substring("early pid ".length()));
			await().atMost(Duration.ofSeconds(20))
				.until(() -> ProcessHandle.of(early).map((p) -> !p.isAlive()).orElse(true));
			// what the halted supervisor left: its channel directory, which names it,
			// removed by the next supervisor's sweep
			Path directory = Path.of(run.awaitLine((l) -> l.startsWith("early directory "), START)
				.substring("early directory ".length()));
			assertThat(Files.readString(directory.resolve("owner"))).startsWith("pid " + run.pid() + "\n");
			ChannelDirectory.removeAbandoned();
			assertThat(directory).doesNotExist();
		}
	}

	@Test
	void crashLoopIsHeldByTheRestartIntensityAfterGrowingWaits() throws Exception {
		long begin = System.nanoTime();
		try (SupervisedRun run = SupervisedRun.testSam("crash-loop", "2000")) {
			assertThat(run.awaitExit(START)).as(run.output()).isEqualTo(3);
			long elapsedMillis = (System.nanoTime() - begin) / 1_000_000;
			assertThat(run.output()).contains("instance 3 pid")
				.doesNotContain("instance 4 pid")
				.contains("recovery 1 RESTART backoff 200", "recovery 2 RESTART backoff 400")
				.contains("more than 2 restarts within 60000 ms: giving up");
			assertThat(elapsedMillis).as("two waits of 200 and 400 ms").isGreaterThanOrEqualTo(600);
		}
	}

	@Test
	void instanceThatNeverStartsIsWarnedAtTheStartupTimeout() throws Exception {
		try (SupervisedRun run = SupervisedRun.testSam("quit-never-starts", "0", "1500")) {
			run.awaitInstance(1, START);
			assertThat(run.awaitExit(START)).as(run.output()).isEqualTo(143);
			assertThat(run.output()).contains("did not call start() within 1500 ms: sending SIGTERM")
				.contains("(startup-timeout, status 143): quitting");
		}
	}

	@Test
	void exitStatusesRestartOrQuitWhateverThePolicy() throws Exception {
		try (SupervisedRun run = SupervisedRun.testSam("quit-exit-codes", "2000")) {
			assertThat(run.awaitExit(START)).as(run.output()).isEqualTo(78);
			assertThat(run.output()).contains("instance 2 pid", "detail exit status 75 always restarts")
				.contains("exit status 78 always quits")
				.doesNotContain("instance 3 pid");
		}
	}

	@Test
	void silentInstanceGetsItsThreadsDumpedBeforeTheWarnSignal(@TempDir Path dumps) throws Exception {
		try (SupervisedRun run = SupervisedRun.testSam("silent-with-dumps", "4000", dumps.toString())) {
			run.awaitInstance(2, START);
			String line = run.awaitLine((l) -> l.startsWith("thread dump "), START);
			Path dump = Path.of(line.substring("thread dump ".length()));
			assertThat(dump.getParent()).isEqualTo(dumps);
			assertThat(dump.getFileName().toString()).startsWith("instance-1-pid-").endsWith(".txt");
			await().atMost(START)
				.until(() -> Files.exists(dump) && Files.readString(dump).contains("stuck-in-a-test-scenario"));
			assertThat(Files.readString(dump)).contains("Full thread dump");
			assertThat(run.awaitExit(START)).as(run.output()).isZero();
			String output = run.output();
			assertThat(output.indexOf("taking a thread dump")).as("the dump comes before the warn signal")
				.isPositive()
				.isLessThan(output.indexOf("missed its health check: sending SIGTERM"));
		}
	}

	@Test
	void systemdHearsReadyStatusWatchdogAndStoppingOnARealNotifySocket(@TempDir Path directory) throws Exception {
		Path socket = directory.resolve("notify");
		List<String> received = new CopyOnWriteArrayList<>();
		try (UnixDatagramChannel systemd = UnixDatagramChannel.open()) {
			systemd.bind(new UnixSocketAddress(socket.toFile()));
			Thread listener = new Thread(() -> receive(systemd, received), "fake-systemd");
			listener.setDaemon(true);
			listener.start();
			Map<String, String> env = Map.of("NOTIFY_SOCKET", socket.toString(), "WATCHDOG_USEC", "400000");
			try (SupervisedRun run = SupervisedRun.testSamWith(env, "heartbeat-forever", "500")) {
				long instance = run.awaitInstance(1, START);
				await().atMost(START).until(() -> received.stream().anyMatch((m) -> m.startsWith("READY=1")));
				await().atMost(START).until(() -> received.stream().filter("WATCHDOG=1"::equals).count() >= 4);
				assertThat(received).anyMatch((m) -> m.equals("STATUS=instance 1 starting (pid " + instance + ")"))
					.anyMatch((m) -> m.equals("READY=1\nSTATUS=instance 1 running (pid " + instance + ")"));
				assertThat(SupervisedRun.environmentOf(instance)).as("only the main process talks to systemd")
					.doesNotContainKeys("NOTIFY_SOCKET", "WATCHDOG_USEC");
				ProcessHandle.of(run.pid()).orElseThrow().destroy();
				assertThat(run.awaitExit(START)).as(run.output()).isNotEqualTo(0);
				await().atMost(START).until(() -> received.stream().anyMatch((m) -> m.startsWith("STOPPING=1")));
				assertThat(received.stream().filter((m) -> m.startsWith("READY=1")).count()).isOne();
			}
		}
	}

	private static void receive(UnixDatagramChannel channel, List<String> received) {
		ByteBuffer buffer = ByteBuffer.allocate(4096);
		try {
			while (channel.isOpen()) {
				buffer.clear();
				channel.receive(buffer);
				buffer.flip();
				received.add(StandardCharsets.UTF_8.decode(buffer).toString());
			}
		}
		catch (IOException ex) {
			// closed by the test
		}
	}

}
