package dev.samboot.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Writes a run's results: the figure lines, a Markdown summary with the machine and the
 * goals, the samples as CSV and the plots as SVG.
 */
public final class Report {

	/**
	 * The goals of the benchmark issue: a figure passes when {@code value op limit}
	 * holds.
	 */
	record Goal(String op, double limit) {

		boolean met(double value) {
			return switch (this.op) {
				case "<=" -> value <= this.limit;
				case ">=" -> value >= this.limit;
				case "<" -> value < this.limit;
				case "=" -> value == this.limit;
				default -> false;
			};
		}

		String describe() {
			String op = switch (this.op) {
				case "<=" -> "≤";
				case ">=" -> "≥";
				default -> this.op;
			};
			return op + " " + ((this.limit == Math.rint(this.limit)) ? Long.toString((long) this.limit)
					: Double.toString(this.limit));
		}

	}

	static final Map<String, Goal> GOALS = new LinkedHashMap<>();

	static {
		GOALS.put("warn_error_p99_ms", new Goal("<=", 25));
		GOALS.put("kill_error_p99_ms", new Goal("<=", 25));
		GOALS.put("restart_ready_ratio", new Goal("<=", 1.05));
		GOALS.put("first_start_overhead_ms", new Goal("<=", 400));
		GOALS.put("supervisor_rss_mb", new Goal("<=", 40));
		GOALS.put("supervisor_rss_ratio", new Goal("<=", 1.1));
		GOALS.put("hc_roundtrip_p99_us", new Goal("<=", 200));
		GOALS.put("hcsend_per_s", new Goal(">=", 50000));
		GOALS.put("datastore_64k_p99_ms", new Goal("<=", 1));
		GOALS.put("supervision_cpu_pct", new Goal("<=", 0.2));
		GOALS.put("restart_fd_growth", new Goal("=", 0));
		GOALS.put("restart_rss_growth_mb", new Goal("<", 5));
	}

	private final Results results;

	private final Path out;

	private final List<Jdk> jdks;

	private final String timingJdk;

	Report(Results results, Path out, List<Jdk> jdks) {
		this(results, out, jdks, jdks.get(0).label());
	}

	private Report(Results results, Path out, List<Jdk> jdks, String timingJdk) {
		this.results = results;
		this.out = out;
		this.jdks = jdks;
		this.timingJdk = timingJdk;
	}

	/**
	 * Draw the plots of a results directory again from its CSV files.
	 * @param args the results directory and the label of the JDK the timing was measured
	 * on
	 */
	public static void main(String[] args) throws IOException {
		Path out = Path.of(args[0]);
		new Report(readCsv(out), out, List.of(), (args.length > 1) ? args[1] : "jdk17").plots();
	}

	/**
	 * Write every file.
	 * @param header what was run, on which machine, with which load
	 */
	void write(List<String> header) throws IOException {
		Jdk primary = this.jdks.get(0);
		List<String> lines = new ArrayList<>();
		for (String name : Results.NAMES) {
			Results.Figure figure = this.results.get(primary, name);
			if (figure != null) {
				lines.add(figure.line());
			}
		}
		Files.write(this.out.resolve("figures.txt"), lines);
		List<String> all = new ArrayList<>();
		this.results.figures()
			.forEach((jdk, figures) -> figures.values().forEach((f) -> all.add(jdk + " " + f.line())));
		Files.write(this.out.resolve("figures-all-jdks.txt"), all);
		Files.writeString(this.out.resolve("results.md"), markdown(header));
		writeCsv();
		plots();
	}

	/**
	 * Write the plots of the samples held.
	 */
	void plots() throws IOException {
		if (!this.results.trials.isEmpty()) {
			timingPlot().write(this.out.resolve("timing.svg"));
		}
		if (!this.results.starts.isEmpty()) {
			restartPlot().write(this.out.resolve("restart.svg"));
		}
		if (this.results.checkpoints.size() > 1) {
			churnPlot().write(this.out.resolve("churn.svg"));
		}
	}

	private String markdown(List<String> header) {
		StringBuilder md = new StringBuilder();
		header.forEach((line) -> md.append("- ").append(line).append('\n'));
		md.append("\n| figure | goal |");
		List<String> labels = new ArrayList<>(this.results.figures().keySet());
		for (String label : labels) {
			md.append(' ').append(label).append(" |");
		}
		md.append("\n|---|---|");
		labels.forEach((label) -> md.append("---|"));
		md.append('\n');
		TreeSet<String> extra = new TreeSet<>();
		this.results.figures().values().forEach((figures) -> extra.addAll(figures.keySet()));
		List<String> names = new ArrayList<>(Results.NAMES);
		extra.stream().filter((name) -> !names.contains(name)).forEach(names::add);
		for (String name : names) {
			Goal goal = GOALS.get(name);
			md.append("| `").append(name).append("` | ").append((goal != null) ? goal.describe() : "").append(" |");
			for (String label : labels) {
				Results.Figure figure = this.results.figures().get(label).get(name);
				if (figure == null) {
					md.append(" |");
					continue;
				}
				md.append(' ').append(figure.formatted()).append(' ').append(figure.unit());
				if (goal != null) {
					md.append(goal.met(figure.value()) ? " pass" : " **fail**");
				}
				md.append(" |");
			}
			md.append('\n');
		}
		md.append("\nNotes:\n\n");
		this.results.notes().forEach((note) -> md.append("- ").append(note).append('\n'));
		return md.toString();
	}

	private void writeCsv() throws IOException {
		List<String> timing = new ArrayList<>(List.of("interval_ms,warn_after_ms,death_after_ms"));
		this.results.trials.forEach((t) -> timing
			.add(String.format(Locale.ROOT, "%d,%.3f,%.3f", t.intervalMillis(), t.warnMillis(), t.killMillis())));
		Files.write(this.out.resolve("timing.csv"), timing);
		List<String> starts = new ArrayList<>(List.of("jdk,kind,pair,seconds"));
		this.results.starts.forEach((jdk, kinds) -> kinds.forEach((kind, samples) -> {
			for (int i = 0; i < samples.size(); i++) {
				starts.add(String.format(Locale.ROOT, "%s,%s,%d,%.3f", jdk, kind, i + 1, samples.get(i)));
			}
		}));
		Files.write(this.out.resolve("starts.csv"), starts);
		List<String> churn = new ArrayList<>(List.of("restarts,rss_kb,fds,threads,seconds"));
		this.results.checkpoints.forEach((c) -> churn.add(String.format(Locale.ROOT, "%d,%d,%d,%d,%.1f", c.restarts(),
				c.rssKb(), c.fds(), c.threads(), c.seconds())));
		Files.write(this.out.resolve("churn.csv"), churn);
	}

	/**
	 * Read the samples of a results directory back from its CSV files, to draw the plots
	 * again.
	 * @param out the results directory
	 * @param primary the label of the JDK the timing was measured on
	 * @return the samples
	 */
	static Results readCsv(Path out) throws IOException {
		Results results = new Results();
		for (String[] row : rows(out.resolve("timing.csv"))) {
			results.trials.add(new Results.Trial(Integer.parseInt(row[0]), Double.parseDouble(row[1]),
					Double.parseDouble(row[2])));
		}
		for (String[] row : rows(out.resolve("starts.csv"))) {
			results.starts.computeIfAbsent(row[0], (key) -> new LinkedHashMap<>())
				.computeIfAbsent(row[1], (key) -> new ArrayList<>())
				.add(Double.parseDouble(row[3]));
		}
		for (String[] row : rows(out.resolve("churn.csv"))) {
			results.checkpoints.add(new Results.Checkpoint(Integer.parseInt(row[0]), Long.parseLong(row[1]),
					Integer.parseInt(row[2]), Integer.parseInt(row[3]), Double.parseDouble(row[4])));
		}
		return results;
	}

	private static List<String[]> rows(Path csv) throws IOException {
		if (!Files.exists(csv)) {
			return List.of();
		}
		List<String> lines = Files.readAllLines(csv);
		return lines.subList(1, lines.size()).stream().map((line) -> line.split(",")).toList();
	}

	private Svg timingPlot() {
		List<Results.Trial> trials = this.results.trials;
		List<Integer> intervals = trials.stream().map(Results.Trial::intervalMillis).distinct().sorted().toList();
		int largest = intervals.get(intervals.size() - 1);
		double xMax = largest * 1.1;
		double yMax = Math.max(2.2 * largest,
				trials.stream().mapToDouble(Results.Trial::killMillis).max().orElse(0) * 1.05);
		Svg svg = new Svg(980, 490);
		svg.text(490, 22,
				"Warn signal and SIGKILL after the last heartbeat, against the interval T (" + this.timingJdk + ")", 15,
				"middle", "black");
		Svg.Panel moments = new Svg.Panel(svg, 70, 60, 380, 320, 0, xMax, 0, yMax).yTicks(Svg.niceStep(yMax, 6), "%.0f")
			.xTicks(intervals.stream().mapToDouble(Integer::doubleValue).toArray(), "%.0f")
			.frame("moments (ms after the heartbeat)", "T (ms)", "ms after the last heartbeat");
		moments.segment(0, 0, xMax, xMax, Svg.BLUE, 1, true).segment(0, 0, xMax, 2 * xMax, Svg.RED, 1, true);
		double jitterWidth = largest * 0.03;
		for (int i = 0; i < trials.size(); i++) {
			Results.Trial trial = trials.get(i);
			double jitter = ((i * 37) % 11 - 5) / 5.0 * jitterWidth;
			moments.point(trial.intervalMillis() + jitter, trial.warnMillis(), Svg.BLUE);
			moments.point(trial.intervalMillis() + jitter, trial.killMillis(), Svg.RED);
		}
		moments.legend(0, Svg.BLUE, "warn signal arrived (ideal: T, dashed)")
			.legend(1, Svg.RED, "instance gone (ideal: 2T, dashed)");
		double worst = 0;
		for (Results.Trial trial : trials) {
			worst = Math.max(worst, Math.max(Math.abs(trial.warnMillis() - trial.intervalMillis()),
					Math.abs(trial.killMillis() - 2.0 * trial.intervalMillis())));
		}
		double errorMax = Math.max(30, Math.min(worst * 1.1, 200));
		Svg.Panel errors = new Svg.Panel(svg, 560, 60, 380, 320, -0.6, intervals.size() - 0.4, -errorMax / 6, errorMax)
			.yTicks(Svg.niceStep(errorMax, 6), "%.0f")
			.xLabelOffset(56)
			.frame("error (measured − ideal, ms)", "T (ms); p99 of |error|, warn / kill",
					"ms late (early if negative)");
		errors.band(-25, 25, Svg.GREEN).segment(-0.6, 0, intervals.size() - 0.4, 0, Svg.GREY, 1, false);
		for (int k = 0; k < intervals.size(); k++) {
			int interval = intervals.get(k);
			List<Double> warn = new ArrayList<>();
			List<Double> kill = new ArrayList<>();
			for (int i = 0; i < trials.size(); i++) {
				Results.Trial trial = trials.get(i);
				if (trial.intervalMillis() != interval) {
					continue;
				}
				double jitter = ((i * 37) % 11 - 5) / 5.0 * 0.08;
				warn.add(trial.warnMillis() - interval);
				kill.add(trial.killMillis() - 2.0 * interval);
				errors.point(k - 0.17 + jitter, trial.warnMillis() - interval, Svg.BLUE);
				errors.point(k + 0.17 + jitter, trial.killMillis() - 2.0 * interval, Svg.RED);
			}
			svg.text(errors.x(k), 60 + 320 + 18, interval + " (n=" + warn.size() + ")", 11, "middle", "black");
			svg.text(errors.x(k), 60 + 320 + 33,
					String.format(Locale.ROOT, "%.1f / %.1f",
							Stats.percentile(warn.stream().map(Math::abs).toList(), 99),
							Stats.percentile(kill.stream().map(Math::abs).toList(), 99)),
					11, "middle", "black");
		}
		errors.legend(0, Svg.GREEN, "goal: within ±25 ms");
		svg.text(490, 462, "Each dot is one trial: a fresh instance sends one heartbeat and falls silent.", 11,
				"middle", Svg.GREY);
		svg.text(490, 478,
				"Heartbeat and warn stamped by the instance on the machine-wide monotonic clock; death: when the "
						+ "harness saw the instance's socket close.",
				11, "middle", Svg.GREY);
		return svg;
	}

	private Svg restartPlot() {
		List<String[]> rows = new ArrayList<>();
		List<List<Double>> samples = new ArrayList<>();
		Map<String, String> names = Map.of("cold", "cold start, no samboot", "first", "first start, supervised",
				"restart", "crash → instance 2 ready");
		double max = 0;
		for (Map.Entry<String, Map<String, List<Double>>> jdk : this.results.starts.entrySet()) {
			for (String kind : List.of("cold", "first", "restart")) {
				List<Double> values = jdk.getValue().get(kind);
				if (values == null) {
					continue;
				}
				rows.add(new String[] { jdk.getKey(), kind });
				samples.add(values);
				max = Math.max(max, Stats.max(values));
			}
		}
		double xMax = max * 1.15;
		int rowHeight = 34;
		int height = 110 + rows.size() * rowHeight;
		Svg svg = new Svg(900, height);
		svg.text(450, 22, "Sample application: crash → next instance ready, against a cold start without samboot", 15,
				"middle", "black");
		Svg.Panel panel = new Svg.Panel(svg, 260, 50, 600, rows.size() * rowHeight, 0, xMax, 0, rows.size());
		double step = Svg.niceStep(xMax, 8);
		List<Double> ticks = new ArrayList<>();
		for (double x = 0; x <= xMax; x += step) {
			ticks.add(x);
		}
		for (double tick : ticks) {
			panel.segment(tick, 0, tick, rows.size(), "#e5e5e5", 1, false);
		}
		panel.xTicks(ticks.stream().mapToDouble(Double::doubleValue).toArray(), "%.1f");
		svg.text(560, 50 + rows.size() * rowHeight + 38, "seconds until HTTP 200 on /actuator/health", 12, "middle",
				"black");
		for (int r = 0; r < rows.size(); r++) {
			double y = rows.size() - r - 0.5;
			String kind = rows.get(r)[1];
			String color = switch (kind) {
				case "cold" -> Svg.GREY;
				case "first" -> Svg.BLUE;
				default -> Svg.RED;
			};
			svg.text(250, panel.y(y) + 4, rows.get(r)[0] + ": " + names.get(kind), 12, "end", "black");
			List<Double> values = samples.get(r);
			for (int i = 0; i < values.size(); i++) {
				panel.point(values.get(i), y + ((i % 5) - 2) * 0.06, color);
			}
			double median = Stats.median(values);
			panel.segment(median, y - 0.35, median, y + 0.35, "black", 2, false);
			panel.label(median, y + 0.38, String.format(Locale.ROOT, "median %.2f s (n=%d)", median, values.size()),
					"black", "start");
		}
		svg.line(260, 50, 260, 50 + rows.size() * rowHeight, "black", 1, false);
		svg.line(260, 50 + rows.size() * rowHeight, 860, 50 + rows.size() * rowHeight, "black", 1, false);
		return svg;
	}

	private Svg churnPlot() {
		List<Results.Checkpoint> checkpoints = this.results.checkpoints;
		int last = checkpoints.get(checkpoints.size() - 1).restarts();
		double rssMax = checkpoints.stream().mapToLong(Results.Checkpoint::rssKb).max().getAsLong() / 1024.0 * 1.2;
		double fdMax = Math.max(10, checkpoints.stream().mapToInt(Results.Checkpoint::fds).max().getAsInt() * 1.3);
		Svg svg = new Svg(900, 400);
		svg.text(450, 22, "Probe supervisor during " + last + " restarts (after " + ChurnBench.WARM_UP_RESTARTS
				+ " warm-up restarts)", 15, "middle", "black");
		double[] xs = checkpoints.stream().mapToDouble(Results.Checkpoint::restarts).toArray();
		Svg.Panel rss = new Svg.Panel(svg, 80, 60, 320, 280, 0, last * 1.02, 0, rssMax)
			.yTicks(Svg.niceStep(rssMax, 6), "%.0f")
			.xTicks(new double[] { 0, last / 2.0, last }, "%.0f")
			.frame("resident memory (MB)", "restarts", "VmRSS (MB)");
		Svg.Panel fds = new Svg.Panel(svg, 540, 60, 320, 280, 0, last * 1.02, 0, fdMax)
			.yTicks(Svg.niceStep(fdMax, 6), "%.0f")
			.xTicks(new double[] { 0, last / 2.0, last }, "%.0f")
			.frame("open file descriptors", "restarts", "entries in /proc/PID/fd");
		for (int i = 0; i < checkpoints.size(); i++) {
			Results.Checkpoint c = checkpoints.get(i);
			rss.point(xs[i], c.rssKb() / 1024.0, Svg.BLUE);
			fds.point(xs[i], c.fds(), Svg.RED);
			if (i > 0) {
				Results.Checkpoint p = checkpoints.get(i - 1);
				rss.segment(xs[i - 1], p.rssKb() / 1024.0, xs[i], c.rssKb() / 1024.0, Svg.BLUE, 1, false);
				fds.segment(xs[i - 1], p.fds(), xs[i], c.fds(), Svg.RED, 1, false);
			}
		}
		return svg;
	}

}
