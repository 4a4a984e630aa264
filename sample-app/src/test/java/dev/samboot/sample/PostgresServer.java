package dev.samboot.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A throw-away PostgreSQL server for the end-to-end tests, run from Debian's binaries
 * ({@code /usr/lib/postgresql/<version>/bin}): {@code initdb} into a fresh temporary
 * directory, then {@code postgres} on a free loopback port with its socket in that
 * directory. It can be stopped (fast shutdown, SIGKILL after a bound) and started again
 * on the same data and port, as an outage and its end. PostgreSQL refuses to run as root:
 * as root, {@code initdb} and {@code postgres} run as the {@code postgres} user through
 * {@code setpriv}, which executes them in place, so the started process is the postmaster
 * itself. {@link #close()} stops it, by pid, and deletes the directory. The packaged
 * cluster, if any, is never touched.
 */
final class PostgresServer implements AutoCloseable {

	/**
	 * How long start-up may take until the server accepts connections, on a busy machine.
	 */
	private static final Duration START = Duration.ofSeconds(60);

	/** How long a fast shutdown may take before SIGKILL. */
	private static final Duration STOP = Duration.ofSeconds(15);

	private static final String OS_USER = "postgres";

	/** The database superuser, whichever OS user runs the server. */
	static final String USER = "postgres";

	private final Path bin;

	private final boolean asPostgresUser;

	private final Path directory;

	private final Path data;

	private final Path socket;

	private final Path log;

	private final int port;

	private Process postmaster;

	private PostgresServer(Path bin, boolean asPostgresUser, Path directory, Path log, int port) {
		this.bin = bin;
		this.asPostgresUser = asPostgresUser;
		this.directory = directory;
		this.data = directory.resolve("data");
		this.socket = directory.resolve("socket");
		this.log = log;
		this.port = port;
	}

	/**
	 * Create a cluster and start it; skip the test (a JUnit assumption) where PostgreSQL
	 * is not installed or cannot run here.
	 * @param name names the server's output file, {@code target/e2e/postgres-<name>.log}
	 * @return the running server
	 */
	static PostgresServer start(String name) throws IOException, InterruptedException {
		Optional<Path> bin = binaries();
		assumeTrue(bin.isPresent(), "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/postgres); "
				+ ".ci/run installs Debian's postgresql package");
		boolean root = isRoot();
		if (root) {
			assumeTrue(userExists(OS_USER), "running as root, and there is no '" + OS_USER
					+ "' user to run PostgreSQL as (PostgreSQL refuses to run as root)");
			assumeTrue(executable("setpriv").isPresent(),
					"running as root, and there is no setpriv to run PostgreSQL as '" + OS_USER + "'");
		}
		Path directory = Files.createTempDirectory("samboot-pg-");
		Path log = Files.createDirectories(targetDirectory().resolve("e2e")).resolve("postgres-" + name + ".log");
		Files.deleteIfExists(log);
		SampleAppProcess.addOutputOfThisTest(log);
		PostgresServer server = new PostgresServer(bin.get(), root, directory, log, freePort());
		try {
			server.initdb();
			server.start();
			return server;
		}
		catch (IOException | InterruptedException | RuntimeException | Error ex) {
			server.close();
			throw ex;
		}
	}

	/**
	 * The newest {@code /usr/lib/postgresql/<version>/bin} that holds {@code initdb} and
	 * {@code postgres}.
	 * @return the directory, or empty when PostgreSQL is not installed
	 */
	static Optional<Path> binaries() {
		Path root = Path.of("/usr/lib/postgresql");
		if (!Files.isDirectory(root)) {
			return Optional.empty();
		}
		List<Path> found = new ArrayList<>();
		try (DirectoryStream<Path> versions = Files.newDirectoryStream(root)) {
			for (Path version : versions) {
				Path bin = version.resolve("bin");
				if (Files.isExecutable(bin.resolve("initdb")) && Files.isExecutable(bin.resolve("postgres"))) {
					found.add(bin);
				}
			}
		}
		catch (IOException ex) {
			return Optional.empty();
		}
		return found.stream().max(Comparator.comparing(PostgresServer::majorVersion));
	}

	private static int majorVersion(Path bin) {
		try {
			return Integer.parseInt(bin.getParent().getFileName().toString());
		}
		catch (NumberFormatException ex) {
			return -1;
		}
	}

	int port() {
		return this.port;
	}

	/**
	 * The JDBC URL of the {@code postgres} database.
	 * @return such as {@code jdbc:postgresql://127.0.0.1:41234/postgres}
	 */
	String jdbcUrl() {
		return "jdbc:postgresql://127.0.0.1:" + this.port + "/postgres";
	}

	Path log() {
		return this.log;
	}

	/**
	 * The temporary directory that holds the data directory and the socket.
	 * @return the directory, deleted by {@link #close()}
	 */
	Path directory() {
		return this.directory;
	}

	boolean isRunning() {
		return this.postmaster != null && this.postmaster.isAlive();
	}

	/**
	 * The postmaster's pid.
	 * @return the pid, or empty when stopped
	 */
	Optional<Long> pid() {
		return isRunning() ? Optional.of(this.postmaster.pid()) : Optional.empty();
	}

	private void initdb() throws IOException, InterruptedException {
		Files.createDirectories(this.socket);
		if (this.asPostgresUser) {
			chownToPostgres(this.directory);
			chownToPostgres(this.socket);
		}
		List<String> command = command(this.bin.resolve("initdb").toString(), "-D", this.data.toString(), "-U", USER,
				"--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync");
		Process initdb = builder(command).start();
		if (!initdb.waitFor(START.toSeconds(), TimeUnit.SECONDS)) {
			initdb.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			throw new IllegalStateException("initdb did not finish within " + START.toSeconds() + " s\n" + logTail());
		}
		if (initdb.exitValue() != 0) {
			throw new IllegalStateException("initdb exited with status " + initdb.exitValue() + "\n" + logTail());
		}
	}

	/**
	 * Start the server on its data directory and port, and wait until it accepts
	 * connections.
	 */
	void start() throws IOException, InterruptedException {
		if (isRunning()) {
			throw new IllegalStateException("PostgreSQL already runs (pid " + this.postmaster.pid() + ")");
		}
		appendToLog("--- " + Instant.now() + " starting postgres on 127.0.0.1:" + this.port + " ---\n");
		List<String> command = command(this.bin.resolve("postgres").toString(), "-D", this.data.toString(), "-p",
				Integer.toString(this.port), "-c", "listen_addresses=127.0.0.1", "-k", this.socket.toString(), "-c",
				"fsync=off", "-c", "max_connections=50", "-c", "shared_buffers=16MB");
		this.postmaster = builder(command).start();
		awaitAcceptingConnections();
	}

	private void awaitAcceptingConnections() throws InterruptedException {
		Instant deadline = Instant.now().plus(START);
		SQLException last = null;
		while (Instant.now().isBefore(deadline)) {
			if (!this.postmaster.isAlive()) {
				throw new IllegalStateException(
						"postgres exited with status " + this.postmaster.exitValue() + " at start\n" + logTail());
			}
			DriverManager.setLoginTimeout(5);
			try (Connection connection = DriverManager.getConnection(jdbcUrl(), USER, "")) {
				if (connection.isValid(5)) {
					return;
				}
			}
			catch (SQLException ex) {
				last = ex;
			}
			Thread.sleep(100);
		}
		throw new IllegalStateException("PostgreSQL did not accept connections on " + jdbcUrl() + " within "
				+ START.toSeconds() + " s: " + last + "\n" + logTail());
	}

	/**
	 * Stop the server with a fast shutdown (SIGINT: sessions are ended, the data is
	 * checkpointed), and SIGKILL it if it has not ended within a bound. Does nothing when
	 * it is not running.
	 */
	void stop() throws InterruptedException {
		Process process = this.postmaster;
		if (process == null) {
			return;
		}
		if (process.isAlive()) {
			appendToLog("--- " + Instant.now() + " fast shutdown of pid " + process.pid() + " ---\n");
			signal(process.pid(), "INT");
			if (!process.waitFor(STOP.toMillis(), TimeUnit.MILLISECONDS)) {
				appendToLog("--- pid " + process.pid() + " still runs after " + STOP.toSeconds() + " s: SIGKILL ---\n");
				process.destroyForcibly();
				if (!process.waitFor(10, TimeUnit.SECONDS)) {
					throw new IllegalStateException("postgres (pid " + process.pid() + ") still runs after SIGKILL");
				}
			}
		}
		this.postmaster = null;
	}

	/**
	 * Stop the server if it runs, and delete its directory.
	 */
	@Override
	public void close() {
		boolean interrupted = Thread.interrupted();
		try {
			stop();
		}
		catch (InterruptedException ex) {
			interrupted = true;
			if (this.postmaster != null) {
				this.postmaster.destroyForcibly();
			}
		}
		finally {
			deleteRecursively(this.directory);
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	private List<String> command(String... arguments) {
		List<String> command = new ArrayList<>();
		if (this.asPostgresUser) {
			command.addAll(List.of("setpriv", "--reuid=" + OS_USER, "--regid=" + OS_USER, "--init-groups", "--"));
		}
		command.addAll(List.of(arguments));
		return command;
	}

	private ProcessBuilder builder(List<String> command) {
		ProcessBuilder builder = new ProcessBuilder(command).directory(this.directory.toFile())
			.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(this.log.toFile()));
		builder.environment().keySet().removeIf((name) -> name.startsWith("PG") || name.startsWith("SAM_"));
		builder.environment().put("LC_ALL", "C");
		if (this.asPostgresUser) {
			builder.environment().put("HOME", this.directory.toString());
			builder.environment().put("USER", OS_USER);
			builder.environment().put("LOGNAME", OS_USER);
		}
		return builder;
	}

	private static void signal(long pid, String signal) throws InterruptedException {
		try {
			Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true)
				.start();
			kill.getInputStream().readAllBytes();
			kill.waitFor(10, TimeUnit.SECONDS);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void chownToPostgres(Path path) throws IOException {
		UserPrincipalLookupService lookup = path.getFileSystem().getUserPrincipalLookupService();
		UserPrincipal user = lookup.lookupPrincipalByName(OS_USER);
		GroupPrincipal group = lookup.lookupPrincipalByGroupName(OS_USER);
		PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
		view.setOwner(user);
		view.setGroup(group);
	}

	private static boolean isRoot() throws IOException, InterruptedException {
		Process id = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
		String uid = new String(id.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
		id.waitFor(10, TimeUnit.SECONDS);
		return "0".equals(uid);
	}

	private static boolean userExists(String name) {
		try {
			Path.of("/").getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(name);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static Optional<Path> executable(String name) {
		return Stream.of(System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":"))
			.map((directory) -> Path.of(directory, name))
			.filter(Files::isExecutable)
			.findFirst();
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	private static Path targetDirectory() {
		return Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("target");
	}

	private void appendToLog(String text) {
		try {
			Files.writeString(this.log, text, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
					java.nio.file.StandardOpenOption.APPEND);
		}
		catch (IOException ex) {
			// the log only explains failures
		}
	}

	private String logTail() {
		try {
			List<String> lines = Files.readAllLines(this.log);
			return "--- last lines of " + this.log + " ---\n"
					+ String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
		}
		catch (IOException ex) {
			return "(no log: " + ex + ")";
		}
	}

	private static void deleteRecursively(Path directory) {
		if (!Files.exists(directory)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(directory)) {
			paths.sorted(Comparator.reverseOrder()).forEach((path) -> {
				try {
					Files.deleteIfExists(path);
				}
				catch (IOException ex) {
					// left for the system's temporary-file cleaning
				}
			});
		}
		catch (IOException ex) {
			// same
		}
	}

}
