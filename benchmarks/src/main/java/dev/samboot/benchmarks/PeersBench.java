package dev.samboot.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * samboot beside two other supervisors of a Java process, on the same sample jar and the
 * same JDK, in one run, the systems taking turns trial by trial:
 * <ul>
 * <li>{@value #SAMBOOT}: {@code java -jar sample-app.jar --sam.interval=2s}, as the
 * README runs it;</li>
 * <li>{@value #JSW}: the Java Service Wrapper (Debian's {@code service-wrapper}) running
 * the jar's {@code JarLauncher} through {@code WrapperSimpleApp} with
 * {@code --sam.enabled=false}, pinged every second with a ping time-out of 4 s (which the
 * wrapper raises to 6 s, the least it allows), restarting the JVM on every exit;</li>
 * <li>{@value #SUPERVISORD}: supervisord (Debian's {@code supervisor}) in the foreground
 * with a private configuration, one program {@code java -jar sample-app.jar
 * --sam.enabled=false} with {@code autorestart=true} and {@code startsecs=0};</li>
 * <li>{@value #PLAIN}: {@code java -jar sample-app.jar --sam.enabled=false},
 * unsupervised, for the first start only.</li>
 * </ul>
 * Each trial of a supervised system starts it afresh and times, from outside: the first
 * start (launch to the first HTTP 200 on {@code /actuator/health}), the supervisor's
 * resident memory 2 s later, a crash ({@code kill -9} of the application JVM) to the next
 * instance's appearance in {@code /proc} and to its first 200, and, 2 s after that, a
 * freeze ({@code kill -STOP} of the new instance) to the moment the frozen process is
 * gone and to the first 200 of the instance after it, within a bound (a figure that did
 * not come within it is {@code never}). Every process of a trial is killed by pid when it
 * ends; the stage fails if any of them, or any process with the trial's port or directory
 * in its command line, still runs at its end.
 */
final class PeersBench {

	static final String SAMBOOT = "samboot";

	static final String JSW = "jsw";

	static final String SUPERVISORD = "supervisord";

	static final String PLAIN = "plain";

	private static final List<String> SYSTEMS = List.of(SAMBOOT, JSW, SUPERVISORD, PLAIN);

	private static final List<String> PEERS = List.of(JSW, SUPERVISORD);

	/**
	 * Debian's service-wrapper: the wrapper, its jar and (in the jar's directory) JNI.
	 */
	static final Path WRAPPER = Path.of("/usr/sbin/wrapper");

	static final Path WRAPPER_JAR = Path.of("/usr/share/java/wrapper.jar");

	static final Path WRAPPER_LIBRARY = Path.of("/usr/lib/jni/libwrapper.so");

	/** Debian's supervisor. */
	static final Path SUPERVISORD_PROGRAM = Path.of("/usr/bin/supervisord");

	private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);

	private static final Duration SETTLE = Duration.ofSeconds(2);

	private static final Duration RELAUNCH_TIMEOUT = Duration.ofSeconds(60);

	private final Context context;

	private final Jdk jdk;

	private final Map<String, Samples> samples = new LinkedHashMap<>();

	/** Ports and private directories of every trial, to look for what survived them. */
	private final List<String> marks = new ArrayList<>();

	private final Set<String> clampNotes = new HashSet<>();

	private int runs;

	/** The samples of one system, in milliseconds (memory in KiB). */
	private static final class Samples {

		final List<Double> first = new ArrayList<>();

		final List<Double> relaunch = new ArrayList<>();

		final List<Double> crash = new ArrayList<>();

		final List<Double> frozenKilled = new ArrayList<>();

		final List<Double> freeze = new ArrayList<>();

		final List<Double> rssKb = new ArrayList<>();

	}

	PeersBench(Context context, Jdk jdk) {
		this.context = context;
		this.jdk = jdk;
	}

	/**
	 * Measure every system that is installed, {@code trials} times each, taking turns
	 * (the order moves on by one system each trial).
	 * @param trials trials per system
	 * @param freezeBound how long after the freeze a system may take to serve again
	 */
	void run(int trials, Duration freezeBound) throws IOException, InterruptedException {
		long stalledBefore = ProcFs.cpuStallMicros();
		long began = System.nanoTime();
		Results results = this.context.results();
		List<String> systems = new ArrayList<>();
		for (String system : SYSTEMS) {
			String missing = missing(system);
			if (missing != null) {
				results.note("peers: %s not measured: %s", system, missing);
			}
			else {
				systems.add(system);
				this.samples.put(system, new Samples());
			}
		}
		for (int i = 0; i < trials; i++) {
			for (int k = 0; k < systems.size(); k++) {
				trial(systems.get((i + k) % systems.size()), freezeBound);
			}
			System.err.printf("   peers trial %d/%d done%n", i + 1, trials);
		}
		double seconds = (System.nanoTime() - began) / 1e9;
		double pressure = (stalledBefore >= 0) ? (ProcFs.cpuStallMicros() - stalledBefore) / 1e4 / seconds : Double.NaN;
		figures(trials, freezeBound, pressure);
		List<Long> survivors = survivors();
		if (!survivors.isEmpty()) {
			throw new IllegalStateException("peers: processes of the stage still run after it: " + survivors);
		}
	}

	/**
	 * Why a system cannot be measured here.
	 * @param system the system
	 * @return the reason, or {@code null} when it is installed
	 */
	static String missing(String system) {
		return switch (system) {
			case JSW -> (Files.isExecutable(WRAPPER) && Files.isRegularFile(WRAPPER_JAR)
					&& Files.isRegularFile(WRAPPER_LIBRARY)) ? null
							: "the Java Service Wrapper is not installed (" + WRAPPER + ", " + WRAPPER_JAR + ", "
									+ WRAPPER_LIBRARY + "; as root: apt-get install -y service-wrapper)";
			case SUPERVISORD -> Files.isExecutable(SUPERVISORD_PROGRAM) ? null : "supervisord is not installed ("
					+ SUPERVISORD_PROGRAM + "; as root: apt-get install -y supervisor)";
			default -> null;
		};
	}

	private void trial(String system, Duration freezeBound) throws IOException, InterruptedException {
		Samples samples = this.samples.get(system);
		int run = ++this.runs;
		Path directory = Files.createTempDirectory("samboot-peers-" + system + "-");
		int port = Http.freePort();
		this.marks.add("--server.port=" + port);
		this.marks.add(directory.toString());
		Path log = this.context.log("peers-" + system + "-" + run);
		List<String> command = command(system, port, directory);
		long launched = System.nanoTime();
		Process supervisor = this.context.processes().start(command, log);
		try {
			long ready = Http.awaitHealthy(port, READY_TIMEOUT, supervisor::isAlive);
			check(ready > 0, system + ": the sample application did not become ready", log);
			samples.first.add(millis(ready - launched));
			if (system.equals(PLAIN)) {
				return;
			}
			long first = system.equals(SAMBOOT) ? Http.instancePid(port).orElse(-1) : onlyApplication(supervisor.pid());
			check(first > 0 && ProcFs.parentPid(first) == supervisor.pid(),
					system + ": no application JVM among the supervisor's children", log);
			this.context.processes().track(first);
			Thread.sleep(SETTLE.toMillis());
			samples.rssKb.add((double) supervisorRssKb(supervisor.toHandle(), first));

			// crash: SIGKILL, then the next JVM with the jar, then its first 200
			Set<Long> before = new HashSet<>(ProcFs.pids());
			long killed = System.nanoTime();
			check(ProcessHandle.of(first).map(ProcessHandle::destroyForcibly).orElse(false),
					system + ": the application JVM could not be killed", log);
			long[] next = awaitApplication(supervisor.pid(), before, RELAUNCH_TIMEOUT);
			check(next != null,
					system + ": no new application JVM within " + RELAUNCH_TIMEOUT.toSeconds() + " s of kill -9", log);
			this.context.processes().track(next[0]);
			long back = Http.awaitHealthy(port, READY_TIMEOUT, supervisor::isAlive);
			check(back > 0, system + ": the next instance did not become ready after kill -9", log);
			if (system.equals(SAMBOOT)) {
				check(Http.instancePid(port).orElse(-1) == next[0],
						system + ": the instance that answers is not the new child", log);
			}
			samples.relaunch.add(millis(next[1] - killed));
			samples.crash.add(millis(back - killed));

			// freeze: SIGSTOP, then the frozen JVM gone, then a 200 from the next one
			Thread.sleep(SETTLE.toMillis());
			long frozen = next[0];
			long stopped = stop(frozen);
			check(stopped > 0, system + ": kill -STOP did not stop the application JVM", log);
			long gone = Processes.awaitEnd(frozen, freezeBound);
			long served = -1;
			if (gone > 0) {
				long left = stopped + freezeBound.toNanos() - System.nanoTime();
				if (left > 0) {
					served = Http.awaitHealthy(port, Duration.ofNanos(left), supervisor::isAlive);
				}
			}
			samples.frozenKilled.add((gone > 0) ? millis(gone - stopped) : Double.POSITIVE_INFINITY);
			samples.freeze.add((served > 0) ? millis(served - stopped) : Double.POSITIVE_INFINITY);
		}
		finally {
			end(supervisor);
			keep(directory, log);
			noteClamps(log);
		}
	}

	/**
	 * The command that starts a system on a port, its private configuration written to a
	 * directory of its own.
	 */
	private List<String> command(String system, int port, Path directory) throws IOException {
		List<String> app = this.context.sampleApp(this.jdk, port, "--sam.enabled=false");
		return switch (system) {
			case SAMBOOT -> this.context.sampleApp(this.jdk, port, "--sam.interval=2s");
			case PLAIN -> app;
			case JSW -> List.of(WRAPPER.toString(), "-c", jswConf(app, directory).toString());
			case SUPERVISORD ->
				List.of(SUPERVISORD_PROGRAM.toString(), "-c", supervisordConf(app, directory).toString());
			default -> throw new IllegalArgumentException(system);
		};
	}

	/**
	 * The Java Service Wrapper's configuration: {@code WrapperSimpleApp} runs the jar's
	 * {@code Main-Class}, Spring Boot's {@code JarLauncher}, with the application's
	 * arguments, in the harness's working directory. The jar is on the class path:
	 * {@code WrapperJarApp} loads it in a class loader of its own, where the launcher's
	 * {@code nested:} URLs are not known and the application fails to start.
	 * @param app the plain command ({@code java -jar JAR ARGS})
	 */
	private Path jswConf(List<String> app, Path directory) throws IOException {
		List<String> lines = new ArrayList<>(List.of("#encoding=UTF-8", "wrapper.java.command=" + app.get(0),
				"wrapper.java.mainclass=org.tanukisoftware.wrapper.WrapperSimpleApp",
				"wrapper.java.classpath.1=" + WRAPPER_JAR, "wrapper.java.classpath.2=" + this.context.appJar(),
				"wrapper.java.library.path.1=" + WRAPPER_LIBRARY.getParent(),
				"wrapper.working.dir=" + this.context.out(),
				"wrapper.app.parameter.1=org.springframework.boot.loader.launch.JarLauncher"));
		List<String> parameters = app.subList(3, app.size());
		for (int i = 0; i < parameters.size(); i++) {
			lines.add("wrapper.app.parameter." + (i + 2) + "=" + parameters.get(i));
		}
		lines.addAll(List.of("wrapper.ping.interval=1", "wrapper.ping.timeout=4", "wrapper.on_exit.default=RESTART",
				"wrapper.restart.delay=0", "wrapper.console.format=LPTM", "wrapper.console.loglevel=INFO",
				"wrapper.logfile=" + directory.resolve("wrapper.log"), "wrapper.logfile.loglevel=INFO",
				"wrapper.logfile.maxsize=0", "wrapper.logfile.maxfiles=0", "wrapper.logfile.rollmode=NONE",
				"wrapper.syslog.loglevel=NONE", "wrapper.pidfile=" + directory.resolve("wrapper.pid")));
		Path conf = directory.resolve("wrapper.conf");
		Files.write(conf, lines);
		return conf;
	}

	/**
	 * supervisord's configuration: in the foreground, its socket, pid file and logs in
	 * the trial's directory, one program restarted whenever it exits.
	 * @param app the plain command ({@code java -jar JAR ARGS})
	 */
	private Path supervisordConf(List<String> app, Path directory) throws IOException {
		List<String> lines = List.of("[unix_http_server]", "file=" + directory.resolve("supervisor.sock"), "",
				"[rpcinterface:supervisor]",
				"supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface", "", "[supervisord]",
				"nodaemon=true", "logfile=" + directory.resolve("supervisord.log"), "logfile_maxbytes=0",
				"pidfile=" + directory.resolve("supervisord.pid"), "childlogdir=" + directory, "",
				"[program:sample-app]", "command=" + String.join(" ", app), "directory=" + this.context.out(),
				"autostart=true", "autorestart=true", "startsecs=0", "redirect_stderr=true",
				"stdout_logfile=" + directory.resolve("sample-app.log"), "stdout_logfile_maxbytes=0",
				"stdout_logfile_backups=0");
		Path conf = directory.resolve("supervisord.conf");
		Files.write(conf, lines);
		return conf;
	}

	/**
	 * Whether a process is a JVM running the sample jar: {@code java} first on its
	 * command line, the jar among its arguments or in its class path (which neither a
	 * supervisor that has forked but not yet executed the JVM shows, nor the
	 * {@code java -version} the Java Service Wrapper runs before each JVM).
	 */
	private boolean isApplication(long pid) {
		List<String> line = ProcFs.commandLine(pid);
		String jar = this.context.appJar().toString();
		return !line.isEmpty() && (line.get(0).equals("java") || line.get(0).endsWith("/java")) && line.stream()
			.anyMatch((arg) -> arg.equals(jar) || arg.endsWith(":" + jar) || arg.contains(jar + ":"));
	}

	/** The one application JVM among the children of a supervisor, or -1. */
	private long onlyApplication(long supervisor) {
		List<Long> found = ProcFs.pids()
			.stream()
			.filter((pid) -> ProcFs.parentPid(pid) == supervisor && ProcFs.running(pid) && isApplication(pid))
			.toList();
		return (found.size() == 1) ? found.get(0) : -1;
	}

	/**
	 * Poll {@code /proc} every millisecond for a child of the supervisor that was not
	 * there before and runs the jar.
	 * @param supervisor the supervisor's pid
	 * @param before the pids that existed before
	 * @param timeout how long to wait
	 * @return its pid and the {@link System#nanoTime()} at which it was seen, or
	 * {@code null}
	 */
	private long[] awaitApplication(long supervisor, Set<Long> before, Duration timeout) {
		Set<Long> others = new HashSet<>(before);
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() - deadline < 0) {
			for (long pid : ProcFs.pids()) {
				if (others.contains(pid)) {
					continue;
				}
				long parent = ProcFs.parentPid(pid);
				if (parent != supervisor) {
					// not the supervisor's; a child of the supervisor stays one until it
					// is
					// checked again after its exec
					others.add(pid);
					continue;
				}
				if (isApplication(pid) && ProcFs.running(pid)) {
					return new long[] { pid, System.nanoTime() };
				}
			}
			LockSupport.parkNanos(1_000_000);
		}
		return null;
	}

	/**
	 * Send SIGSTOP and wait until {@code /proc} shows the process stopped.
	 * @return the {@link System#nanoTime()} at which it was seen stopped, or -1
	 */
	private static long stop(long pid) throws IOException, InterruptedException {
		signal("STOP", pid);
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
		while (System.nanoTime() - deadline < 0) {
			char state = ProcFs.state(pid);
			if (state == 'T') {
				return System.nanoTime();
			}
			if (state == 0 || state == 'Z') {
				return -1;
			}
			LockSupport.parkNanos(200_000);
		}
		return -1;
	}

	private static void signal(String signal, long pid) throws IOException, InterruptedException {
		Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.start();
		if (!kill.waitFor(10, TimeUnit.SECONDS)) {
			kill.destroyForcibly();
		}
	}

	/**
	 * VmRSS of the supervisor and of its descendants that are not the application's (for
	 * the systems measured, the supervisor alone).
	 */
	private static long supervisorRssKb(ProcessHandle supervisor, long application) {
		Set<Long> app = new HashSet<>();
		app.add(application);
		ProcessHandle.of(application).ifPresent((handle) -> handle.descendants().forEach((d) -> app.add(d.pid())));
		long kb = ProcFs.rssKb(supervisor.pid());
		for (ProcessHandle descendant : supervisor.descendants().toList()) {
			if (!app.contains(descendant.pid())) {
				kb += Math.max(0, ProcFs.rssKb(descendant.pid()));
			}
		}
		return kb;
	}

	/**
	 * End a trial: stop the supervisor, so that it launches nothing more, then SIGKILL
	 * its descendants and it.
	 */
	private void end(Process supervisor) throws InterruptedException {
		if (supervisor.isAlive()) {
			try {
				signal("STOP", supervisor.pid());
			}
			catch (IOException ex) {
				// killed all the same below
			}
		}
		this.context.processes().kill(supervisor.toHandle());
		this.context.processes().killAll();
		List<Long> strays = survivors();
		for (long pid : strays) {
			ProcessHandle.of(pid).ifPresent(this.context.processes()::kill);
		}
		if (!strays.isEmpty()) {
			this.context.results()
				.note("peers: killed %d processes that outlived their supervisor: %s", strays.size(), strays);
		}
	}

	/**
	 * Processes still running that carry a trial's port or directory on their command
	 * line.
	 */
	private List<Long> survivors() {
		long self = ProcessHandle.current().pid();
		List<Long> found = new ArrayList<>();
		for (long pid : ProcFs.pids()) {
			if (pid == self || !ProcFs.running(pid)) {
				continue;
			}
			List<String> line = ProcFs.commandLine(pid);
			if (line.stream().anyMatch((arg) -> this.marks.stream().anyMatch(arg::contains))) {
				found.add(pid);
			}
		}
		return found;
	}

	/**
	 * Keep a trial's configuration and logs beside the others, and remove its directory.
	 */
	private static void keep(Path directory, Path log) throws IOException {
		Path kept = log.resolveSibling(log.getFileName().toString().replace(".log", ""));
		try (Stream<Path> files = Files.list(directory)) {
			for (Path file : files.toList()) {
				if (Files.isRegularFile(file)) {
					Files.createDirectories(kept);
					Files.copy(file, kept.resolve(file.getFileName()));
				}
			}
		}
		try (Stream<Path> files = Files.walk(directory)) {
			for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(file);
			}
		}
	}

	/** Note, once each, the settings a supervisor said it changed ("Changing to"). */
	private void noteClamps(Path log) throws IOException {
		if (!Files.exists(log)) {
			return;
		}
		for (String line : Files.readAllLines(log)) {
			int at = line.indexOf("wrapper.");
			if (line.contains("Changing to") && at >= 0 && this.clampNotes.add(line.substring(at))) {
				this.context.results().note("peers: the Java Service Wrapper says: %s", line.substring(at).trim());
			}
		}
	}

	private void figures(int trials, Duration freezeBound, double pressure) {
		Results results = this.context.results();
		for (String system : SYSTEMS) {
			// a system that is not installed has NaN figures (and a note saying why)
			Samples s = this.samples.getOrDefault(system, new Samples());
			results.put(this.jdk, "peers_first_start_" + system + "_ms", Stats.median(s.first), "ms", 0);
			if (system.equals(PLAIN)) {
				results.note("peers: %s: first start %s ms (each trial)", system, list(s.first, "%.0f"));
				continue;
			}
			results.put(this.jdk, "peers_crash_to_serving_" + system + "_ms", Stats.median(s.crash), "ms", 0);
			results.put(this.jdk, "peers_relaunch_" + system + "_ms", Stats.median(s.relaunch), "ms", 0);
			results.put(this.jdk, "peers_freeze_to_serving_" + system + "_ms", Stats.median(s.freeze), "ms", 0);
			results.put(this.jdk, "peers_freeze_killed_" + system + "_ms", Stats.median(s.frozenKilled), "ms", 0);
			results.put(this.jdk, "peers_supervisor_rss_" + system + "_mb", Stats.median(s.rssKb) / 1024, "MB", 1);
			results.note(
					"peers: %s (each trial, ms): first start %s; kill -9 to relaunch %s, to serving %s; kill -STOP to "
							+ "the frozen JVM gone %s, to serving %s; supervisor RSS %s MB",
					system, list(s.first, "%.0f"), list(s.relaunch, "%.0f"), list(s.crash, "%.0f"),
					list(s.frozenKilled, "%.0f"), list(s.freeze, "%.0f"),
					list(s.rssKb.stream().map((kb) -> kb / 1024).toList(), "%.1f"));
		}
		ratio("first_start_vs_best_peer", "peers_first_start_");
		ratio("crash_to_serving_vs_best_peer", "peers_crash_to_serving_");
		ratio("freeze_to_serving_vs_best_peer", "peers_freeze_to_serving_");
		results.put(this.jdk, "first_start_vs_plain",
				median(SAMBOOT, "peers_first_start_") / median(PLAIN, "peers_first_start_"), "ratio", 3);
		results.put(this.jdk, "peers_cpu_pressure_pct", pressure, "%", 0);
		results.note(
				"peers: %d trials per system, taking turns; freeze bound %d s (a later or no recovery: never); "
						+ "JDK %s for every JVM; CPU pressure over the stage %.0f%%",
				trials, freezeBound.toSeconds(), this.jdk.label(), pressure);
	}

	/** samboot's median divided by the better of the peers' (NaN without a peer). */
	private void ratio(String name, String prefix) {
		double best = PEERS.stream()
			.mapToDouble((peer) -> median(peer, prefix))
			.filter((v) -> !Double.isNaN(v))
			.min()
			.orElse(Double.NaN);
		double samboot = median(SAMBOOT, prefix);
		double ratio = (Double.isInfinite(samboot) && Double.isInfinite(best)) ? Double.NaN : samboot / best;
		this.context.results().put(this.jdk, name, ratio, "ratio", 3);
	}

	private double median(String system, String prefix) {
		Results.Figure figure = this.context.results().get(this.jdk, prefix + system + "_ms");
		return (figure != null) ? figure.value() : Double.NaN;
	}

	private static String list(List<Double> values, String format) {
		return String.join("/",
				values.stream()
					.map((v) -> Double.isInfinite(v) ? "never" : String.format(Locale.ROOT, format, v))
					.toList());
	}

	private static double millis(long nanos) {
		return nanos / 1e6;
	}

	private void check(boolean condition, String message, Path log) {
		if (!condition) {
			throw new IllegalStateException("peers: " + message + "; see " + log);
		}
	}

}
