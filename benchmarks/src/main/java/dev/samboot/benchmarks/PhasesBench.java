package dev.samboot.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the time of a first start and of a restart goes, phase by phase, against the same
 * jar run alone, read from timestamps in each process: the benchmark's own clock (launch,
 * first HTTP 200), the log lines of the supervisor and of each instance (their
 * millisecond wall-clock timestamps and pids), each JVM's own start (Spring Boot's
 * "process running for", the JVM's uptime when the context was ready), and the CPU each
 * process had used by the first HTTP 200 ({@code /proc/<pid>/stat}). Alternating trials,
 * plain first, then supervised first, and so on; the figures are medians.
 */
final class PhasesBench {

	private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);

	/** Boot's console line: timestamp, level, pid. */
	private static final Pattern LINE = Pattern.compile("^(\\S+)\\s+[A-Z]+\\s+(\\d+) --- (.*)$");

	private static final Pattern RUNNING_FOR = Pattern
		.compile("Started \\S+ in ([0-9.]+) seconds \\(process running for ([0-9.]+)\\)");

	private static final Pattern LAUNCHED = Pattern.compile("Launched instance (\\d+) .*\\(pid (\\d+)\\)");

	private final Context context;

	private final Jdk jdk;

	private final Map<String, List<Double>> samples = new LinkedHashMap<>();

	private int runs;

	PhasesBench(Context context, Jdk jdk) {
		this.context = context;
		this.jdk = jdk;
	}

	void run(int trials) throws IOException, InterruptedException {
		for (int i = 0; i < trials; i++) {
			if (i % 2 == 0) {
				plain();
				supervised();
			}
			else {
				supervised();
				plain();
			}
			System.err.printf("   phases %s trial %d/%d done%n", this.jdk.label(), i + 1, trials);
		}
		figures();
	}

	private void plain() throws IOException {
		int port = Http.freePort();
		Path log = log("plain");
		long launchedNanos = System.nanoTime();
		long launched = System.currentTimeMillis();
		Process app = this.context.processes()
			.start(this.context.sampleApp(this.jdk, port, "--sam.enabled=false"), log);
		try {
			long ready = Http.awaitHealthy(port, READY_TIMEOUT, app::isAlive);
			check(ready > 0, "the unsupervised sample application did not become ready", log);
			long served = launched + (ready - launchedNanos) / 1_000_000;
			double cpu = ProcFs.cpuMillis(app.pid());
			Lines lines = Lines.read(log);
			Instance instance = lines.instance(app.pid());
			add("plain_launch_to_jvm_ms", instance.jvmStart() - launched);
			add("plain_jvm_to_starting_ms", instance.starting() - instance.jvmStart());
			add("plain_starting_to_started_ms", instance.started() - instance.starting());
			add("plain_started_to_http_ms", served - instance.started());
			add("plain_launch_to_http_ms", served - launched);
			add("plain_cpu_at_http_ms", cpu);
		}
		finally {
			this.context.processes().kill(app.toHandle());
		}
	}

	private void supervised() throws IOException, InterruptedException {
		int port = Http.freePort();
		Path log = log("supervised");
		long launchedNanos = System.nanoTime();
		long launched = System.currentTimeMillis();
		Process supervisor = this.context.processes().start(this.context.sampleApp(this.jdk, port), log);
		try {
			long ready = Http.awaitHealthy(port, READY_TIMEOUT, supervisor::isAlive);
			check(ready > 0, "the supervised sample application did not become ready", log);
			long served = launched + (ready - launchedNanos) / 1_000_000;
			double supervisorCpu = ProcFs.cpuMillis(supervisor.pid());
			long first = instancePid(port, log);
			this.context.processes().track(first);
			double instanceCpu = ProcFs.cpuMillis(first);
			Http.Response crash = Http.request("POST", port, "/demo/crash?status=3");
			check(crash != null && crash.status() == 202, "POST /demo/crash was not accepted", log);
			long goneNanos = Processes.awaitEnd(first, Duration.ofSeconds(30));
			check(goneNanos > 0, "instance 1 did not end after POST /demo/crash", log);
			long gone = launched + (goneNanos - launchedNanos) / 1_000_000;
			long back = Http.awaitHealthy(port, READY_TIMEOUT, supervisor::isAlive);
			check(back > 0, "instance 2 did not become ready", log);
			long servedAgain = launched + (back - launchedNanos) / 1_000_000;
			long second = instancePid(port, log);
			this.context.processes().track(second);
			double secondCpu = ProcFs.cpuMillis(second);

			Lines lines = Lines.read(log);
			Instance one = lines.instance(first);
			long listening = lines.first(supervisor.pid(), "Supervisor pid " + supervisor.pid() + ":");
			add("first_launch_to_supervisor_listening_ms", listening - launched);
			add("first_launch_to_instance_jvm_ms", one.jvmStart() - launched);
			instancePhases("first", one, served);
			add("first_started_to_sam_start_ms", one.samStarted() - one.started());
			add("first_launch_to_http_ms", served - launched);
			add("first_supervisor_cpu_at_http_ms", supervisorCpu);
			add("first_instance_cpu_at_http_ms", instanceCpu);

			Instance two = lines.instance(second);
			long relaunched = lines.launched(supervisor.pid(), 2);
			add("restart_exit_to_launch_ms", relaunched - gone);
			add("restart_launch_to_jvm_ms", two.jvmStart() - relaunched);
			instancePhases("restart", two, servedAgain);
			add("restart_exit_to_http_ms", servedAgain - gone);
			add("restart_instance_cpu_at_http_ms", secondCpu);
		}
		finally {
			this.context.processes().kill(supervisor.toHandle());
			this.context.processes().killAll();
		}
	}

	/**
	 * Add the phases of a supervised instance from its JVM's start to the first HTTP 200.
	 * @param prefix {@code first} or {@code restart}
	 * @param instance the instance's moments
	 * @param served when the first HTTP 200 came
	 */
	private void instancePhases(String prefix, Instance instance, long served) {
		add(prefix + "_jvm_to_registered_ms", instance.registered() - instance.jvmStart());
		add(prefix + "_registered_to_starting_ms", instance.starting() - instance.registered());
		add(prefix + "_jvm_to_starting_ms", instance.starting() - instance.jvmStart());
		add(prefix + "_starting_to_started_ms", instance.started() - instance.starting());
		add(prefix + "_started_to_http_ms", served - instance.started());
	}

	private void add(String name, double value) {
		this.samples.computeIfAbsent(name, (key) -> new ArrayList<>()).add(value);
	}

	private void figures() {
		Results results = this.context.results();
		StringBuilder table = new StringBuilder();
		for (Map.Entry<String, List<Double>> entry : this.samples.entrySet()) {
			double median = Stats.median(entry.getValue());
			results.put(this.jdk, "phase_" + entry.getKey(), median, "ms", 0);
			table.append(String.format("%n    %-42s %7.0f ms  (%.0f-%.0f, %d trials)", entry.getKey(), median,
					Stats.min(entry.getValue()), Stats.max(entry.getValue()), entry.getValue().size()));
		}
		results.note("%s: start-up phases (medians):%s", this.jdk.label(), table);
	}

	private long instancePid(int port, Path log) {
		OptionalLong pid = Http.instancePid(port);
		check(pid.isPresent(), "GET /actuator/sam failed", log);
		return pid.getAsLong();
	}

	private Path log(String kind) {
		return this.context.log(this.jdk.label() + "-phases-" + kind + "-" + (++this.runs));
	}

	private void check(boolean condition, String message, Path log) {
		if (!condition) {
			throw new IllegalStateException(this.jdk.label() + ": " + message + "; see " + log);
		}
	}

	/**
	 * One instance's moments, as wall-clock milliseconds.
	 *
	 * @param jvmStart when its JVM started: the "Started" line less the JVM's uptime then
	 * @param registered its "Supervised by samboot" line, or -1 without supervision
	 * @param starting Spring Boot's "Starting" line: the application's first line
	 * @param started Spring Boot's "Started ... in" line: the context is ready
	 * @param samStarted samboot's "supervision started" line, or -1
	 */
	record Instance(long jvmStart, long registered, long starting, long started, long samStarted) {
	}

	/** A log's lines by pid, with their timestamps. */
	private record Lines(List<String[]> lines) {

		static Lines read(Path log) throws IOException {
			List<String[]> lines = new ArrayList<>();
			for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
				Matcher matcher = LINE.matcher(line);
				if (matcher.matches()) {
					lines.add(new String[] { matcher.group(1), matcher.group(2), matcher.group(3) });
				}
			}
			return new Lines(lines);
		}

		long first(long pid, String text) {
			for (String[] line : this.lines) {
				if (line[1].equals(Long.toString(pid)) && line[2].contains(text)) {
					return Instant.parse(line[0]).toEpochMilli();
				}
			}
			throw new IllegalStateException("no line of pid " + pid + " with '" + text + "'");
		}

		long launched(long supervisor, int instance) {
			for (String[] line : this.lines) {
				Matcher launched = LAUNCHED.matcher(line[2]);
				if (line[1].equals(Long.toString(supervisor)) && launched.find()
						&& Integer.parseInt(launched.group(1)) == instance) {
					return Instant.parse(line[0]).toEpochMilli();
				}
			}
			throw new IllegalStateException("the supervisor did not say it launched instance " + instance);
		}

		Instance instance(long pid) {
			long started = -1;
			long jvmStart = -1;
			for (String[] line : this.lines) {
				Matcher matcher = RUNNING_FOR.matcher(line[2]);
				if (line[1].equals(Long.toString(pid)) && matcher.find()) {
					started = Instant.parse(line[0]).toEpochMilli();
					jvmStart = started - Math.round(Double.parseDouble(matcher.group(2)) * 1000);
				}
			}
			if (started < 0) {
				throw new IllegalStateException("no 'Started ... in' line of pid " + pid);
			}
			return new Instance(jvmStart, optional(pid, "Supervised by samboot: instance"), first(pid, "Starting "),
					started, optional(pid, "samboot supervision started"));
		}

		private long optional(long pid, String text) {
			try {
				return first(pid, text);
			}
			catch (IllegalStateException ex) {
				return -1;
			}
		}

	}

}
