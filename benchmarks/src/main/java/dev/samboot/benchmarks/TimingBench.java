package dev.samboot.benchmarks;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How precisely the supervisor keeps time: for each interval T, a {@link Probe}
 * supervisor whose instances each send one heartbeat and fall silent. The instance stamps
 * when {@code hcSend()} returned and when its warn-signal handler began, on the
 * machine-wide monotonic clock; the harness notes when the instance's socket closed, that
 * is, when it died of SIGKILL. The errors are |warn − T| and |death − 2T| after the
 * heartbeat. The death moment includes the kernel's tear-down of the killed JVM up to the
 * closing of its sockets, so it is an upper bound of when SIGKILL was sent.
 */
final class TimingBench {

	private final Context context;

	private final Jdk jdk;

	TimingBench(Context context, Jdk jdk) {
		this.context = context;
		this.jdk = jdk;
	}

	private static final class Open {

		long hb = -1;

		long warned = -1;

		double lagMillis;

		int warnings;

		boolean failed;

	}

	/**
	 * Measure trials at one interval.
	 * @param intervalMillis T
	 * @param count how many trials
	 * @return the trials measured
	 */
	List<Results.Trial> measure(int intervalMillis, int count) throws IOException, InterruptedException {
		ProbeServer probes = this.context.probes();
		probes.clear();
		Process supervisor = this.context.processes()
			.start(this.context.program(this.jdk, Probe.class, "timing", probes.socket().toString(),
					Integer.toString(intervalMillis)), this.context.log("timing-" + intervalMillis + "ms"));
		List<Results.Trial> trials = new ArrayList<>();
		Map<Integer, Open> open = new HashMap<>();
		int unwarned = 0;
		int failures = 0;
		List<Double> lags = new ArrayList<>();
		long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos()
				+ count * Duration.ofMillis(2L * intervalMillis + 10_000).toNanos();
		try {
			while (trials.size() < count && System.nanoTime() - deadline < 0) {
				ProbeServer.Event event = probes.next(Duration.ofSeconds(1));
				if (event == null) {
					if (!supervisor.isAlive()) {
						throw new IllegalStateException(
								"The timing supervisor exited with status " + supervisor.exitValue() + "; see "
										+ this.context.log("timing-" + intervalMillis + "ms"));
					}
					continue;
				}
				Open trial = open.computeIfAbsent(event.connection(), (key) -> new Open());
				if (event.is("ready")) {
					this.context.processes().track(Long.parseLong(event.word(2)));
				}
				else if (event.is("hb")) {
					trial.hb = Long.parseLong(event.word(1));
					trial.lagMillis = Math.max(trial.lagMillis, (event.nanos() - trial.hb) / 1e6);
				}
				else if (event.is("warned")) {
					trial.warnings++;
					if (trial.warned < 0) {
						trial.warned = Long.parseLong(event.word(1));
						trial.lagMillis = Math.max(trial.lagMillis, (event.nanos() - trial.warned) / 1e6);
					}
				}
				else if (event.is("not")) {
					trial.failed = true;
				}
				else if (event.is("eof")) {
					open.remove(event.connection());
					if (trial.hb >= 0 && trial.warned < 0 && !trial.failed) {
						unwarned++;
						trial.warned = event.nanos();
						trial.warnings = 1;
					}
					if (trial.hb < 0 || trial.warnings != 1 || trial.failed) {
						failures++;
						continue;
					}
					trials.add(new Results.Trial(intervalMillis, (trial.warned - trial.hb) / 1e6,
							(event.nanos() - trial.hb) / 1e6));
					lags.add(trial.lagMillis);
				}
			}
		}
		finally {
			this.context.processes().kill(supervisor.toHandle());
		}
		this.context.results()
			.note("T=%d ms: reports reached the harness %.2f ms (median), %.2f ms (max) after the "
					+ "instance stamped them", intervalMillis, Stats.median(lags), Stats.max(lags));
		if (unwarned > 0) {
			this.context.results()
				.note("T=%d ms: in %d trials the instance died before its warn-signal handler had "
						+ "reported; counted as if the signal had arrived at the death (the supervisor's log %s shows when "
						+ "it sent it)", intervalMillis, unwarned,
						this.context.log("timing-" + intervalMillis + "ms").getFileName());
		}
		if (failures > 0) {
			this.context.results()
				.note("T=%d ms: %d trials left out: no heartbeat report, more than one warn signal, or " + "not killed",
						intervalMillis, failures);
		}
		if (trials.size() < count) {
			this.context.results()
				.note("T=%d ms: only %d of %d trials finished in time", intervalMillis, trials.size(), count);
		}
		return trials;
	}

	/**
	 * Measure every interval, then the figures at T = 500 ms.
	 * @param counts trials per interval
	 */
	void run(Map<Integer, Integer> counts) throws IOException, InterruptedException {
		Results results = this.context.results();
		for (Map.Entry<Integer, Integer> entry : counts.entrySet()) {
			int interval = entry.getKey();
			long started = System.nanoTime();
			List<Results.Trial> trials = measure(interval, entry.getValue());
			results.trials.addAll(trials);
			List<Double> warnErrors = trials.stream().map((t) -> Math.abs(t.warnMillis() - interval)).toList();
			List<Double> killErrors = trials.stream().map((t) -> Math.abs(t.killMillis() - 2.0 * interval)).toList();
			results.note(
					"T=%d ms, %d trials in %.0f s: warn after %.1f ms median (error p50 %.2f, p99 %.2f, max %.2f ms); "
							+ "death after %.1f ms median (error p50 %.2f, p99 %.2f, max %.2f ms)",
					interval, trials.size(), (System.nanoTime() - started) / 1e9,
					Stats.median(trials.stream().map(Results.Trial::warnMillis).toList()), Stats.median(warnErrors),
					Stats.percentile(warnErrors, 99), Stats.max(warnErrors),
					Stats.median(trials.stream().map(Results.Trial::killMillis).toList()), Stats.median(killErrors),
					Stats.percentile(killErrors, 99), Stats.max(killErrors));
			if (interval == 500) {
				results.put(this.jdk, "warn_error_p99_ms", Stats.percentile(warnErrors, 99), "ms", 1);
				results.put(this.jdk, "kill_error_p99_ms", Stats.percentile(killErrors, 99), "ms", 1);
			}
		}
	}

}
