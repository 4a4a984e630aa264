package dev.samboot.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every figure of a run, per JDK, with the samples the plots are drawn from and notes on
 * how each figure came about.
 */
final class Results {

	/** The figures the suite prints last, in this order. */
	static final List<String> NAMES = List.of("warn_error_p99_ms", "kill_error_p99_ms", "restart_ready_ratio",
			"first_start_overhead_ms", "supervisor_rss_mb", "supervisor_rss_ratio", "hc_roundtrip_p99_us",
			"hcsend_per_s", "datastore_64k_p99_ms", "supervision_cpu_pct", "restart_fd_growth",
			"restart_rss_growth_mb");

	/** The unit of each figure, for a line whose measurement failed. */
	static final Map<String, String> UNITS = Map.ofEntries(Map.entry("warn_error_p99_ms", "ms"),
			Map.entry("kill_error_p99_ms", "ms"), Map.entry("restart_ready_ratio", "ratio"),
			Map.entry("first_start_overhead_ms", "ms"), Map.entry("supervisor_rss_mb", "MB"),
			Map.entry("supervisor_rss_ratio", "ratio"), Map.entry("hc_roundtrip_p99_us", "us"),
			Map.entry("hcsend_per_s", "calls/s"), Map.entry("datastore_64k_p99_ms", "ms"),
			Map.entry("supervision_cpu_pct", "%"), Map.entry("restart_fd_growth", "fds"),
			Map.entry("restart_rss_growth_mb", "MB"));

	record Figure(String name, double value, String unit, int decimals) {

		String formatted() {
			if (Double.isNaN(this.value)) {
				return "NaN";
			}
			// a time that did not come within its bound, such as a recovery that never
			// happened
			if (this.value == Double.POSITIVE_INFINITY) {
				return "never";
			}
			return String.format(Locale.ROOT, "%." + this.decimals + "f", this.value);
		}

		String line() {
			return this.name + " " + formatted() + " " + this.unit;
		}

	}

	/**
	 * One warn/kill trial: when the warn signal arrived and the instance died, after its
	 * last heartbeat.
	 */
	record Trial(int intervalMillis, double warnMillis, double killMillis) {
	}

	/** One restart-churn checkpoint of the supervisor. */
	record Checkpoint(int restarts, long rssKb, int fds, int threads, double seconds) {
	}

	private final Map<String, Map<String, Figure>> figures = new LinkedHashMap<>();

	private final List<String> notes = new ArrayList<>();

	final List<Trial> trials = new ArrayList<>();

	final List<Checkpoint> checkpoints = new ArrayList<>();

	/**
	 * JDK label, then kind of start ("cold", "first", "restart"), then the samples in
	 * seconds.
	 */
	final Map<String, Map<String, List<Double>>> starts = new TreeMap<>();

	void put(Jdk jdk, String name, double value, String unit, int decimals) {
		put(jdk.label(), name, value, unit, decimals);
	}

	/**
	 * Keep a figure of a column that is not a JDK, such as the C reference client's.
	 */
	void put(String label, String name, double value, String unit, int decimals) {
		this.figures.computeIfAbsent(label, (key) -> new LinkedHashMap<>())
			.put(name, new Figure(name, value, unit, decimals));
	}

	Figure get(Jdk jdk, String name) {
		return this.figures.getOrDefault(jdk.label(), Map.of()).get(name);
	}

	Map<String, Map<String, Figure>> figures() {
		return this.figures;
	}

	void note(String format, Object... args) {
		String note = String.format(Locale.ROOT, format, args);
		this.notes.add(note);
		System.err.println("   " + note);
	}

	List<String> notes() {
		return this.notes;
	}

	void start(Jdk jdk, String kind, double seconds) {
		this.starts.computeIfAbsent(jdk.label(), (key) -> new LinkedHashMap<>())
			.computeIfAbsent(kind, (key) -> new ArrayList<>())
			.add(seconds);
	}

}
