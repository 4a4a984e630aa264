package dev.samboot.corosync;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.samboot.sam.SupervisedRun;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A one-node corosync of a test's own, which the test may stop and start again without
 * disturbing the corosync of the machine: it runs in a network namespace made for it
 * ({@code samboot-t-<random>}, loopback up), where libqb's abstract IPC sockets are out
 * of reach of the host's clients and the host's daemon out of reach of its own, with a
 * tmpfs of its own on {@code /run} (for {@code /run/corosync.pid}), and its
 * configuration, state directory and log in a temporary directory. Clients reach it when
 * started through {@link #command(String...)}, which runs them in the namespace.
 * <p>
 * Only processes it knows by pid are signalled: the daemon, checked in {@code /proc} to
 * be corosync itself in this namespace, and on {@link #close()} whatever is still left in
 * the namespace, which nothing but this test could have put there. {@code close()}
 * deletes the namespace and the files.
 */
public final class PrivateCorosync implements AutoCloseable {

	private static final System.Logger logger = System.getLogger(PrivateCorosync.class.getName());

	/** How long the daemon has to answer after a start, and to exit after SIGTERM. */
	private static final Duration BOUND = Duration.ofSeconds(20);

	private static final List<Path> SEARCH_PATH = searchPath();

	private final String namespace;

	private final Path directory;

	private final Path config;

	private final Path log;

	private final Path ip;

	private final Path corosync;

	private final Thread cleanupOnExit = new Thread(this::cleanUp, "private-corosync-cleanup");

	private final List<Long> daemonPids = new ArrayList<>();

	private Process daemon;

	private long daemonPid = -1;

	private boolean closed;

	private PrivateCorosync(Path ip, Path corosync) throws IOException {
		this.ip = ip;
		this.corosync = corosync;
		this.namespace = "samboot-t-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
		this.directory = Files.createTempDirectory("samboot-corosync-");
		this.config = this.directory.resolve("corosync.conf");
		this.log = this.directory.resolve("corosync.log");
		Path state = Files.createDirectory(this.directory.resolve("state"));
		Files.writeString(this.config, configuration(state));
		Runtime.getRuntime().addShutdownHook(this.cleanupOnExit);
	}

	/**
	 * Make the namespace and the files; the daemon is not started. Skips the test (a
	 * JUnit assumption, saying why) when this is not root, a command it needs is missing
	 * or no network namespace can be made here.
	 * @return the corosync, stopped
	 */
	public static PrivateCorosync create() throws IOException, InterruptedException {
		String reason = unavailableReason();
		assumeTrue(reason == null, () -> "cannot run a private corosync: " + reason);
		PrivateCorosync created = new PrivateCorosync(find("ip").orElseThrow(), find("corosync").orElseThrow());
		try {
			String failure = created.run(List.of(created.ip.toString(), "netns", "add", created.namespace));
			if (failure == null) {
				failure = created.run(created.command("ip", "link", "set", "lo", "up").command());
			}
			String notCreated = failure;
			assumeTrue(notCreated == null, () -> "cannot make a network namespace here: " + notCreated);
		}
		catch (RuntimeException | Error ex) {
			created.close();
			throw ex;
		}
		return created;
	}

	/**
	 * Why a private corosync cannot run here.
	 * @return the reason, or {@code null} when it can
	 */
	public static String unavailableReason() {
		if (!isRoot()) {
			return "network namespaces and mounts need root";
		}
		for (String command : List.of("ip", "unshare", "sh", "mount", "corosync", "corosync-quorumtool")) {
			if (find(command).isEmpty()) {
				return command + " is not installed (searched " + SEARCH_PATH + ")";
			}
		}
		return null;
	}

	private static boolean isRoot() {
		try {
			return Files.readAllLines(Path.of("/proc/self/status"))
				.stream()
				.filter((line) -> line.startsWith("Uid:"))
				.anyMatch((line) -> line.split("\\s+")[1].equals("0"));
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static List<Path> searchPath() {
		List<Path> path = new ArrayList<>();
		String variable = System.getenv("PATH");
		if (variable != null) {
			for (String entry : variable.split(File.pathSeparator)) {
				if (!entry.isEmpty()) {
					path.add(Path.of(entry));
				}
			}
		}
		// sbin is missing from many users' PATH, and corosync and ip live there
		for (String entry : List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin")) {
			if (!path.contains(Path.of(entry))) {
				path.add(Path.of(entry));
			}
		}
		return List.copyOf(path);
	}

	private static Optional<Path> find(String command) {
		return SEARCH_PATH.stream().map((entry) -> entry.resolve(command)).filter(Files::isExecutable).findFirst();
	}

	private String configuration(Path state) {
		return """
				totem {
					version: 2
					cluster_name: samboot-private
					transport: knet
					crypto_cipher: none
					crypto_hash: none
				}

				nodelist {
					node {
						ring0_addr: 127.0.0.1
						name: node1
						nodeid: 1
					}
				}

				quorum {
					provider: corosync_votequorum
				}

				logging {
					to_stderr: yes
					to_logfile: no
					to_syslog: no
					timestamp: on
					blackbox: off
				}

				system {
					state_dir: %s
				}
				""".formatted(state);
	}

	/**
	 * Start the daemon and wait until it answers ({@code corosync-quorumtool -s} in the
	 * namespace).
	 * @return when it first answered
	 * @throws IllegalStateException when it is running already, exits or does not answer
	 * within 20 s (with its log)
	 */
	public synchronized Instant start() throws IOException, InterruptedException {
		if (this.closed || isRunning()) {
			throw new IllegalStateException("corosync in " + this.namespace + " is "
					+ (this.closed ? "closed" : "running already (pid " + this.daemonPid + ")"));
		}
		// ip netns exec and unshare exec their command, and sh execs corosync after the
		// mount: the process started is the daemon, which awaitDaemonPid checks
		ProcessBuilder builder = command("unshare", "--mount", "sh", "-c",
				"mount -t tmpfs tmpfs /run && exec '" + this.corosync + "' -f -c '" + this.config + "'");
		builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(this.log.toFile()));
		this.daemon = builder.start();
		this.daemon.getOutputStream().close();
		long deadline = System.nanoTime() + BOUND.toNanos();
		this.daemonPid = awaitDaemonPid(deadline);
		this.daemonPids.add(this.daemonPid);
		while (!answers()) {
			if (!this.daemon.isAlive()) {
				throw new IllegalStateException("corosync in " + this.namespace + " exited with "
						+ this.daemon.exitValue() + " before it answered; its log:\n" + log());
			}
			if (System.nanoTime() - deadline > 0) {
				throw new IllegalStateException("corosync in " + this.namespace + " (pid " + this.daemonPid
						+ ") does not answer after " + BOUND.toSeconds() + " s; its log:\n" + log());
			}
			Thread.sleep(50);
		}
		return Instant.now();
	}

	/**
	 * Find the daemon among the process started and its descendants: the one whose
	 * executable is corosync and whose network namespace is this one.
	 */
	private long awaitDaemonPid(long deadline) throws InterruptedException {
		while (true) {
			List<ProcessHandle> candidates = new ArrayList<>();
			candidates.add(this.daemon.toHandle());
			this.daemon.descendants().forEach(candidates::add);
			for (ProcessHandle candidate : candidates) {
				if (isDaemon(candidate.pid())) {
					return candidate.pid();
				}
			}
			if (!this.daemon.isAlive()) {
				throw new IllegalStateException("corosync in " + this.namespace + " exited with "
						+ this.daemon.exitValue() + " at once; its log:\n" + log());
			}
			if (System.nanoTime() - deadline > 0) {
				throw new IllegalStateException("no corosync process under pid " + this.daemon.pid() + " in "
						+ this.namespace + " after " + BOUND.toSeconds() + " s; its log:\n" + log());
			}
			Thread.sleep(10);
		}
	}

	/** Whether a process is corosync (not a wrapper) in this namespace, alive. */
	private boolean isDaemon(long pid) {
		try {
			Path proc = Path.of("/proc", Long.toString(pid));
			Path executable = Files.readSymbolicLink(proc.resolve("exe"));
			String network = Files.readSymbolicLink(proc.resolve("ns/net")).toString();
			Object inode = Files.getAttribute(Path.of("/run/netns", this.namespace), "unix:ino");
			return executable.equals(this.corosync.toRealPath()) && network.equals("net:[" + inode + "]")
					&& SupervisedRun.isRunning(pid);
		}
		catch (IOException | UnsupportedOperationException ex) {
			return false;
		}
	}

	private boolean answers() throws IOException, InterruptedException {
		Process probe = command("corosync-quorumtool", "-s").redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.start();
		if (!probe.waitFor(5, TimeUnit.SECONDS)) {
			probe.destroyForcibly();
			probe.waitFor(5, TimeUnit.SECONDS);
			return false;
		}
		// 0 quorate, 2 not quorate, anything else no daemon answering
		return probe.exitValue() == 0 || probe.exitValue() == 2;
	}

	/**
	 * Stop the daemon: SIGTERM to its pid, SIGKILL if it has not exited within the bound.
	 * @param bound how long it has to exit after SIGTERM
	 * @return how long it took to exit
	 * @throws IllegalStateException when it is not running
	 */
	public synchronized Duration stop(Duration bound) throws InterruptedException {
		if (!isRunning()) {
			throw new IllegalStateException("corosync in " + this.namespace + " is not running");
		}
		long begin = System.nanoTime();
		ProcessHandle handle = ProcessHandle.of(this.daemonPid).orElseThrow();
		handle.destroy();
		if (!awaitExit(this.daemonPid, bound)) {
			logger.log(System.Logger.Level.WARNING,
					"corosync (pid {0}) in {1} still runs {2} ms after SIGTERM: SIGKILL", Long.toString(this.daemonPid),
					this.namespace, Long.toString(bound.toMillis()));
			handle.destroyForcibly();
			awaitExit(this.daemonPid, Duration.ofSeconds(5));
		}
		Duration took = Duration.ofNanos(System.nanoTime() - begin);
		reapDaemon();
		return took;
	}

	/**
	 * Stop the daemon, giving it 20 s after SIGTERM.
	 * @return how long it took to exit
	 * @see #stop(Duration)
	 */
	public Duration stop() throws InterruptedException {
		return stop(BOUND);
	}

	private static boolean awaitExit(long pid, Duration bound) throws InterruptedException {
		long deadline = System.nanoTime() + bound.toNanos();
		while (SupervisedRun.isRunning(pid)) {
			if (System.nanoTime() - deadline > 0) {
				return false;
			}
			Thread.sleep(5);
		}
		return true;
	}

	private void reapDaemon() throws InterruptedException {
		if (this.daemon.isAlive()) {
			this.daemon.destroyForcibly();
		}
		this.daemon.waitFor(5, TimeUnit.SECONDS);
		this.daemonPid = -1;
	}

	/**
	 * Whether the daemon runs.
	 * @return {@code true} between {@link #start()} and {@link #stop(Duration)}
	 */
	public synchronized boolean isRunning() {
		return this.daemonPid > 0 && SupervisedRun.isRunning(this.daemonPid);
	}

	/**
	 * Return the daemon's pid.
	 * @return the pid, or -1 while stopped
	 */
	public synchronized long pid() {
		return this.daemonPid;
	}

	/**
	 * Return the network namespace's name.
	 * @return such as {@code samboot-t-1a2b3c4d}
	 */
	public String namespace() {
		return this.namespace;
	}

	/**
	 * Return the directory of the configuration, the state directory and the log.
	 * @return the directory, deleted by {@link #close()}
	 */
	public Path directory() {
		return this.directory;
	}

	/**
	 * Return what the daemon has logged, over all its starts.
	 * @return the log
	 */
	public String log() {
		try {
			return Files.exists(this.log) ? Files.readString(this.log, StandardCharsets.UTF_8) : "";
		}
		catch (IOException ex) {
			return "(log unreadable: " + ex + ")";
		}
	}

	/**
	 * A command run in the namespace: {@code ip netns exec NAMESPACE COMMAND...}.
	 * @param command the command and its arguments
	 * @return the builder
	 */
	public ProcessBuilder command(String... command) {
		return command(List.of(command));
	}

	/**
	 * A command run in the namespace.
	 * @param command the command and its arguments
	 * @return the builder
	 * @see #command(String...)
	 */
	public ProcessBuilder command(List<String> command) {
		List<String> full = new ArrayList<>(List.of(this.ip.toString(), "netns", "exec", this.namespace));
		full.addAll(command);
		return new ProcessBuilder(full);
	}

	/**
	 * A JVM run in the namespace, on the test class path.
	 * @param main the class whose {@code main} runs
	 * @param args its arguments
	 * @return the command, for {@link SupervisedRun#start(List, String...)}
	 */
	public List<String> java(Class<?> main, String... args) {
		List<String> command = new ArrayList<>(SupervisedRun.javaCommand());
		command.add("-cp");
		command.add(SupervisedRun.testClassPath());
		command.add(main.getName());
		command.addAll(List.of(args));
		return command(command).command();
	}

	/**
	 * Run a command to its end.
	 * @return {@code null} when it exited 0, else its status and output
	 */
	private String run(List<String> command) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		process.getOutputStream().close();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
		if (!process.waitFor(10, TimeUnit.SECONDS)) {
			process.destroyForcibly();
			return String.join(" ", command) + " did not end within 10 s";
		}
		return (process.exitValue() == 0) ? null
				: String.join(" ", command) + " exited with " + process.exitValue() + ": " + output;
	}

	/**
	 * Stop the daemon (SIGKILL 5 s after SIGTERM), kill what is left in the namespace,
	 * delete the namespace and the files.
	 * @throws IllegalStateException when the namespace could not be deleted
	 */
	@Override
	public synchronized void close() {
		if (this.closed) {
			return;
		}
		String failure = cleanUp();
		try {
			Runtime.getRuntime().removeShutdownHook(this.cleanupOnExit);
		}
		catch (IllegalStateException ex) {
			// the JVM is exiting: the hook runs, or has run, the same clean-up
		}
		if (failure != null) {
			throw new IllegalStateException(failure);
		}
	}

	private synchronized String cleanUp() {
		if (this.closed) {
			return null;
		}
		this.closed = true;
		List<String> failures = new ArrayList<>();
		try {
			if (this.daemonPid > 0 && SupervisedRun.isRunning(this.daemonPid)) {
				stop(Duration.ofSeconds(5));
			}
			else if (this.daemon != null) {
				reapDaemon();
			}
			killWhatIsLeftInTheNamespace();
			String deleted = run(List.of(this.ip.toString(), "netns", "delete", this.namespace));
			if (deleted != null && Files.exists(Path.of("/run/netns", this.namespace))) {
				failures.add(deleted);
			}
		}
		catch (IOException | InterruptedException | RuntimeException ex) {
			failures.add("cleaning up " + this.namespace + ": " + ex);
		}
		removeIpcFiles();
		deleteDirectory();
		return failures.isEmpty() ? null : String.join("; ", failures);
	}

	/**
	 * {@code ip netns pids}: the processes in the namespace, all started by this test.
	 */
	private void killWhatIsLeftInTheNamespace() throws IOException, InterruptedException {
		if (!Files.exists(Path.of("/run/netns", this.namespace))) {
			return;
		}
		Process pids = new ProcessBuilder(this.ip.toString(), "netns", "pids", this.namespace).start();
		String output = new String(pids.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		pids.waitFor(10, TimeUnit.SECONDS);
		List<ProcessHandle> left = new ArrayList<>();
		for (String line : output.split("\\s+")) {
			if (!line.isBlank()) {
				ProcessHandle.of(Long.parseLong(line.trim())).ifPresent(left::add);
			}
		}
		for (ProcessHandle handle : left) {
			logger.log(System.Logger.Level.WARNING, "Killing pid {0}, left in {1}: {2}", Long.toString(handle.pid()),
					this.namespace, handle.info().commandLine().orElse("?"));
			handle.destroyForcibly();
		}
		for (ProcessHandle handle : left) {
			awaitExit(handle.pid(), Duration.ofSeconds(5));
		}
	}

	/**
	 * libqb keeps each client connection's rings in {@code /dev/shm/qb-<server pid>-...},
	 * which a daemon ended by SIGKILL leaves behind.
	 */
	private void removeIpcFiles() {
		try (Stream<Path> files = Files.list(Path.of("/dev/shm"))) {
			files
				.filter((file) -> this.daemonPids.stream()
					.anyMatch((pid) -> file.getFileName().toString().startsWith("qb-" + pid + "-")
							&& !SupervisedRun.isRunning(pid)))
				.forEach((file) -> {
					try {
						Files.deleteIfExists(file);
					}
					catch (IOException ex) {
						logger.log(System.Logger.Level.WARNING, "Cannot delete " + file + ": " + ex);
					}
				});
		}
		catch (IOException | UncheckedIOException ex) {
			logger.log(System.Logger.Level.DEBUG, "Cannot list /dev/shm: " + ex);
		}
	}

	private void deleteDirectory() {
		try (Stream<Path> paths = Files.walk(this.directory)) {
			paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
		}
		catch (IOException | UncheckedIOException ex) {
			logger.log(System.Logger.Level.WARNING, "Cannot delete " + this.directory + ": " + ex);
		}
	}

	@Override
	public String toString() {
		return "PrivateCorosync[" + this.namespace + ", " + (isRunning() ? "pid " + pid() : "stopped") + "]";
	}

}
