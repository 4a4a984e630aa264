package dev.samboot.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.Statistics;

/**
 * The in-process figures, with JMH: {@link ChannelBenchmarks} in forked JVMs of the
 * chosen JDK. JMH's report goes to {@code jmh.txt} and {@code jmh.json} in the results
 * directory.
 */
final class JmhBench {

	private final Context context;

	private final Jdk jdk;

	JmhBench(Context context, Jdk jdk) {
		this.context = context;
		this.jdk = jdk;
	}

	void run() throws RunnerException, IOException {
		boolean quick = this.context.quick();
		Path out = this.context.out();
		Path logging = out.resolve("jmh-logging.properties");
		Files.writeString(logging, "handlers=java.util.logging.ConsoleHandler\n.level=WARNING\n");
		Options options = new OptionsBuilder().include(ChannelBenchmarks.class.getName() + "\\.")
			.jvm(this.jdk.java())
			.jvmArgsAppend("-Djava.util.logging.config.file=" + logging)
			.forks(quick ? 1 : 2)
			.warmupIterations(quick ? 1 : 3)
			.warmupTime(TimeValue.seconds(quick ? 1 : 2))
			.measurementIterations(quick ? 3 : 5)
			.measurementTime(TimeValue.seconds(quick ? 1 : 2))
			.timeout(TimeValue.minutes(1))
			.shouldFailOnError(true)
			.output(out.resolve("jmh.txt").toString())
			.result(out.resolve("jmh.json").toString())
			.resultFormat(ResultFormatType.JSON)
			.build();
		Collection<RunResult> runs = new Runner(options).run();
		Results results = this.context.results();
		for (RunResult run : runs) {
			String benchmark = run.getParams().getBenchmark();
			String method = benchmark.substring(benchmark.lastIndexOf('.') + 1);
			Statistics stats = run.getPrimaryResult().getStatistics();
			String unit = run.getPrimaryResult().getScoreUnit();
			switch (method) {
				case "hcSend" -> {
					results.put(this.jdk, "hcsend_per_s", stats.getMean(), "calls/s", 0);
					results.note("jmh hcSend: %.0f ± %.0f %s (99.9%% CI), %d iterations", stats.getMean(),
							run.getPrimaryResult().getScoreError(), unit, stats.getN());
				}
				case "hcRoundTrip" -> {
					results.put(this.jdk, "hc_roundtrip_p99_us", stats.getPercentile(99), "us", 1);
					note(method, stats, unit);
				}
				case "dataStore64k" -> {
					results.put(this.jdk, "datastore_64k_p99_ms", stats.getPercentile(99), "ms", 3);
					note(method, stats, unit);
				}
				default -> results.note("jmh: unexpected benchmark %s", benchmark);
			}
		}
	}

	private void note(String method, Statistics stats, String unit) {
		this.context.results()
			.note("jmh %s: p50 %.3f, p90 %.3f, p99 %.3f, p99.9 %.3f, max %.3f %s over %d samples", method,
					stats.getPercentile(50), stats.getPercentile(90), stats.getPercentile(99),
					stats.getPercentile(99.9), stats.getMax(), unit, stats.getN());
	}

}
