package dev.samboot.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The benchmark suite's entry point (run by {@code benchmarks/run.sh}): measures every
 * figure, writes the results directory and prints, last, one line per figure as
 * {@code NAME VALUE UNIT}.
 *
 * <pre>
 * Suite [--quick] --jdk PATH [--extra-jdk PATH]... --app JAR --out DIR [--only jmh,timing,churn,startup,cpu,cpg,peers]
 *       [--cpg-c PATH | --cpg-c-missing REASON] [--peers-trials N] [--phases-trials N] [--command TEXT] [--commit ID]
 * </pre>
 *
 * The sample application's jar is needed by the start-up, CPU and peers stages only;
 * {@code --cpg-c} is the C client of the CPG stage, built by {@code benchmarks/run.sh},
 * and {@code --cpg-c-missing} says why it could not be built.
 */
public final class Suite {

	static final List<String> STAGES = List.of("jmh", "timing", "churn", "startup", "phases", "cpu", "cpg", "peers");

	private final Results results = new Results();

	private Suite() {
	}

	public static void main(String[] args) throws Exception {
		Map<String, List<String>> options = parse(args);
		boolean quick = options.containsKey("quick");
		List<Jdk> jdks = new ArrayList<>();
		jdks.add(Jdk.of(Path.of(single(options, "jdk"))));
		for (String extra : options.getOrDefault("extra-jdk", List.of())) {
			Jdk jdk = Jdk.of(Path.of(extra));
			if (jdks.stream().noneMatch((known) -> known.home().equals(jdk.home()))) {
				jdks.add(jdk);
			}
		}
		Path out = Path.of(single(options, "out")).toAbsolutePath();
		Path app = Path.of(single(options, "app")).toAbsolutePath();
		Set<String> stages = new LinkedHashSet<>(
				options.containsKey("only") ? List.of(single(options, "only").split(",")) : STAGES);
		if (!STAGES.containsAll(stages)) {
			throw new IllegalArgumentException("Unknown stage in " + stages + "; the stages are " + STAGES);
		}
		if ((stages.contains("startup") || stages.contains("phases") || stages.contains("cpu")
				|| stages.contains("peers")) && !Files.isRegularFile(app)) {
			throw new IllegalArgumentException("No sample application jar at " + app);
		}
		Files.createDirectories(out.resolve("logs"));
		int status = new Suite().run(quick, jdks, out, app, stages, options);
		System.exit(status);
	}

	private int run(boolean quick, List<Jdk> jdks, Path out, Path app, Set<String> stages,
			Map<String, List<String>> options) throws IOException {
		Instant began = Instant.now();
		String loadBefore = ProcFs.loadAverage();
		long stalledBefore = ProcFs.cpuStallMicros();
		Results results = this.results;
		Path socketDirectory = Files.createTempDirectory("samboot-bench-");
		Processes processes = new Processes(out);
		ProbeServer probes = new ProbeServer(socketDirectory.resolve("probe.sock"));
		Thread cleanup = new Thread(processes::killAll, "bench-cleanup");
		Runtime.getRuntime().addShutdownHook(cleanup);
		Context context = new Context(out, app, probeClassPath(), quick, processes, probes, results);
		Jdk primary = jdks.get(0);
		List<String> failed = new ArrayList<>();
		stage(stages, "jmh", failed, () -> new JmhBench(context, primary).run());
		stage(stages, "timing", failed,
				() -> new TimingBench(context, primary).run(quick ? intervals(15, 4) : intervals(100, 30)));
		stage(stages, "churn", failed, () -> new ChurnBench(context, primary).run(quick ? 100 : 1000));
		for (Jdk jdk : jdks) {
			stage(stages, "startup", failed, () -> new StartupBench(context, jdk).run(quick ? 3 : 10, quick ? 3 : 5));
		}
		int phasesTrials = options.containsKey("phases-trials") ? Integer.parseInt(single(options, "phases-trials"))
				: (quick ? 2 : 6);
		stage(stages, "phases", failed, () -> new PhasesBench(context, primary).run(phasesTrials));
		stage(stages, "cpu", failed, () -> new CpuBench(context, primary).run(Duration.ofSeconds(quick ? 3 : 10),
				Duration.ofSeconds(quick ? 15 : 60)));
		Path cpgC = options.containsKey("cpg-c") ? Path.of(single(options, "cpg-c")) : null;
		String cpgCMissing = options.containsKey("cpg-c-missing") ? single(options, "cpg-c-missing")
				: "no C client given (--cpg-c PATH; benchmarks/run.sh builds it)";
		stage(stages, "cpg", failed, () -> new CpgBench(context, primary).run(quick ? 1 : 2, quick ? 1 : 2,
				quick ? 500 : 1000, cpgC, cpgCMissing, options.containsKey("only")));
		int peersTrials = options.containsKey("peers-trials") ? Integer.parseInt(single(options, "peers-trials"))
				: (quick ? 3 : 6);
		stage(stages, "peers", failed,
				() -> new PeersBench(context, primary).run(peersTrials, Duration.ofSeconds(quick ? 30 : 60)));
		List<Long> leftovers = processes.killAll();
		if (!leftovers.isEmpty()) {
			results.note("had to kill %d processes left running: %s", leftovers.size(), leftovers);
		}
		List<Long> running = processes.running();
		if (!running.isEmpty()) {
			failed.add("cleanup");
			results.note("STILL RUNNING after cleanup: %s", running);
		}
		probes.close();
		Files.deleteIfExists(socketDirectory);
		Runtime.getRuntime().removeShutdownHook(cleanup);
		Duration took = Duration.between(began, Instant.now());
		List<String> header = header(quick, jdks, began, took, loadBefore, options);
		if (stalledBefore >= 0) {
			header.add(String.format(Locale.ROOT,
					"CPU pressure over the run: %.0f%% (share of the time some runnable task "
							+ "waited for a CPU, from /proc/pressure/cpu; the machine is shared with other work)",
					(ProcFs.cpuStallMicros() - stalledBefore) / 1e4 / took.toSeconds()));
		}
		new Report(results, out, jdks).write(header);
		printFigures(results, jdks, quick, took);
		if (!failed.isEmpty()) {
			System.err.println("Failed: " + failed + " (see " + out + "/results.md and the logs)");
			return 1;
		}
		return 0;
	}

	private static Map<Integer, Integer> intervals(int at500, int others) {
		Map<Integer, Integer> trials = new LinkedHashMap<>();
		trials.put(500, at500);
		trials.put(100, others);
		trials.put(250, others);
		trials.put(1000, others);
		return trials;
	}

	@FunctionalInterface
	private interface Stage {

		void run() throws Exception;

	}

	private void stage(Set<String> stages, String name, List<String> failed, Stage stage) {
		if (!stages.contains(name)) {
			return;
		}
		long started = System.nanoTime();
		long stalledBefore = ProcFs.cpuStallMicros();
		System.err.printf("== %s (%s)%n", name, Instant.now().truncatedTo(ChronoUnit.SECONDS));
		try {
			stage.run();
		}
		catch (Exception ex) {
			failed.add(name);
			System.err.println("   " + name + " failed: " + ex);
			ex.printStackTrace();
		}
		double seconds = (System.nanoTime() - started) / 1e9;
		System.err.printf("   %s took %.0f s%n", name, seconds);
		long stalled = ProcFs.cpuStallMicros() - stalledBefore;
		if (stalledBefore >= 0) {
			this.results.note("%s: %.0f s, load average after %s, CPU pressure %.0f%% (share of the time some runnable "
					+ "task waited for a CPU)", name, seconds, ProcFs.loadAverage(), stalled / 1e4 / seconds);
		}
	}

	private static void printFigures(Results results, List<Jdk> jdks, boolean quick, Duration took) {
		Jdk primary = jdks.get(0);
		for (Jdk jdk : jdks.subList(1, jdks.size())) {
			System.out.println("== " + jdk.describe());
			results.figures()
				.getOrDefault(jdk.label(), Map.of())
				.values()
				.forEach((figure) -> System.out.println(figure.line()));
		}
		// columns that are not a JDK's: those of the cpg stage's other clients
		results.figures().forEach((label, figures) -> {
			if (jdks.stream().noneMatch((jdk) -> jdk.label().equals(label))) {
				System.out.println("== " + label + " (cpg stage)");
				figures.values().forEach((figure) -> System.out.println(figure.line()));
			}
		});
		System.out.printf(Locale.ROOT, "== %s, %s run, %d s%n", primary.describe(), quick ? "quick" : "full",
				took.toSeconds());
		for (String name : Results.NAMES) {
			Results.Figure figure = results.get(primary, name);
			System.out.println((figure != null) ? figure.line() : name + " NaN " + Results.UNITS.get(name));
		}
		// the figures of the cpg stage, after the fixed list
		results.figures()
			.getOrDefault(primary.label(), Map.of())
			.values()
			.stream()
			.filter((figure) -> !Results.NAMES.contains(figure.name()))
			.forEach((figure) -> System.out.println(figure.line()));
	}

	private static List<String> header(boolean quick, List<Jdk> jdks, Instant began, Duration took, String loadBefore,
			Map<String, List<String>> options) {
		List<String> header = new ArrayList<>();
		header.add("run: " + (quick ? "quick" : "full") + ", started " + began.truncatedTo(ChronoUnit.SECONDS)
				+ ", took " + took.toSeconds() + " s"
				+ (options.containsKey("commit") ? ", commit " + single(options, "commit") : ""));
		if (options.containsKey("command")) {
			header.add("command: `" + single(options, "command") + "`");
		}
		header.add("machine: " + Runtime.getRuntime().availableProcessors() + " cores (nproc), " + memTotal() + ", CPU "
				+ cpuModel() + ", Linux " + read("/proc/sys/kernel/osrelease"));
		header.add("load average (1, 5, 15 min) before: " + loadBefore + ", after: " + ProcFs.loadAverage());
		for (int i = 0; i < jdks.size(); i++) {
			header.add(
					(i == 0 ? "JDK (every figure): " : "JDK (start-up and memory figures): ") + jdks.get(i).describe());
		}
		header.add("harness JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
		return header;
	}

	private static String memTotal() {
		for (String line : read("/proc/meminfo").split("\n")) {
			if (line.startsWith("MemTotal:")) {
				long kb = Long.parseLong(line.replaceAll("\\D", ""));
				return String.format(Locale.ROOT, "%.1f GiB memory", kb / 1024.0 / 1024.0);
			}
		}
		return "memory unknown";
	}

	private static String cpuModel() {
		for (String line : read("/proc/cpuinfo").split("\n")) {
			if (line.startsWith("model name")) {
				return line.substring(line.indexOf(':') + 1).trim();
			}
		}
		return "unknown";
	}

	private static String read(String file) {
		try {
			return Files.readString(Path.of(file)).trim();
		}
		catch (IOException ex) {
			return "?";
		}
	}

	/**
	 * The class path of the probe and sleeper programs: this module's classes and the
	 * core's jar with what it needs, not JMH.
	 */
	private static String probeClassPath() {
		return Stream.of(System.getProperty("java.class.path").split(":"))
			.filter((entry) -> Files.isDirectory(Path.of(entry))
					|| Path.of(entry).getFileName().toString().matches("(sam-core|jnr-|jffi|asm).*"))
			.collect(Collectors.joining(":"));
	}

	private static Map<String, List<String>> parse(String[] args) {
		Map<String, List<String>> options = new LinkedHashMap<>();
		for (int i = 0; i < args.length; i++) {
			if (!args[i].startsWith("--")) {
				throw new IllegalArgumentException("Unexpected argument " + args[i]);
			}
			String name = args[i].substring(2);
			if (name.equals("quick")) {
				options.put(name, List.of());
				continue;
			}
			if (i + 1 >= args.length) {
				throw new IllegalArgumentException("--" + name + " needs a value");
			}
			options.computeIfAbsent(name, (key) -> new ArrayList<>()).add(args[++i]);
		}
		return options;
	}

	private static String single(Map<String, List<String>> options, String name) {
		List<String> values = options.get(name);
		if (values == null || values.isEmpty()) {
			throw new IllegalArgumentException("--" + name + " is required");
		}
		return values.get(values.size() - 1);
	}

}
