package dev.samboot.sample;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.samboot.sam.SupervisedRun;
import dev.samboot.sam.internal.channel.ChannelDirectory;
import org.awaitility.core.ConditionTimeoutException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.awaitility.Awaitility.await;

/**
 * The sample application's jar started as a real process, as a user starts it: that JVM
 * becomes the supervisor and starts the same command again as instance 1, 2, ... Output
 * goes to a file under {@code target/e2e/}; the instances are followed through the
 * supervisor's {@code Launched instance} lines and over HTTP. {@link #close()} ends, by
 * pid, only the supervisor this started and the processes it launched, and checks that
 * none of them is left.
 */
final class SampleAppProcess implements AutoCloseable {

	/** How long an instance may take from launch to serving, on a busy 2-core machine. */
	static final Duration START_UP = Duration.ofSeconds(60);

	/**
	 * C1 only: the supervisor and every instance it relaunches start in about half the
	 * time, and these tests start some thirty of them.
	 */
	private static final List<String> JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1");

	/**
	 * The classifiers of the jars that sample-app/pom.xml builds besides the normal one.
	 */
	private static final List<String> CLASSIFIERS = List.of("aot");

	private static final Pattern LAUNCHED = Pattern
		.compile("^(\\S+) .*Launched instance (\\d+) of the active process \\(pid (\\d+)\\)");

	private static final Pattern RESTARTING = Pattern
		.compile("^(\\S+) .*Instance (\\d+) ended \\(([a-z-]+), status (\\d+)\\): restarting(?: in (\\d+) ms)?");

	/**
	 * The outputs of the processes started by the running test, printed when it fails.
	 */
	private static final ThreadLocal<List<Path>> outputsOfThisTest = ThreadLocal.withInitial(ArrayList::new);

	private static final Duration GRACEFUL_STOP = Duration.ofSeconds(15);

	/**
	 * Set to a value of its own in each supervisor's environment, which its instances
	 * inherit: what finds them once they are no longer its children.
	 */
	private static final String RUN_VARIABLE = "SAMPLE_APP_TEST_RUN";

	private static final Set<Integer> portsGiven = ConcurrentHashMap.newKeySet();

	private final Process supervisor;

	private final Instant startedAt;

	private final String run;

	private final int port;

	private final Path output;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private final JsonMapper json = JsonMapper.builder().build();

	private final List<String> lines = new ArrayList<>();

	private final Map<Integer, Launch> launches = new ConcurrentHashMap<>();

	private final StringBuilder partialLine = new StringBuilder();

	private long outputOffset;

	private SampleAppProcess(Process supervisor, Instant startedAt, int port, Path output, String run) {
		this.supervisor = supervisor;
		this.run = run;
		this.startedAt = startedAt;
		this.port = port;
		this.output = output;
	}

	/**
	 * Start {@code java -jar sample-app.jar --server.port=<free port> <args>}.
	 * @param name names the output file, {@code target/e2e/<name>.log}
	 * @param args program arguments, such as {@code --sam.interval=1s}
	 * @return the started supervisor
	 */
	static SampleAppProcess start(String name, String... args) throws IOException {
		return start(name, jar(), List.of(), args);
	}

	/**
	 * Start {@code java <jvmOptions> -jar <jar> --server.port=<free port> <args>}.
	 * @param name names the output file, {@code target/e2e/<name>.log}
	 * @param jarFile the jar to run, such as {@link #jar(String) jar("aot")}
	 * @param jvmOptions JVM options, such as {@code -Dspring.aot.enabled=true}
	 * @param args program arguments, such as {@code --sam.interval=1s}
	 * @return the started supervisor
	 */
	static SampleAppProcess start(String name, Path jarFile, List<String> jvmOptions, String... args)
			throws IOException {
		int port = freePort();
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(JVM_OPTIONS);
		// Tomcat's base directory, which an instance killed with SIGKILL would otherwise
		// leave in the temporary directory, under target/ instead
		command.add("-Dserver.tomcat.basedir="
				+ targetDirectory().resolve("e2e").resolve("tomcat").resolve(name + "-" + port));
		command.addAll(jvmOptions);
		command.add("-jar");
		command.add(jarFile.toString());
		command.add("--server.port=" + port);
		command.addAll(List.of(args));
		Path output = Files.createDirectories(targetDirectory().resolve("e2e")).resolve(name + ".log");
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
		builder.environment().keySet().removeIf((variable) -> variable.startsWith("SAM_"));
		String run = UUID.randomUUID().toString();
		builder.environment().put(RUN_VARIABLE, run);
		Instant startedAt = Instant.now();
		Process supervisor = builder.start();
		outputsOfThisTest.get().add(output);
		return new SampleAppProcess(supervisor, startedAt, port, output, run);
	}

	/**
	 * A port free now and not handed to another run of this JVM: the bad-configuration
	 * cases run side by side and never bind theirs, so the kernel may offer one again.
	 */
	private static int freePort() throws IOException {
		while (true) {
			try (ServerSocket socket = new ServerSocket(0)) {
				if (portsGiven.add(socket.getLocalPort())) {
					return socket.getLocalPort();
				}
			}
		}
	}

	private static Path targetDirectory() {
		return Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("target");
	}

	/**
	 * The repackaged jar that {@code mvn package} built; the tests run in
	 * {@code integration-test}, after it.
	 */
	static Path jar() throws IOException {
		return jar(null);
	}

	/**
	 * A repackaged jar that {@code mvn package} built.
	 * @param classifier {@code aot} for the application processed ahead of time,
	 * {@code null} for the normal jar
	 * @return the jar
	 */
	static Path jar(String classifier) throws IOException {
		Predicate<String> wanted = (classifier != null) ? (name) -> name.endsWith("-" + classifier + ".jar")
				: (name) -> CLASSIFIERS.stream().noneMatch((known) -> name.endsWith("-" + known + ".jar"));
		try (DirectoryStream<Path> jars = Files.newDirectoryStream(targetDirectory(), "sample-app-*.jar")) {
			List<Path> found = new ArrayList<>();
			jars.forEach((jar) -> {
				if (wanted.test(jar.getFileName().toString())) {
					found.add(jar);
				}
			});
			if (found.size() != 1) {
				throw new IllegalStateException("Expected one sample-app jar"
						+ ((classifier != null) ? " with classifier " + classifier : "") + " in " + targetDirectory()
						+ " (run 'mvn verify', which packages it before the integration tests"
						+ ((classifier != null) ? "; the profile that builds it is off with -DskipTests" : "")
						+ "), found " + found);
			}
			return found.get(0);
		}
	}

	/**
	 * Forget the outputs of earlier tests on this thread.
	 */
	static void beginTest() {
		outputsOfThisTest.get().clear();
	}

	/**
	 * Print this output too, with the processes' own, when the running test fails.
	 * @param output such as a database server's log
	 */
	static void addOutputOfThisTest(Path output) {
		outputsOfThisTest.get().add(output);
	}

	/**
	 * Return the outputs of the processes started by the running test.
	 * @return the output files
	 */
	static List<Path> outputsOfThisTest() {
		return List.copyOf(outputsOfThisTest.get());
	}

	long supervisorPid() {
		return this.supervisor.pid();
	}

	Process supervisor() {
		return this.supervisor;
	}

	Path output() {
		return this.output;
	}

	/**
	 * The port the instances serve on, {@code --server.port}.
	 * @return the port
	 */
	int port() {
		return this.port;
	}

	/**
	 * Wait until instance {@code id} is started and serves {@code /actuator/sam}.
	 * @param id the instance id
	 * @param timeout how long to wait
	 * @return the instance as {@code /actuator/sam} reports it
	 */
	Instance awaitInstance(int id, Duration timeout) {
		Instance[] found = new Instance[1];
		awaitOrExplain("instance " + id + " to serve", timeout, () -> {
			Optional<Instance> instance = instance();
			if (instance.isEmpty()) {
				requireSupervisorAlive("waiting for instance " + id);
				return false;
			}
			if (instance.get().id() > id) {
				throw new AssertionError(
						"Expected instance " + id + " but instance " + instance.get().id() + " serves\n" + tail());
			}
			found[0] = instance.get();
			return instance.get().id() == id && "STARTED".equals(instance.get().state());
		});
		return found[0];
	}

	/**
	 * Wait until GET {@code path} answers 200, as an application that runs without
	 * supervision does.
	 * @param path such as {@code /actuator/health}
	 * @param timeout how long to wait
	 * @return the body
	 */
	String awaitOk(String path, Duration timeout) {
		String[] body = new String[1];
		awaitOrExplain("GET " + path + " to answer 200", timeout, () -> {
			Optional<HttpResponse<String>> response = get(path).filter((answer) -> answer.statusCode() == 200);
			if (response.isEmpty()) {
				requireSupervisorAlive("waiting for GET " + path);
				return false;
			}
			body[0] = response.get().body();
			return true;
		});
		return body[0];
	}

	/**
	 * GET a path and return the status.
	 * @param path such as {@code /actuator/sam}
	 * @return the HTTP status
	 */
	int status(String path) {
		return get(path).map(HttpResponse::statusCode)
			.orElseThrow(() -> new AssertionError("GET " + path + " got no answer\n" + tail()));
	}

	/**
	 * Read {@code /actuator/sam} once.
	 * @return the serving instance, or empty when none answers
	 */
	Optional<Instance> instance() {
		return get("/actuator/sam").filter((response) -> response.statusCode() == 200)
			.map((response) -> Instance.of(this.json.readTree(response.body())));
	}

	/**
	 * Read a gauge or counter from {@code /actuator/metrics}.
	 * @param name the meter's name
	 * @return its first measurement
	 */
	double metric(String name) {
		JsonNode metric = this.json.readTree(getBody("/actuator/metrics/" + name));
		return metric.path("measurements").get(0).path("value").asDouble();
	}

	/**
	 * GET a path and return the body, failing on anything but 200.
	 * @param path such as {@code /demo/counter}
	 * @return the body
	 */
	String getBody(String path) {
		HttpResponse<String> response = get(path)
			.orElseThrow(() -> new AssertionError("GET " + path + " got no answer\n" + tail()));
		if (response.statusCode() != 200) {
			throw new AssertionError("GET " + path + ": " + response.statusCode() + " " + response.body());
		}
		return response.body();
	}

	/**
	 * POST to a path and return the body, failing on anything but a 2xx answer.
	 * @param path such as {@code /demo/counter}
	 * @return the body
	 */
	String post(String path) {
		return post(request(path).POST(HttpRequest.BodyPublishers.noBody()).build());
	}

	/**
	 * POST a body to a path and return the answer's body, failing on anything but a 2xx
	 * answer.
	 * @param path such as {@code /demo/cpg/messages}
	 * @param contentType the body's type, such as {@code text/plain}
	 * @param body the body
	 * @return the answer's body
	 */
	String post(String path, String contentType, String body) {
		return post(request(path).header("Content-Type", contentType)
			.POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
			.build());
	}

	private String post(HttpRequest request) {
		String path = request.uri().getPath();
		try {
			HttpResponse<String> response = this.http.send(request, HttpResponse.BodyHandlers.ofString());
			if (response.statusCode() / 100 != 2) {
				throw new AssertionError("POST " + path + ": " + response.statusCode() + " " + response.body());
			}
			return response.body();
		}
		catch (IOException ex) {
			throw new AssertionError("POST " + path + " failed: " + ex + "\n" + tail(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError("interrupted", ex);
		}
	}

	/**
	 * POST to a path once, whatever the answer.
	 * @param path such as {@code /actuator/sam/restart}
	 * @return the answer
	 */
	HttpResponse<String> postForResponse(String path) {
		try {
			return this.http.send(request(path).POST(HttpRequest.BodyPublishers.noBody()).build(),
					HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new AssertionError("POST " + path + " failed: " + ex + "\n" + tail(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError("interrupted", ex);
		}
	}

	/**
	 * GET a path once and return the HTTP status.
	 * @param path such as {@code /actuator/health/readiness}
	 * @return the status, or empty when nothing answers
	 */
	Optional<Integer> statusIfAnswered(String path) {
		return get(path).map(HttpResponse::statusCode);
	}

	/**
	 * GET a path.
	 * @param path such as {@code /actuator/health}
	 * @return the answer, whatever its status, or empty when none came
	 */
	Optional<HttpResponse<String>> get(String path) {
		try {
			return Optional.of(this.http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString()));
		}
		catch (IOException ex) {
			return Optional.empty();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return Optional.empty();
		}
	}

	private HttpRequest.Builder request(String path) {
		return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.timeout(Duration.ofSeconds(10));
	}

	/**
	 * Wait for the supervisor to exit.
	 * @param timeout how long to wait
	 * @return its exit status
	 */
	int awaitExit(Duration timeout) throws InterruptedException {
		if (!this.supervisor.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
			throw new AssertionError("The supervisor still runs after " + timeout.toSeconds() + " s\n" + tail());
		}
		return this.supervisor.exitValue();
	}

	/**
	 * Wait until the supervisor has launched an instance.
	 * @param id the instance id
	 * @param timeout how long to wait
	 * @return when and as which process
	 */
	Launch awaitLaunch(int id, Duration timeout) {
		awaitOrExplain("the launch of instance " + id, timeout, () -> {
			if (launch(id).isPresent()) {
				return true;
			}
			requireSupervisorAlive("waiting for the launch of instance " + id);
			return false;
		});
		return launch(id).orElseThrow();
	}

	/**
	 * Return the launch of an instance, if the supervisor has reported it.
	 * @param id the instance id
	 * @return the launch
	 */
	Optional<Launch> launch(int id) {
		readOutput();
		return Optional.ofNullable(this.launches.get(id));
	}

	/**
	 * Return the output so far.
	 * @return the lines of the supervisor and its instances
	 */
	synchronized List<String> lines() {
		readOutput();
		return List.copyOf(this.lines);
	}

	String text() {
		return String.join("\n", lines());
	}

	/**
	 * Return the restarts the supervisor has logged so far
	 * ({@code Instance N ended (reason,
	 * status S): restarting [in M ms]}), in order.
	 * @return the restarts
	 */
	List<Restart> restarts() {
		List<Restart> restarts = new ArrayList<>();
		for (String line : lines()) {
			Matcher matcher = RESTARTING.matcher(line);
			if (matcher.find()) {
				restarts.add(new Restart(Integer.parseInt(matcher.group(2)), matcher.group(3),
						Integer.parseInt(matcher.group(4)),
						(matcher.group(5) != null) ? Long.parseLong(matcher.group(5)) : 0,
						OffsetDateTime.parse(matcher.group(1)).toInstant()));
			}
		}
		return restarts;
	}

	boolean hasLine(Predicate<String> predicate) {
		return lines().stream().anyMatch(predicate);
	}

	/**
	 * Return the last lines of output, to explain a failure.
	 * @return up to 80 lines
	 */
	String tail() {
		List<String> all = lines();
		return "--- last lines of " + this.output + " ---\n"
				+ String.join("\n", all.subList(Math.max(0, all.size() - 80), all.size()));
	}

	private synchronized void readOutput() {
		try (RandomAccessFile file = new RandomAccessFile(this.output.toFile(), "r")) {
			long length = file.length();
			if (length <= this.outputOffset) {
				return;
			}
			byte[] bytes = new byte[(int) (length - this.outputOffset)];
			file.seek(this.outputOffset);
			file.readFully(bytes);
			this.outputOffset = length;
			this.partialLine.append(new String(bytes, StandardCharsets.UTF_8));
			int newline;
			while ((newline = this.partialLine.indexOf("\n")) >= 0) {
				addLine(this.partialLine.substring(0, newline));
				this.partialLine.delete(0, newline + 1);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private void addLine(String line) {
		this.lines.add(line);
		Matcher matcher = LAUNCHED.matcher(line);
		if (matcher.find()) {
			int id = Integer.parseInt(matcher.group(2));
			long pid = Long.parseLong(matcher.group(3));
			Instant time = OffsetDateTime.parse(matcher.group(1)).toInstant();
			Optional<ProcessHandle> handle = ProcessHandle.of(pid)
				.filter((process) -> process.parent().map(ProcessHandle::pid).orElse(-1L) == supervisorPid());
			this.launches.put(id, new Launch(id, pid, time, handle));
		}
	}

	private void requireSupervisorAlive(String what) {
		if (!this.supervisor.isAlive()) {
			throw new AssertionError("The supervisor exited with status " + this.supervisor.exitValue() + " while "
					+ what + "\n" + tail());
		}
	}

	private void awaitOrExplain(String what, Duration timeout, Callable<Boolean> condition) {
		try {
			await(what).atMost(timeout).pollInterval(Duration.ofMillis(100)).until(condition);
		}
		catch (ConditionTimeoutException ex) {
			throw new AssertionError(
					"Timed out after " + timeout.toSeconds() + " s waiting for " + what + "\n" + tail(), ex);
		}
	}

	/**
	 * Return the supervisor's children that have not been reaped, with their state from
	 * {@code /proc/<pid>/stat} ({@code Z} for a zombie).
	 * @return pid to state
	 */
	Map<Long, Character> children() {
		return this.supervisor.children()
			.collect(Collectors.toMap(ProcessHandle::pid, (child) -> ProcState.of(child.pid()).orElse('?')));
	}

	/**
	 * Count the supervisor's open file descriptors.
	 * @return the entries of {@code /proc/<pid>/fd}
	 */
	long openFileDescriptors() {
		return countEntries(Path.of("/proc", Long.toString(supervisorPid()), "fd"));
	}

	/**
	 * Name the supervisor's threads: their number, and what explains a change in it.
	 * @return thread name (as {@code /proc/<pid>/task/<tid>/comm} shortens it) to count
	 */
	Map<String, Long> threadNames() {
		try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(supervisorPid()), "task"))) {
			return tasks.map((task) -> {
				try {
					return Files.readString(task.resolve("comm")).trim();
				}
				catch (IOException ex) {
					return "(ended)";
				}
			}).collect(Collectors.groupingBy((name) -> name, TreeMap::new, Collectors.counting()));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static long countEntries(Path directory) {
		try (Stream<Path> entries = Files.list(directory)) {
			return entries.count();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Stop the supervisor the way {@code systemctl stop} does (SIGTERM: it stops its
	 * instance and reaps it), then SIGKILL, by pid, the supervisor and whatever it
	 * launched that still runs, check that nothing is left, and remove the channel
	 * directories that supervisors killed by SIGKILL left. SIGKILL first would orphan the
	 * instance, and the init process of these machines does not reap orphans. Runs to the
	 * end even when the test was interrupted by its timeout.
	 */
	@Override
	public void close() {
		boolean interrupted = Thread.interrupted();
		try {
			stopGracefully();
			List<ProcessHandle> launched = new ArrayList<>(this.supervisor.descendants().toList());
			this.supervisor.destroyForcibly();
			await("the supervisor to end").atMost(Duration.ofSeconds(10)).until(() -> !this.supervisor.isAlive());
			readOutput();
			this.launches.values().forEach((launch) -> launch.process().ifPresent(launched::add));
			launched.addAll(strays());
			launched.forEach(ProcessHandle::destroyForcibly);
			List<Long> left = awaitEnd(launched);
			if (!left.isEmpty()) {
				throw new AssertionError("Still running after SIGKILL: " + left);
			}
			// the channel directories of supervisors SIGKILLed by this method or by the
			// test, which they could not remove themselves
			ChannelDirectory.removeAbandoned();
			removeDocumentRoots();
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/**
	 * Spring Boot's embedded Tomcat gives an application without a document root an empty
	 * {@code tomcat-docbase.<port>.*} directory in the temporary directory, removed when
	 * its JVM exits normally; the instances a test killed leave theirs. Remove the empty
	 * ones of this run's port, not anyone else's.
	 */
	private void removeDocumentRoots() {
		Path directory = Path.of(System.getProperty("java.io.tmpdir"));
		try (DirectoryStream<Path> roots = Files.newDirectoryStream(directory, "tomcat-docbase." + this.port + ".*")) {
			for (Path root : roots) {
				try {
					Files.delete(root);
				}
				catch (IOException ex) {
					// not empty, or gone already: left as it is
				}
			}
		}
		catch (IOException ex) {
			System.out.println("Cannot list " + directory + ": " + ex.getMessage());
		}
	}

	private void stopGracefully() {
		if (!this.supervisor.isAlive()) {
			return;
		}
		this.supervisor.destroy();
		try {
			await("the supervisor to stop on SIGTERM").atMost(GRACEFUL_STOP)
				.pollInterval(Duration.ofMillis(50))
				.until(() -> !this.supervisor.isAlive());
		}
		catch (ConditionTimeoutException ex) {
			System.out.println("The supervisor " + supervisorPid() + " did not stop within " + GRACEFUL_STOP.toSeconds()
					+ " s of SIGTERM: SIGKILL");
		}
	}

	private static List<Long> awaitEnd(List<ProcessHandle> processes) {
		try {
			return await("the launched processes to end").atMost(Duration.ofSeconds(10))
				.pollInterval(Duration.ofMillis(50))
				.until(() -> running(processes), List::isEmpty);
		}
		catch (ConditionTimeoutException ex) {
			return running(processes);
		}
	}

	private static List<Long> running(List<ProcessHandle> processes) {
		return processes.stream()
			.filter((process) -> process.isAlive()
					&& ProcState.of(process.pid()).filter((state) -> state != 'Z').isPresent())
			.map(ProcessHandle::pid)
			.toList();
	}

	/**
	 * Instances of this supervisor that are no longer its children: one launched just
	 * before the supervisor was killed. Found by this run's own value of
	 * {@value #RUN_VARIABLE} in their environment, never by the command line, which the
	 * runs side by side share but for the port.
	 */
	private List<ProcessHandle> strays() {
		Instant notBefore = this.startedAt.minusSeconds(1);
		return ProcessHandle.allProcesses()
			.filter((process) -> process.pid() != supervisorPid())
			.filter((
					process) -> process.info().startInstant().filter((start) -> !start.isBefore(notBefore)).isPresent())
			.filter((process) -> environmentHolds(process.pid()))
			.toList();
	}

	private boolean environmentHolds(long pid) {
		try {
			return this.run.equals(SupervisedRun.environmentOf(pid).get(RUN_VARIABLE));
		}
		catch (IOException | SecurityException ex) {
			// gone, or not this user's
			return false;
		}
	}

	/**
	 * One launch the supervisor reported.
	 *
	 * @param id the instance id
	 * @param pid its pid
	 * @param time when the supervisor logged it
	 * @param process the process, if it still ran as the supervisor's child when the line
	 * was read
	 */
	record Launch(int id, long pid, Instant time, Optional<ProcessHandle> process) {
	}

	/**
	 * One restart the supervisor logged.
	 *
	 * @param instance the instance that ended
	 * @param reason why, such as {@code exited} or {@code start-failed}
	 * @param status its exit status
	 * @param backoffMillis the wait before the next instance, 0 for none
	 * @param time when the supervisor logged it
	 */
	record Restart(int instance, String reason, int status, long backoffMillis, Instant time) {
	}

	/**
	 * An instance as {@code /actuator/sam} reports it.
	 *
	 * @param id the instance id
	 * @param restarts the restarts so far
	 * @param state libsam's state, such as {@code STARTED}
	 * @param supervisorPid the supervisor's pid
	 * @param pid the active process's pid
	 * @param json the whole response
	 */
	record Instance(int id, int restarts, String state, long supervisorPid, long pid, JsonNode json) {

		static Instance of(JsonNode json) {
			return new Instance(json.path("instanceId").asInt(), json.path("restarts").asInt(),
					json.path("state").asString(), json.path("supervisorPid").asLong(), json.path("pid").asLong(),
					json);
		}

		JsonNode recoveries() {
			return this.json.path("recoveries");
		}

		JsonNode lastRecovery() {
			JsonNode recoveries = recoveries();
			return recoveries.get(recoveries.size() - 1);
		}

	}

	/** Reads a process's state letter from {@code /proc/<pid>/stat}. */
	static final class ProcState {

		private ProcState() {
		}

		static Optional<Character> of(long pid) {
			try {
				String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
				return Optional.of(stat.charAt(stat.lastIndexOf(')') + 2));
			}
			catch (IOException ex) {
				return Optional.empty();
			}
		}

	}

}
