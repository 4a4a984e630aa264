package dev.samboot.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Start-up, restart and footprint of the sample application on one JDK, timed from
 * outside, in alternating pairs (cold first, then supervised first, and so on):
 * <ul>
 * <li>cold: {@code java -jar sample-app.jar --sam.enabled=false}, from launch to HTTP 200
 * on {@code /actuator/health};</li>
 * <li>first: {@code java -jar sample-app.jar} (the supervisor, which launches instance
 * 1), from launch to HTTP 200;</li>
 * <li>restart: {@code POST /demo/crash?status=3} to that instance, from the moment its
 * pid is gone to HTTP 200 from instance 2;</li>
 * <li>the supervisor's resident memory 2 s after instance 1 answered, and that of a bare
 * JVM that only sleeps, on the same JDK.</li>
 * </ul>
 * Each run ends with SIGKILL to the instance and then the supervisor: shutting down is
 * not measured. After the last pair's restart, {@code jcmd} tells what the supervisor's
 * memory holds.
 */
final class StartupBench {

	private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);

	private static final Duration SETTLE = Duration.ofSeconds(2);

	private final Context context;

	private final Jdk jdk;

	private final List<Double> supervisorRssKb = new ArrayList<>();

	private final List<Double> bareRssKb = new ArrayList<>();

	private final List<Double> supervisorFds = new ArrayList<>();

	private final List<Double> supervisorThreads = new ArrayList<>();

	private int runs;

	StartupBench(Context context, Jdk jdk) {
		this.context = context;
		this.jdk = jdk;
	}

	void run(int pairs, int bareSamples) throws IOException, InterruptedException {
		for (int i = 0; i < pairs; i++) {
			if (i < bareSamples) {
				bare();
			}
			boolean last = i == pairs - 1;
			if (i % 2 == 0) {
				cold();
				supervised(last);
			}
			else {
				supervised(last);
				cold();
			}
			System.err.printf("   %s pair %d/%d done%n", this.jdk.label(), i + 1, pairs);
		}
		figures();
	}

	private void cold() throws IOException {
		int port = Http.freePort();
		long launched = System.nanoTime();
		Process app = this.context.processes()
			.start(this.context.sampleApp(this.jdk, port, "--sam.enabled=false"), log("cold"));
		try {
			long ready = Http.awaitHealthy(port, READY_TIMEOUT, app::isAlive);
			check(ready > 0, "the unsupervised sample application did not become ready");
			this.context.results().start(this.jdk, "cold", (ready - launched) / 1e9);
		}
		finally {
			this.context.processes().kill(app.toHandle());
		}
	}

	private void supervised(boolean describe) throws IOException, InterruptedException {
		int port = Http.freePort();
		long launched = System.nanoTime();
		Process supervisor = this.context.processes().start(this.context.sampleApp(this.jdk, port), log("supervised"));
		try {
			long ready = Http.awaitHealthy(port, READY_TIMEOUT, supervisor::isAlive);
			check(ready > 0, "the supervised sample application did not become ready");
			this.context.results().start(this.jdk, "first", (ready - launched) / 1e9);
			long first = instancePid(port);
			this.context.processes().track(first);
			Thread.sleep(SETTLE.toMillis());
			this.supervisorRssKb.add((double) ProcFs.rssKb(supervisor.pid()));
			this.supervisorFds.add((double) ProcFs.fdCount(supervisor.pid()));
			this.supervisorThreads.add((double) ProcFs.threadCount(supervisor.pid()));
			Http.Response crash = Http.request("POST", port, "/demo/crash?status=3");
			check(crash != null && crash.status() == 202, "POST /demo/crash was not accepted");
			long gone = Processes.awaitEnd(first, Duration.ofSeconds(30));
			check(gone > 0, "instance 1 did not end after POST /demo/crash");
			long back = Http.awaitHealthy(port, READY_TIMEOUT, supervisor::isAlive);
			check(back > 0, "instance 2 did not become ready");
			long second = instancePid(port);
			this.context.processes().track(second);
			check(second != first, "instance 2 has the pid of instance 1");
			this.context.results().start(this.jdk, "restart", (back - gone) / 1e9);
			if (describe) {
				this.context.results()
					.note("%s: the supervisor after one restart: RSS %.1f MB, %s", this.jdk.label(),
							ProcFs.rssKb(supervisor.pid()) / 1024.0, new Jcmd(this.jdk, supervisor.pid()).memory());
			}
		}
		finally {
			this.context.processes().kill(supervisor.toHandle());
			this.context.processes().killAll();
		}
	}

	private void bare() throws IOException, InterruptedException {
		Path log = log("bare");
		long before = Files.exists(log) ? Files.size(log) : 0;
		Process sleeper = this.context.processes().start(this.context.program(this.jdk, Sleeper.class, "120"), log);
		try {
			long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
			while (Files.size(log) <= before && sleeper.isAlive() && System.nanoTime() - deadline < 0) {
				Thread.sleep(10);
			}
			Thread.sleep(1000);
			check(sleeper.isAlive(), "the sleeping JVM ended");
			this.bareRssKb.add((double) ProcFs.rssKb(sleeper.pid()));
		}
		finally {
			this.context.processes().kill(sleeper.toHandle());
		}
	}

	private long instancePid(int port) {
		OptionalLong pid = Http.instancePid(port);
		check(pid.isPresent(), "GET /actuator/sam failed");
		return pid.getAsLong();
	}

	private void figures() {
		Results results = this.context.results();
		Map<String, List<Double>> starts = results.starts.get(this.jdk.label());
		List<Double> cold = starts.get("cold");
		List<Double> first = starts.get("first");
		List<Double> restart = starts.get("restart");
		List<Double> overheads = new ArrayList<>();
		List<Double> ratios = new ArrayList<>();
		for (int i = 0; i < Math.min(cold.size(), first.size()); i++) {
			overheads.add((first.get(i) - cold.get(i)) * 1000);
		}
		for (int i = 0; i < Math.min(cold.size(), restart.size()); i++) {
			ratios.add(restart.get(i) / cold.get(i));
		}
		double ratio = Stats.median(restart) / Stats.median(cold);
		double supervisorMb = Stats.median(this.supervisorRssKb) / 1024;
		double bareMb = Stats.median(this.bareRssKb) / 1024;
		results.note(
				"%s: %d pairs; cold start %.2f s, first start %.2f s, restart %.2f s (medians); restart/cold per pair: "
						+ "median %.3f; first - cold per pair: median %.0f ms",
				this.jdk.label(), cold.size(), Stats.median(cold), Stats.median(first), Stats.median(restart),
				Stats.median(ratios), Stats.median(overheads));
		results.note(
				"%s: supervisor RSS %.1f MB median (%.1f-%.1f, %d samples), %.0f fds, %.0f threads; bare sleeping "
						+ "JVM %.1f MB median (%d samples)",
				this.jdk.label(), supervisorMb, Stats.min(this.supervisorRssKb) / 1024,
				Stats.max(this.supervisorRssKb) / 1024, this.supervisorRssKb.size(), Stats.median(this.supervisorFds),
				Stats.median(this.supervisorThreads), bareMb, this.bareRssKb.size());
		results.put(this.jdk, "restart_ready_ratio", ratio, "ratio", 3);
		results.put(this.jdk, "first_start_overhead_ms", Stats.median(overheads), "ms", 0);
		results.put(this.jdk, "supervisor_rss_mb", supervisorMb, "MB", 1);
		results.put(this.jdk, "supervisor_rss_ratio", supervisorMb / bareMb, "ratio", 3);
		results.put(this.jdk, "bare_jvm_rss_mb", bareMb, "MB", 1);
	}

	private Path log(String kind) {
		return this.context.log(this.jdk.label() + "-" + kind + "-" + (++this.runs));
	}

	private void check(boolean condition, String message) {
		if (!condition) {
			throw new IllegalStateException(
					this.jdk.label() + ": " + message + "; see the logs under " + this.context.out().resolve("logs"));
		}
	}

}
