package dev.samboot.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.awaitility.core.ConditionTimeoutException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.awaitility.Awaitility.await;

/**
 * A throw-away Prometheus server for the end-to-end tests, run from Debian's
 * {@code prometheus} package: {@code /usr/bin/prometheus} on a free loopback port, with a
 * configuration, a data directory and copies of the given rule files of its own in a
 * fresh temporary directory, scraping given targets every second and evaluating the rules
 * every second. {@link #close()} stops it, by pid (SIGTERM, SIGKILL after a bound), and
 * deletes the directory. A Prometheus that the package's installation started, if any, is
 * never used.
 */
final class PrometheusServer implements AutoCloseable {

	/** How long start-up may take until the server answers ready, on a busy machine. */
	private static final Duration START = Duration.ofSeconds(30);

	/** How long a clean stop (it writes its head block) may take before SIGKILL. */
	private static final Duration STOP = Duration.ofSeconds(15);

	private final Process process;

	private final Path directory;

	private final int port;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private final JsonMapper json = JsonMapper.builder().build();

	private PrometheusServer(Process process, Path directory, int port) {
		this.process = process;
		this.directory = directory;
		this.port = port;
	}

	/**
	 * The {@code prometheus} binary: on the {@code PATH}, or Debian's.
	 * @return the binary, or empty when Prometheus is not installed
	 */
	static Optional<Path> prometheus() {
		return executable("prometheus");
	}

	/**
	 * The {@code promtool} binary, which the same package ships.
	 * @return the binary, or empty when it is not installed
	 */
	static Optional<Path> promtool() {
		return executable("promtool");
	}

	private static Optional<Path> executable(String name) {
		List<Path> candidates = new ArrayList<>();
		String path = System.getenv("PATH");
		if (path != null) {
			for (String directory : path.split(":")) {
				if (!directory.isEmpty()) {
					candidates.add(Path.of(directory, name));
				}
			}
		}
		candidates.add(Path.of("/usr/bin", name));
		return candidates.stream().filter(Files::isExecutable).findFirst();
	}

	/**
	 * Start Prometheus scraping {@code metricsPath} of the targets every second and
	 * evaluating the rule files every second.
	 * @param binary the {@code prometheus} binary
	 * @param name names the output file, {@code target/e2e/prometheus-<name>.log}
	 * @param job the scrape job's name, the {@code job} label of every series
	 * @param metricsPath such as {@code /actuator/prometheus}
	 * @param targets {@code host:port} of each target
	 * @param ruleFiles rule files to load
	 * @return the server, ready
	 */
	static PrometheusServer start(Path binary, String name, String job, String metricsPath, List<String> targets,
			List<Path> ruleFiles) throws IOException {
		Path directory = Files.createTempDirectory("samboot-prometheus-");
		Path config = directory.resolve("prometheus.yml");
		StringBuilder yaml = new StringBuilder();
		yaml.append("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n");
		yaml.append("rule_files:\n");
		Path rules = Files.createDirectories(directory.resolve("rules"));
		for (Path file : ruleFiles) {
			// a copy, byte for byte: the web UI shows where the rules came from
			Path copy = Files.copy(file, rules.resolve(file.getFileName()));
			yaml.append("  - '").append(copy).append("'\n");
		}
		yaml.append("scrape_configs:\n  - job_name: '").append(job).append("'\n");
		yaml.append("    metrics_path: '").append(metricsPath).append("'\n");
		yaml.append("    static_configs:\n      - targets:\n");
		targets.forEach((target) -> yaml.append("          - '").append(target).append("'\n"));
		Files.writeString(config, yaml);
		int port = freePort();
		Path log = Files.createDirectories(targetDirectory().resolve("e2e")).resolve("prometheus-" + name + ".log");
		SampleAppProcess.addOutputOfThisTest(log);
		Process process = new ProcessBuilder(binary.toString(), "--config.file=" + config,
				"--storage.tsdb.path=" + directory.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
				"--web.user-assets=" + Files.createDirectories(directory.resolve("user")))
			.redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		PrometheusServer server = new PrometheusServer(process, directory, port);
		try {
			server.awaitReady();
			return server;
		}
		catch (RuntimeException | Error ex) {
			server.close();
			throw ex;
		}
	}

	private void awaitReady() {
		try {
			await("Prometheus to be ready").atMost(START).pollInterval(Duration.ofMillis(100)).until(() -> {
				if (!this.process.isAlive()) {
					throw new AssertionError("Prometheus exited with status " + this.process.exitValue());
				}
				return get("/-/ready").map(HttpResponse::statusCode).orElse(0) == 200;
			});
		}
		catch (ConditionTimeoutException ex) {
			throw new AssertionError("Prometheus was not ready within " + START.toSeconds() + " s", ex);
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	private static Path targetDirectory() {
		return Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("target");
	}

	long pid() {
		return this.process.pid();
	}

	/**
	 * Where its web UI and HTTP API answer.
	 * @return such as {@code http://127.0.0.1:41234}
	 */
	String url() {
		return "http://127.0.0.1:" + this.port;
	}

	/**
	 * The directory whose files the server serves under {@code /user/}
	 * ({@code --web.user-assets}): pages there may script the web UI, which has the same
	 * origin.
	 * @return the directory
	 */
	Path userAssets() {
		return this.directory.resolve("user");
	}

	/**
	 * The web UI's alerts page: Debian's package serves the classic UI only, under
	 * {@code /classic}.
	 * @return the page's URL
	 */
	String alertsPage() {
		boolean classic = get("/classic/alerts").map(HttpResponse::statusCode).orElse(0) == 200;
		return url() + (classic ? "/classic/alerts" : "/alerts");
	}

	/**
	 * Run an instant query through the HTTP API ({@code /api/v1/query}).
	 * @param query the PromQL expression
	 * @return the result, {@code data.result}: one element per series
	 */
	JsonNode query(String query) {
		JsonNode answer = api("/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
		return answer.path("data").path("result");
	}

	/**
	 * The alerts that are pending or firing ({@code /api/v1/alerts}).
	 * @return {@code data.alerts}
	 */
	JsonNode alerts() {
		return api("/api/v1/alerts").path("data").path("alerts");
	}

	/**
	 * The loaded rule groups and their health ({@code /api/v1/rules}).
	 * @return {@code data.groups}
	 */
	JsonNode ruleGroups() {
		return api("/api/v1/rules").path("data").path("groups");
	}

	private JsonNode api(String pathAndQuery) {
		HttpResponse<String> response = get(pathAndQuery)
			.orElseThrow(() -> new AssertionError("Prometheus did not answer GET " + pathAndQuery));
		JsonNode answer = this.json.readTree(response.body());
		if (response.statusCode() != 200 || !"success".equals(answer.path("status").asString())) {
			throw new AssertionError("GET " + pathAndQuery + ": " + response.statusCode() + " " + response.body());
		}
		return answer;
	}

	private Optional<HttpResponse<String>> get(String pathAndQuery) {
		HttpRequest request = HttpRequest.newBuilder(URI.create(url() + pathAndQuery))
			.timeout(Duration.ofSeconds(10))
			.GET()
			.build();
		try {
			return Optional.of(this.http.send(request, HttpResponse.BodyHandlers.ofString()));
		}
		catch (IOException ex) {
			return Optional.empty();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return Optional.empty();
		}
	}

	/**
	 * Stop the server by pid (SIGTERM, then SIGKILL after a bound) and delete its
	 * directory. Runs to the end even when the test was interrupted by its timeout.
	 */
	@Override
	public void close() {
		boolean interrupted = Thread.interrupted();
		try {
			this.process.destroy();
			if (!this.process.waitFor(STOP.toMillis(), TimeUnit.MILLISECONDS)) {
				System.out.println(
						"Prometheus " + pid() + " did not stop within " + STOP.toSeconds() + " s of SIGTERM: SIGKILL");
				this.process.destroyForcibly();
				if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
					throw new AssertionError("Prometheus " + pid() + " still runs after SIGKILL");
				}
			}
			deleteRecursively(this.directory);
		}
		catch (InterruptedException ex) {
			interrupted = true;
			this.process.destroyForcibly();
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	private static void deleteRecursively(Path directory) {
		if (!Files.exists(directory)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(directory)) {
			for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(path);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
