package dev.samboot.benchmarks;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What supervision costs while nothing fails: the sample application supervised at T = 1
 * s with its default health (all indicators), and the CPU time, read from {@code /proc},
 * of the whole supervisor process and of samboot's threads in the instance:
 * {@code sam-health-check} (the heartbeat every T/4 and the callback once per T),
 * {@code sam-health-indicators} (where Actuator's health is computed, so that a hung
 * indicator cannot hold up the verdict) and {@code sam-channel} (the channel's reader). A
 * bare sleeping JVM is measured over the same window, as the yardstick of what any idle
 * JVM costs.
 */
final class CpuBench {

	/**
	 * Thread names as {@code /proc/<pid>/task/<tid>/comm} has them: cut to 15 characters.
	 */
	static final List<String> THREADS = List.of("sam-health-chec", "sam-health-indi", "sam-channel");

	private final Context context;

	private final Jdk jdk;

	CpuBench(Context context, Jdk jdk) {
		this.context = context;
		this.jdk = jdk;
	}

	void run(Duration settle, Duration window) throws IOException, InterruptedException {
		int port = Http.freePort();
		Process supervisor = this.context.processes()
			.start(this.context.sampleApp(this.jdk, port, "--sam.interval=1s"), this.context.log("cpu"));
		long supervisorPid = supervisor.pid();
		Process sleeper = null;
		try {
			sleeper = this.context.processes()
				.start(this.context.program(this.jdk, Sleeper.class, Long.toString(window.toSeconds() + 300)),
						this.context.log("cpu-bare"));
			if (Http.awaitHealthy(port, Duration.ofSeconds(180), supervisor::isAlive) < 0) {
				throw new IllegalStateException(
						"The supervised sample application did not become ready; see " + this.context.log("cpu"));
			}
			long instance = Http.instancePid(port).orElseThrow();
			this.context.processes().track(instance);
			Thread.sleep(settle.toMillis());
			Map<String, Long> tids = new LinkedHashMap<>();
			Map<String, Long> threads = ProcFs.threads(instance);
			for (String name : THREADS) {
				if (threads.containsKey(name)) {
					tids.put(name, threads.get(name));
				}
				else {
					this.context.results().note("cpu: no thread %s in the instance", name);
				}
			}
			long start = System.nanoTime();
			long supervisorBefore = ProcFs.cpuTicks(supervisorPid);
			long sleeperBefore = ProcFs.cpuTicks(sleeper.pid());
			Map<String, Long> before = ticks(instance, tids);
			Thread.sleep(window.toMillis());
			long supervisorAfter = ProcFs.cpuTicks(supervisorPid);
			long sleeperAfter = ProcFs.cpuTicks(sleeper.pid());
			Map<String, Long> after = ticks(instance, tids);
			double seconds = (System.nanoTime() - start) / 1e9;
			long instanceTicks = 0;
			StringBuilder detail = new StringBuilder();
			for (String name : tids.keySet()) {
				long used = after.get(name) - before.get(name);
				instanceTicks += used;
				detail.append(String.format(java.util.Locale.ROOT, ", %s %.3f%%", name, percent(used, seconds)));
			}
			long supervisorTicks = supervisorAfter - supervisorBefore;
			double total = percent(supervisorTicks + instanceTicks, seconds);
			this.context.results()
				.note("cpu: T=1 s, %.0f s after %.0f s of settling: %.3f%% of one core = supervisor %.3f%%%s; "
						+ "supervisor RSS at the end %.1f MB; a bare sleeping JVM over the same window %.3f%%", seconds,
						settle.toSeconds() * 1.0, total, percent(supervisorTicks, seconds), detail,
						ProcFs.rssKb(supervisorPid) / 1024.0, percent(sleeperAfter - sleeperBefore, seconds));
			this.context.results().put(this.jdk, "supervision_cpu_pct", total, "%", 3);
		}
		finally {
			if (sleeper != null) {
				this.context.processes().kill(sleeper.toHandle());
			}
			this.context.processes().kill(supervisor.toHandle());
			this.context.processes().killAll();
		}
	}

	private static Map<String, Long> ticks(long pid, Map<String, Long> tids) {
		Map<String, Long> ticks = new LinkedHashMap<>();
		tids.forEach((name, tid) -> ticks.put(name, ProcFs.threadTicks(pid, tid)));
		return ticks;
	}

	private static double percent(long ticks, double seconds) {
		return ticks * 100.0 / ProcFs.TICKS_PER_SECOND / seconds;
	}

}
