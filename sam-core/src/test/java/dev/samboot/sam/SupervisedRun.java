package dev.samboot.sam;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.samboot.sam.internal.channel.ChannelDirectory;
import dev.samboot.sam.internal.process.SamEnvironment;

import static org.awaitility.Awaitility.await;

/**
 * A supervisor started as a real process for a test: its output is collected line by
 * line, the pids of the instances it reports are remembered, and {@link #close()} kills
 * exactly those processes (and the supervisor's own descendants), so nothing outlives the
 * test.
 */
public final class SupervisedRun implements AutoCloseable {

	/** An instance's first line, or the pid of instance 1 launched early. */
	private static final Pattern INSTANCE = Pattern.compile("(?:instance (\\d+)|early) pid (\\d+).*");

	private final Process supervisor;

	private final List<String> lines = new CopyOnWriteArrayList<>();

	private final Set<Long> instancePids = ConcurrentHashMap.newKeySet();

	private SupervisedRun(Process supervisor) {
		this.supervisor = supervisor;
		Thread reader = new Thread(this::readOutput, "supervised-run-output");
		reader.setDaemon(true);
		reader.start();
	}

	/**
	 * Run a {@link TestSam} scenario:
	 * {@code java -cp <test class path> dev.samboot.sam.TestSam ...}.
	 * @param args the scenario and its arguments
	 * @return the run
	 */
	public static SupervisedRun testSam(String... args) throws IOException {
		return start(testSamCommand(List.of(), args));
	}

	/**
	 * Run a {@link TestSam} scenario whose supervisor makes its channel directory in the
	 * given directory ({@code java.io.tmpdir}, and no {@code XDG_RUNTIME_DIR}), so a test
	 * can check it and nothing is left in the shared temporary directory, even after
	 * {@code kill -9}.
	 * @param temporaryDirectory the directory
	 * @param args the scenario and its arguments
	 * @return the run
	 */
	public static SupervisedRun testSamIn(Path temporaryDirectory, String... args) throws IOException {
		return start(testSamCommand(List.of("-Djava.io.tmpdir=" + temporaryDirectory), args), "XDG_RUNTIME_DIR");
	}

	private static List<String> testSamCommand(List<String> jvmOptions, String... args) {
		List<String> command = new ArrayList<>(javaCommand());
		command.addAll(jvmOptions);
		command.add("-cp");
		command.add(testClassPath());
		command.add(TestSam.class.getName());
		command.addAll(List.of(args));
		return command;
	}

	public static List<String> javaCommand() {
		return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xshare:auto",
				"-XX:TieredStopAtLevel=1");
	}

	public static String testClassPath() {
		return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
	}

	/**
	 * Run a {@link TestSam} scenario with more environment variables.
	 * @param environment the variables to add
	 * @param args the scenario and its arguments
	 * @return the run
	 */
	static SupervisedRun testSamWith(Map<String, String> environment, String... args) throws IOException {
		return start(testSamCommand(List.of(), args), environment);
	}

	public static SupervisedRun start(List<String> command, String... unsetVariables) throws IOException {
		return start(command, Map.of(), unsetVariables);
	}

	private static SupervisedRun start(List<String> command, Map<String, String> environment, String... unsetVariables)
			throws IOException {
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
		builder.environment().putAll(environment);
		for (String name : SamEnvironment.ALL) {
			builder.environment().remove(name);
		}
		for (String name : unsetVariables) {
			builder.environment().remove(name);
		}
		return new SupervisedRun(builder.start());
	}

	/**
	 * Return the environment a process was started with, as {@code /proc} shows it to its
	 * user.
	 * @param pid the process id
	 * @return the variables
	 */
	public static Map<String, String> environmentOf(long pid) throws IOException {
		Map<String, String> environment = new HashMap<>();
		for (String entry : new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ")),
				StandardCharsets.UTF_8)
			.split("\0")) {
			int equals = entry.indexOf('=');
			if (equals > 0) {
				environment.put(entry.substring(0, equals), entry.substring(equals + 1));
			}
		}
		return environment;
	}

	/**
	 * Write a line to the supervisor's standard input, which its instances inherit.
	 * @param line the line
	 */
	public void tell(String line) throws IOException {
		OutputStream in = this.supervisor.getOutputStream();
		in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
		in.flush();
	}

	private void readOutput() {
		try (BufferedReader reader = new BufferedReader(
				new InputStreamReader(this.supervisor.getInputStream(), StandardCharsets.UTF_8))) {
			String line;
			while ((line = reader.readLine()) != null) {
				Matcher matcher = INSTANCE.matcher(line);
				if (matcher.matches()) {
					this.instancePids.add(Long.parseLong(matcher.group(2)));
				}
				this.lines.add(line);
			}
		}
		catch (IOException ex) {
			this.lines.add("output read failed: " + ex);
		}
	}

	/**
	 * Whether a process runs. A process that has ended but waits to be reaped by its new
	 * parent (an orphan whose supervisor died) is a zombie, which
	 * {@link ProcessHandle#isAlive()} still counts as alive; its state in {@code /proc}
	 * says otherwise.
	 * @param pid the process id
	 * @return whether it exists and is not a zombie
	 */
	public static boolean isRunning(long pid) {
		try {
			String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
			return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
		}
		catch (IOException ex) {
			return false;
		}
	}

	public long pid() {
		return this.supervisor.pid();
	}

	public Process process() {
		return this.supervisor;
	}

	public List<String> lines() {
		return List.copyOf(this.lines);
	}

	public String output() {
		return String.join("\n", this.lines);
	}

	/**
	 * Wait for a line of output.
	 * @param predicate what the line must satisfy
	 * @param timeout how long to wait
	 * @return the first matching line
	 */
	public String awaitLine(Predicate<String> predicate, Duration timeout) {
		await().atMost(timeout).pollInterval(Duration.ofMillis(10)).until(() -> find(predicate).isPresent());
		return find(predicate).get();
	}

	public Optional<String> find(Predicate<String> predicate) {
		return this.lines.stream().filter(predicate).findFirst();
	}

	/**
	 * Return the pid of an instance, once it has reported itself.
	 * @param instance the instance id
	 * @param timeout how long to wait
	 * @return its pid
	 */
	public long awaitInstance(int instance, Duration timeout) {
		String line = awaitLine((l) -> l.startsWith("instance " + instance + " pid "), timeout);
		Matcher matcher = INSTANCE.matcher(line);
		matcher.matches();
		return Long.parseLong(matcher.group(2));
	}

	/**
	 * Wait for the supervisor to exit.
	 * @param timeout how long to wait
	 * @return its exit status
	 */
	public int awaitExit(Duration timeout) throws InterruptedException {
		if (!this.supervisor.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
			throw new AssertionError("supervisor still running after " + timeout + ":\n" + output());
		}
		await().atMost(Duration.ofSeconds(2)).until(() -> !this.supervisor.isAlive());
		return this.supervisor.exitValue();
	}

	@Override
	public void close() {
		this.supervisor.descendants().forEach(ProcessHandle::destroyForcibly);
		this.supervisor.destroyForcibly();
		for (long pid : this.instancePids) {
			ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
		}
		try {
			this.supervisor.waitFor(5, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		// the channel directory of a supervisor killed here, which it could not remove
		ChannelDirectory.removeAbandoned();
	}

}
