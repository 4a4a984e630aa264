package dev.samboot.sample;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import dev.samboot.sample.SampleAppProcess.Instance;
import dev.samboot.sample.SampleAppProcess.Launch;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import static dev.samboot.sample.SampleAppProcess.START_UP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Random faults against one running sample jar: SIGKILL of the active process, a crash, a
 * hanging health check, health DOWN. After each, the next instance serves, the counter
 * acknowledged before the fault is intact, the supervisor has exactly one child and no
 * zombie, and its open file descriptors and threads are back to what they were with
 * instance 1.
 *
 * <p>
 * 8 rounds by default; {@code -Dsam.chaos.rounds=200} for the long run,
 * {@code -Dsam.chaos.seed=N} to replay a run (the seed is printed).
 */
@ExtendWith(PrintOutputOnFailure.class)
class ChaosIT {

	private static final Duration T = Duration.ofSeconds(1);

	/**
	 * The supervisor acts within 3T of a fault: the next health check within T, the warn
	 * signal after T of silence, SIGKILL after another T if the shutdown it started is
	 * still running.
	 */
	private static final Duration RECOVERY = T.multipliedBy(3).plusMillis(500);

	/**
	 * How long the supervisor's threads and descriptors may take to settle after a
	 * recovery.
	 */
	private static final Duration SETTLE = Duration.ofSeconds(15);

	/**
	 * How long the supervisor's resources must stay the same to count as its baseline.
	 */
	private static final Duration STEADY = Duration.ofSeconds(2);

	private static final int DEFAULT_ROUNDS = 8;

	@Test
	@Timeout(value = 12, unit = TimeUnit.MINUTES)
	@DisabledIfSystemProperty(named = "sam.chaos.rounds", matches = ".*")
	void randomFaultsAreRecoveredWithoutLosingDataOrLeaking() throws Exception {
		chaos(DEFAULT_ROUNDS);
	}

	@Test
	@Timeout(value = 150, unit = TimeUnit.MINUTES)
	@EnabledIfSystemProperty(named = "sam.chaos.rounds", matches = "\\d+")
	void longRunOfRandomFaults() throws Exception {
		chaos(Integer.getInteger("sam.chaos.rounds"));
	}

	private void chaos(int rounds) throws Exception {
		long seed = Long.getLong("sam.chaos.seed", new SecureRandom().nextLong());
		Random random = new Random(seed);
		System.out.printf("chaos: %d rounds, seed %d (replay with -Dsam.chaos.seed=%d)%n", rounds, seed, seed);
		try (SampleAppProcess app = SampleAppProcess.start("chaos", "--sam.interval=" + T.toMillis() + "ms",
				"--sam.health.timeout=500ms")) {
			long began = System.nanoTime();
			Instance current = app.awaitInstance(1, START_UP);
			Resources baseline = awaitSteady(app);
			System.out.printf("chaos: instance 1 serves; supervisor %d has %d open fds and %d threads %s%n",
					app.supervisorPid(), baseline.fds(), baseline.threads(), app.threadNames());
			Summary summary = new Summary(baseline);
			long acknowledged = 0;
			for (int round = 1; round <= rounds; round++) {
				Fault fault = Fault.values()[random.nextInt(Fault.values().length)];
				int crashStatus = 1 + random.nextInt(120);
				long value = Long.parseLong(app.post("/demo/counter").trim());
				assertThat(value).as("counter after POST, round %d", round).isEqualTo(acknowledged + 1);
				acknowledged = value;
				Instant faultAt = Instant.now();
				fault.inject(app, current, crashStatus);
				Launch launch = app.awaitLaunch(current.id() + 1, RECOVERY.plus(Duration.ofSeconds(5)));
				Instance next = app.awaitInstance(current.id() + 1, START_UP);
				Instant servingAt = Instant.now();
				Resources seen = Resources.of(app);
				int exitStatus = checkRecovery(app, fault, crashStatus, current, next);
				assertThat(Duration.between(faultAt, launch.time())).as("fault to launch, round %d (%s)", round, fault)
					.isLessThanOrEqualTo(fault.detected() ? RECOVERY : Duration.ofSeconds(2));
				assertThat(app.getBody("/demo/counter").trim()).as("counter, round %d", round)
					.isEqualTo(Long.toString(acknowledged));
				Resources settled = awaitBaseline(app, baseline, round);
				Round result = new Round(round, fault, current, next, Duration.between(faultAt, launch.time()),
						Duration.between(launch.time(), servingAt), exitStatus, acknowledged, seen, settled);
				System.out.println(result.describe(rounds));
				summary.add(result);
				current = next;
			}
			assertThat(app.launch(rounds + 2)).isEmpty();
			System.out.println(summary.describe(rounds, seed, Duration.ofNanos(System.nanoTime() - began)));
		}
	}

	/**
	 * Check what the new instance reports about the recovery; returns the old instance's
	 * exit status.
	 */
	private static int checkRecovery(SampleAppProcess app, Fault fault, int crashStatus, Instance ended,
			Instance next) {
		assertThat(next.supervisorPid()).isEqualTo(app.supervisorPid());
		assertThat(next.pid()).isNotIn(ended.pid(), app.supervisorPid());
		assertThat(next.restarts()).isEqualTo(next.id() - 1);
		JsonNode recovery = next.lastRecovery();
		assertThat(recovery.path("instance").asInt()).isEqualTo(ended.id());
		assertThat(recovery.path("pid").asLong()).isEqualTo(ended.pid());
		assertThat(recovery.path("action").asString()).isEqualTo("restart");
		assertThat(recovery.path("reason").asString()).as("reason after %s", fault).isEqualTo(fault.reason());
		int exitStatus = recovery.path("exitStatus").asInt();
		switch (fault) {
			case SIGKILL -> assertThat(exitStatus).isEqualTo(137);
			case CRASH -> assertThat(exitStatus).isEqualTo(crashStatus);
			case HANG, UNHEALTHY ->
				assertThat(exitStatus).as("SIGTERM, or SIGKILL T after a slow shutdown").isIn(143, 137);
		}
		Map<Long, Character> children = app.children();
		assertThat(children).as("children of the supervisor (pid to state)").containsOnlyKeys(next.pid());
		assertThat(children.values()).as("states of the supervisor's children").doesNotContain('Z');
		return exitStatus;
	}

	/**
	 * The baseline: the supervisor's resources once they have not changed for
	 * {@link #STEADY} (a thread that completes the previous launch may still be ending
	 * when instance 1 serves).
	 */
	private static Resources awaitSteady(SampleAppProcess app) {
		Resources[] last = { Resources.of(app) };
		long[] since = { System.nanoTime() };
		return await("steady supervisor resources").atMost(SETTLE).pollInterval(Duration.ofMillis(100)).until(() -> {
			Resources now = Resources.of(app);
			if (!now.matches(last[0])) {
				last[0] = now;
				since[0] = System.nanoTime();
			}
			return now;
		}, (now) -> System.nanoTime() - since[0] >= STEADY.toNanos());
	}

	private static Resources awaitBaseline(SampleAppProcess app, Resources baseline, int round) {
		long start = System.nanoTime();
		try {
			Resources settled = await("supervisor resources back to " + baseline).atMost(SETTLE)
				.pollDelay(Duration.ZERO)
				.pollInterval(Duration.ofMillis(100))
				.until(() -> Resources.of(app), baseline::matches);
			return settled.settledAfter(Duration.ofNanos(System.nanoTime() - start));
		}
		catch (ConditionTimeoutException ex) {
			throw new AssertionError("Round " + round + ": the supervisor has " + Resources.of(app) + " "
					+ app.threadNames() + " after " + SETTLE.toSeconds() + " s, baseline " + baseline);
		}
	}

	/**
	 * The faults, each as the user or the kernel would cause it.
	 */
	enum Fault {

		SIGKILL("killed", false) {
			@Override
			void inject(SampleAppProcess app, Instance instance, int crashStatus) {
				ProcessHandle active = app.launch(instance.id())
					.flatMap(Launch::process)
					.orElseThrow(() -> new AssertionError(
							"instance " + instance.id() + " is not a child of the supervisor"));
				assertThat(active.pid()).isEqualTo(instance.pid());
				active.destroyForcibly();
			}
		},

		CRASH("exited", false) {
			@Override
			void inject(SampleAppProcess app, Instance instance, int crashStatus) {
				app.post("/demo/crash?status=" + crashStatus);
			}
		},

		HANG("unhealthy", true) {
			@Override
			void inject(SampleAppProcess app, Instance instance, int crashStatus) {
				app.post("/demo/hang");
			}
		},

		UNHEALTHY("unhealthy", true) {
			@Override
			void inject(SampleAppProcess app, Instance instance, int crashStatus) {
				app.post("/demo/unhealthy");
			}
		};

		private final String reason;

		private final boolean detected;

		Fault(String reason, boolean detected) {
			this.reason = reason;
			this.detected = detected;
		}

		abstract void inject(SampleAppProcess app, Instance instance, int crashStatus);

		/** The reason {@code /actuator/sam} gives for the recovery. */
		String reason() {
			return this.reason;
		}

		/**
		 * Whether the supervisor finds it by the missing heartbeats, not by the process's
		 * end.
		 */
		boolean detected() {
			return this.detected;
		}

	}

	/**
	 * The supervisor's open file descriptors and threads.
	 *
	 * @param fds entries of {@code /proc/<pid>/fd}
	 * @param threads entries of {@code /proc/<pid>/task}
	 * @param settledAfter how long they took to get back to the baseline
	 */
	record Resources(long fds, long threads, Duration settledAfter) {

		/** "ForkJoinPool.commonPool-worker-N" as the kernel keeps it: 15 characters. */
		private static final String COMMON_POOL_THREAD = "ForkJoinPool.co";

		/**
		 * The supervisor's fds and threads, not counting the idle threads of two JDK
		 * pools, which end on their own 60 s after their last task and so cannot leak.
		 * The process reapers: each child (the instance, jcmd taking a thread dump) needs
		 * one while it runs; a leaked child would still show, as a second active process.
		 * The common fork/join pool's workers: on JDK 25 {@code Process.onExit()}
		 * completes on that pool even where its parallelism is 1 (JDK 17 starts a
		 * short-lived thread instead), and two children ending close together can start
		 * two of them.
		 */
		static Resources of(SampleAppProcess app) {
			Map<String, Long> names = app.threadNames();
			long reapers = names.getOrDefault("process reaper", 0L);
			long poolWorkers = names.getOrDefault(COMMON_POOL_THREAD, 0L);
			// one listing of the threads, so that the counts agree with each other
			long threads = names.values().stream().mapToLong(Long::longValue).sum();
			return new Resources(app.openFileDescriptors(), threads - Math.max(0, reapers - 1) - poolWorkers,
					Duration.ZERO);
		}

		boolean matches(Resources other) {
			return this.fds == other.fds && this.threads == other.threads;
		}

		Resources settledAfter(Duration duration) {
			return new Resources(this.fds, this.threads, duration);
		}

		@Override
		public String toString() {
			return this.fds + " fds, " + this.threads + " threads";
		}

	}

	record Round(int number, Fault fault, Instance ended, Instance next, Duration faultToLaunch,
			Duration launchToServing, int exitStatus, long counter, Resources seen, Resources settled) {

		String describe(int rounds) {
			return String.format("round %3d/%d %-9s instance %3d -> %3d  pid %7d -> %7d  fault->launch %5d ms"
					+ "  launch->serving %5d ms  exit %3d  counter %3d  fds %d (%d)  threads %d (%d) settled in %d ms",
					this.number, rounds, this.fault, this.ended.id(), this.next.id(), this.ended.pid(), this.next.pid(),
					this.faultToLaunch.toMillis(), this.launchToServing.toMillis(), this.exitStatus, this.counter,
					this.seen.fds(), this.settled.fds(), this.seen.threads(), this.settled.threads(),
					this.settled.settledAfter().toMillis());
		}

	}

	static final class Summary {

		private final Resources baseline;

		private final List<Round> rounds = new ArrayList<>();

		Summary(Resources baseline) {
			this.baseline = baseline;
		}

		void add(Round round) {
			this.rounds.add(round);
		}

		String describe(int total, long seed, Duration took) {
			Map<Fault, Integer> faults = new EnumMap<>(Fault.class);
			this.rounds.forEach((round) -> faults.merge(round.fault(), 1, Integer::sum));
			long killedAfterWarn = this.rounds.stream()
				.filter((round) -> round.fault().detected() && round.exitStatus() == 137)
				.count();
			return String.format("chaos summary: %d/%d rounds passed in %d s, seed %d; faults %s; fault->launch ms"
					+ " kill/crash %s, hang/unhealthy %s; launch->serving ms %s; hang/unhealthy ended by SIGKILL"
					+ " after the warn: %d; supervisor fds baseline %d, max seen %d; threads baseline %d, max seen"
					+ " %d; longest settling %d ms", this.rounds.size(), total, took.toSeconds(), seed, faults,
					stats(this.rounds.stream()
						.filter((round) -> !round.fault().detected())
						.mapToLong((round) -> round.faultToLaunch().toMillis())
						.summaryStatistics()),
					stats(this.rounds.stream()
						.filter((round) -> round.fault().detected())
						.mapToLong((round) -> round.faultToLaunch().toMillis())
						.summaryStatistics()),
					stats(this.rounds.stream()
						.mapToLong((round) -> round.launchToServing().toMillis())
						.summaryStatistics()),
					killedAfterWarn, this.baseline.fds(),
					this.rounds.stream().mapToLong((round) -> round.seen().fds()).max().orElse(0),
					this.baseline.threads(),
					this.rounds.stream().mapToLong((round) -> round.seen().threads()).max().orElse(0),
					this.rounds.stream()
						.mapToLong((round) -> round.settled().settledAfter().toMillis())
						.max()
						.orElse(0));
		}

		private static String stats(LongSummaryStatistics statistics) {
			if (statistics.getCount() == 0) {
				return "-";
			}
			return String.format("min %d mean %.0f max %d", statistics.getMin(), statistics.getAverage(),
					statistics.getMax());
		}

	}

}
