package dev.samboot.sample;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.samboot.corosync.RunningCorosync;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static dev.samboot.sample.SampleAppProcess.START_UP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The alert rules and the dashboard of {@code docs/observability} against the real thing:
 * {@code promtool} checks the rules and runs their unit tests, and a real Prometheus
 * (Debian's package, on a port and a data directory of its own) scrapes the sample jar's
 * {@code /actuator/prometheus} every second while the sample is made to crash three times
 * in a row; the crash-loop alert fires, as shipped, and every metric that the dashboard
 * and the rules query exists. Where corosync runs, the sample runs under
 * {@code sam.policy=quorum-restart} in a CPG group of its own, so that the quorum and CPG
 * meters exist too. Skipped, saying why, where the {@code prometheus} package is not
 * installed.
 */
@ExtendWith(PrintOutputOnFailure.class)
class PrometheusIT {

	private static final Path OBSERVABILITY = Path.of(System.getProperty("basedir", ""))
		.toAbsolutePath()
		.getParent()
		.resolve("docs")
		.resolve("observability");

	private static final Path RULES = OBSERVABILITY.resolve("sam-alerts.yml");

	private static final Path RULE_TESTS = OBSERVABILITY.resolve("sam-alerts-test.yml");

	private static final Path DASHBOARD = OBSERVABILITY.resolve("sam-dashboard.json");

	private static final String JOB = "sample-app";

	private static final int CRASHES = 3;

	/**
	 * From the scrape that sees the last restart to the alert firing: a scrape (1 s) and
	 * an evaluation (1 s), with room for a loaded machine.
	 */
	private static final Duration ALERT = Duration.ofSeconds(20);

	/**
	 * Set to a file name, the test also takes a screenshot of Prometheus' alerts page
	 * while the alert fires, with headless Chromium.
	 */
	private static final String SCREENSHOT_PROPERTY = "samboot.prometheus.screenshot";

	/** The meters that exist only with a quorum policy or a CPG group. */
	private static final Pattern NEEDS_COROSYNC = Pattern.compile("sam_quorate|sam_cpg_.*");

	private static final Set<String> PROMQL_KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without",
			"on", "ignoring", "group_left", "group_right", "inf", "nan");

	private final JsonMapper json = JsonMapper.builder().build();

	@Test
	@Timeout(60)
	void promtoolChecksTheRulesAndTheirUnitTestsPass() throws Exception {
		Path promtool = promtool();
		List<Map<String, Object>> rules = rules();
		String checked = run(promtool, "check", "rules", RULES.toString());
		assertThat(checked).contains("SUCCESS: " + rules.size() + " rules found");
		String tested = run(promtool, "test", "rules", RULE_TESTS.toString());
		assertThat(tested).contains("SUCCESS");
		for (Map<String, Object> rule : rules) {
			assertThat(rule).as("rule %s", rule.get("alert")).containsKeys("alert", "expr", "labels", "annotations");
			assertThat(map(rule.get("labels"))).as("labels of %s", rule.get("alert")).containsKey("severity");
			assertThat(map(rule.get("annotations"))).as("annotations of %s", rule.get("alert"))
				.containsKeys("summary", "description");
		}
		// every alert is tested both firing and not firing
		Set<String> alerts = new TreeSet<>();
		rules.forEach((rule) -> alerts.add((String) rule.get("alert")));
		Set<String> testedFiring = new TreeSet<>();
		Set<String> testedNotFiring = new TreeSet<>();
		for (Object test : list(load(RULE_TESTS).get("tests"))) {
			for (Object alertTest : list(map(test).get("alert_rule_test"))) {
				Map<String, Object> check = map(alertTest);
				List<Object> expected = list(check.get("exp_alerts"));
				(expected.isEmpty() ? testedNotFiring : testedFiring).add((String) check.get("alertname"));
			}
		}
		assertThat(testedFiring).as("alerts tested firing").isEqualTo(alerts);
		assertThat(testedNotFiring).as("alerts tested not firing").isEqualTo(alerts);
	}

	@Test
	@Timeout(150)
	void crashLoopAlertFiresInARealPrometheusAndTheDashboardsMetricsExist() throws Exception {
		Path prometheus = PrometheusServer.prometheus().orElse(null);
		assumeTrue(prometheus != null, "Prometheus is not installed (no prometheus on the PATH or in /usr/bin); "
				+ ".ci/run installs Debian's prometheus package");
		String corosyncMissing = corosyncUnavailableReason();
		List<String> args = new ArrayList<>();
		if (corosyncMissing == null) {
			args.add("--sam.policy=quorum-restart");
			args.add("--sam.cpg.group=samboot-prometheus-it-" + UUID.randomUUID());
		}
		else {
			System.out.println("corosync is not running here (" + corosyncMissing
					+ "): the sample runs without quorum policy and CPG group, and the quorum and CPG meters are "
					+ "not checked");
		}
		Instant begin = Instant.now();
		try (SampleAppProcess app = SampleAppProcess.start("prometheus", args.toArray(String[]::new));
				PrometheusServer server = PrometheusServer.start(prometheus, "crash-loop", JOB, "/actuator/prometheus",
						List.of("127.0.0.1:" + app.port()), List.of(RULES))) {
			String target = "127.0.0.1:" + app.port();
			String selector = "{job=\"" + JOB + "\",instance=\"" + target + "\"}";
			app.awaitInstance(1, START_UP);
			for (int instance = 1; instance <= CRASHES; instance++) {
				// Prometheus has seen this instance serve before it crashes
				awaitValue(server, "sam_instance_id" + selector, instance, app);
				app.post("/demo/crash?status=3");
				app.awaitInstance(instance + 1, START_UP);
			}
			awaitValue(server, "sam_instance_id" + selector, CRASHES + 1, app);
			Instant lastRestartSeen = Instant.now();
			JsonNode alert = awaitFiring(server, "SamCrashLoop", target, app);
			Duration alertDelay = Duration.between(lastRestartSeen, Instant.now());
			assertThat(alert.path("labels").path("severity").asString()).isEqualTo("critical");
			assertThat(alert.path("labels").path("job").asString()).isEqualTo(JOB);
			assertThat(alert.path("annotations").path("description").asString())
				.contains("started " + CRASHES + " new instances in the last 10 minutes");
			assertThat(firingAlertNames(server)).as("the alerts firing").containsExactly("SamCrashLoop");
			assertThat(value(server, "sam_restarts_total" + selector)).isEqualTo(CRASHES);
			assertThat(value(server, "sam_recoveries_total{job=\"" + JOB + "\",reason=\"exited\"}")).isEqualTo(CRASHES);
			// across four instances, Prometheus saw no counter go down
			for (String counter : List.of("sam_restarts_total", "sam_recoveries_total",
					"sam_restart_backoff_seconds_total")) {
				assertThat(value(server, "max(resets(" + counter + "{job=\"" + JOB + "\"}[10m]))")).as(counter)
					.isZero();
			}
			if (corosyncMissing == null) {
				assertThat(value(server, "sam_quorate" + selector)).isEqualTo(1);
			}
			for (JsonNode group : server.ruleGroups()) {
				for (JsonNode rule : group.path("rules")) {
					assertThat(rule.path("health").asString())
						.as("health of rule %s: %s", rule.path("name").asString(), rule.path("lastError").asString())
						.isEqualTo("ok");
				}
			}
			Set<String> dashboardMetrics = dashboardMetrics();
			Set<String> ruleMetrics = new TreeSet<>();
			rules().forEach((rule) -> ruleMetrics.addAll(metricNames((String) rule.get("expr"))));
			assertThat(dashboardMetrics).contains("sam_instance_id", "sam_restarts_total", "sam_recoveries_total",
					"sam_restart_backoff_seconds_total", "sam_healthcheck_seconds_count", "sam_quorate", "up");
			Set<String> all = new TreeSet<>(dashboardMetrics);
			all.addAll(ruleMetrics);
			List<String> missing = new ArrayList<>();
			List<String> notChecked = new ArrayList<>();
			for (String metric : all) {
				if (corosyncMissing != null && NEEDS_COROSYNC.matcher(metric).matches()) {
					notChecked.add(metric);
				}
				else if (server.query("count(" + metric + "{job=\"" + JOB + "\"})").isEmpty()) {
					missing.add(metric);
				}
			}
			System.out.printf("PrometheusIT: %d metrics of the dashboard and the rules exist in Prometheus: %s%s%n",
					all.size() - notChecked.size() - missing.size(), all,
					notChecked.isEmpty() ? "" : "; not checked without corosync: " + notChecked);
			assertThat(missing).as("metrics the dashboard or the rules query that Prometheus does not have").isEmpty();
			String screenshot = System.getProperty(SCREENSHOT_PROPERTY);
			if (screenshot != null && !screenshot.isBlank()) {
				screenshot(expandedAlertsPage(server), Path.of(screenshot));
			}
			System.out.printf(
					"PrometheusIT: %d crashes, alert fired %d ms after Prometheus saw instance %d, "
							+ "%d s from the sample's start%n",
					CRASHES, alertDelay.toMillis(), CRASHES + 1, Duration.between(begin, Instant.now()).toSeconds());
		}
	}

	private static Path promtool() {
		Optional<Path> promtool = PrometheusServer.promtool();
		if (promtool.isEmpty()) {
			assumeTrue(PrometheusServer.prometheus().isPresent(),
					"Prometheus is not installed (no promtool or prometheus on the PATH or in /usr/bin); "
							+ ".ci/run installs Debian's prometheus package");
			throw new AssertionError("prometheus is installed but promtool, from the same package, is not found");
		}
		return promtool.get();
	}

	private static String corosyncUnavailableReason() {
		String cmap = RunningCorosync.cmapUnavailableReason();
		return (cmap != null) ? cmap : RunningCorosync.cpgUnavailableReason();
	}

	private static void awaitValue(PrometheusServer server, String query, double expected, SampleAppProcess app) {
		try {
			await(query + " == " + expected).atMost(START_UP)
				.pollInterval(Duration.ofMillis(200))
				.until(() -> value(server, query) == expected);
		}
		catch (ConditionTimeoutException ex) {
			throw new AssertionError("Prometheus did not see " + query + " == " + expected + " within "
					+ START_UP.toSeconds() + " s; it has " + server.query(query) + "\n" + app.tail(), ex);
		}
	}

	private static double value(PrometheusServer server, String query) {
		JsonNode result = server.query(query);
		if (result.size() != 1) {
			return Double.NaN;
		}
		return Double.parseDouble(result.get(0).path("value").get(1).asString());
	}

	private static JsonNode awaitFiring(PrometheusServer server, String name, String instance, SampleAppProcess app) {
		JsonNode[] found = new JsonNode[1];
		try {
			await(name + " to fire").atMost(ALERT).pollInterval(Duration.ofMillis(200)).until(() -> {
				for (JsonNode alert : server.alerts()) {
					if (name.equals(alert.path("labels").path("alertname").asString())
							&& instance.equals(alert.path("labels").path("instance").asString())
							&& "firing".equals(alert.path("state").asString())) {
						found[0] = alert;
						return true;
					}
				}
				return false;
			});
		}
		catch (ConditionTimeoutException ex) {
			throw new AssertionError(name + " did not fire within " + ALERT.toSeconds() + " s; alerts: "
					+ server.alerts() + "; increase(sam_restarts_total[10m]): "
					+ server.query("increase(sam_restarts_total[10m])") + "\n" + app.tail(), ex);
		}
		return found[0];
	}

	private static List<String> firingAlertNames(PrometheusServer server) {
		List<String> names = new ArrayList<>();
		for (JsonNode alert : server.alerts()) {
			if ("firing".equals(alert.path("state").asString())) {
				names.add(alert.path("labels").path("alertname").asString());
			}
		}
		return names;
	}

	/**
	 * The metrics that the dashboard's panels and variables query.
	 */
	private Set<String> dashboardMetrics() throws IOException {
		JsonNode dashboard = this.json.readTree(Files.readString(DASHBOARD));
		Set<String> metrics = new TreeSet<>();
		List<String> expressions = new ArrayList<>();
		collectExpressions(dashboard.path("panels"), expressions);
		for (JsonNode variable : dashboard.path("templating").path("list")) {
			String query = variable.path("query").isObject() ? variable.path("query").path("query").asString()
					: variable.path("query").asString();
			// label_values(selector, label): the label is no metric
			Matcher labelValues = Pattern.compile("label_values\\((.*),\\s*\\w+\\s*\\)").matcher(query);
			if ("query".equals(variable.path("type").asString()) && labelValues.matches()) {
				expressions.add(labelValues.group(1));
			}
		}
		assertThat(expressions).as("the dashboard's expressions").isNotEmpty();
		expressions.forEach((expression) -> metrics.addAll(metricNames(expression)));
		return metrics;
	}

	private static void collectExpressions(JsonNode panels, List<String> expressions) {
		for (JsonNode panel : panels) {
			for (JsonNode target : panel.path("targets")) {
				String expr = target.path("expr").asString();
				if (!expr.isBlank()) {
					expressions.add(expr);
				}
			}
			collectExpressions(panel.path("panels"), expressions);
		}
	}

	/**
	 * The metric names in a PromQL expression: what is left once strings, Grafana
	 * variables, label matchers, ranges and grouping clauses are taken out, less
	 * functions (a name followed by a parenthesis) and keywords.
	 */
	static Set<String> metricNames(String expression) {
		String bare = expression.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
			.replaceAll("\\$\\{?\\w+}?", " ")
			.replaceAll("\\{[^}]*}", " ")
			.replaceAll("\\[[^]]*]", " ")
			.replaceAll("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
		Matcher name = Pattern.compile("(?<![\\w.])[a-zA-Z_:][a-zA-Z0-9_:]*+(?!\\s*\\()").matcher(bare);
		Set<String> names = new TreeSet<>();
		while (name.find()) {
			if (!PROMQL_KEYWORDS.contains(name.group().toLowerCase())) {
				names.add(name.group());
			}
		}
		return names;
	}

	private static List<Map<String, Object>> rules() throws IOException {
		List<Map<String, Object>> rules = new ArrayList<>();
		for (Object group : list(load(RULES).get("groups"))) {
			list(map(group).get("rules")).forEach((rule) -> rules.add(map(rule)));
		}
		assertThat(rules).as("the rules of %s", RULES).isNotEmpty();
		return rules;
	}

	private static Map<String, Object> load(Path file) throws IOException {
		try (InputStream in = Files.newInputStream(file)) {
			return map(new Yaml().load(in));
		}
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(Object value) {
		return (value instanceof Map) ? (Map<String, Object>) value : new LinkedHashMap<>();
	}

	@SuppressWarnings("unchecked")
	private static List<Object> list(Object value) {
		return (value instanceof List) ? (List<Object>) value : List.of();
	}

	/**
	 * Run a command in the observability directory (the rule tests name the rules
	 * relative to it) and return its output, failing on a non-zero status.
	 */
	private static String run(Path command, String... args) throws IOException, InterruptedException {
		List<String> line = new ArrayList<>();
		line.add(command.toString());
		line.addAll(List.of(args));
		Process process = new ProcessBuilder(line).directory(OBSERVABILITY.toFile()).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		if (!process.waitFor(30, TimeUnit.SECONDS)) {
			process.destroyForcibly();
			throw new AssertionError(String.join(" ", line) + " did not end within 30 s");
		}
		System.out.print(output);
		assertThat(process.exitValue()).as("exit status of %s; output:%n%s", String.join(" ", line), output).isZero();
		return output;
	}

	/**
	 * A page of the server's own that shows its alerts page with the firing rules opened
	 * and their annotations shown, as a click on each does.
	 * @return the page's URL
	 */
	private static String expandedAlertsPage(PrometheusServer server) throws IOException {
		String alerts = URI.create(server.alertsPage()).getPath();
		Files.writeString(server.userAssets().resolve("alerts-expanded.html"),
				"""
						<!DOCTYPE html>
						<html>
						<head><style>html, body { margin: 0; height: 100%%; } iframe { border: 0; width: 100%%; height: 100%%; }</style></head>
						<body>
						<iframe id="ui" src="%s"></iframe>
						<script>
						document.getElementById('ui').addEventListener('load', function () {
						  var page = this.contentWindow;
						  page.$('tr.alert_header.alert-danger').click();
						  page.$('div.show-annotations').click();
						});
						</script>
						</body>
						</html>
						"""
					.formatted(alerts));
		return server.url() + "/user/alerts-expanded.html";
	}

	/**
	 * Take a screenshot of a page with headless Chromium, in a profile directory of its
	 * own. It ends by itself once the page has rendered; what it started and is still
	 * running afterwards (found by that directory in their command lines) is ended by
	 * pid.
	 */
	private static void screenshot(String url, Path file) throws IOException, InterruptedException {
		Path chromium = Path.of("/usr/bin/chromium");
		assertThat(chromium).as("headless Chromium for the screenshot (%s)", SCREENSHOT_PROPERTY).isExecutable();
		Path profile = Files.createTempDirectory("samboot-chromium-");
		String profileOption = "--user-data-dir=" + profile;
		Process process = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
				"--hide-scrollbars", profileOption, "--screenshot=" + file.toAbsolutePath(), "--window-size=1400,900",
				"--virtual-time-budget=10000", url)
			.redirectErrorStream(true)
			.start();
		CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
			try {
				return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			}
			catch (IOException ex) {
				return ex.toString();
			}
		});
		boolean ended = process.waitFor(60, TimeUnit.SECONDS);
		if (!ended) {
			process.destroyForcibly();
		}
		List<ProcessHandle> started = ProcessHandle.allProcesses()
			.filter((handle) -> handle.info()
				.arguments()
				.filter((arguments) -> List.of(arguments).contains(profileOption))
				.isPresent())
			.toList();
		try {
			await("Chromium's processes to end").atMost(Duration.ofSeconds(10))
				.until(() -> started.stream().noneMatch(ProcessHandle::isAlive));
		}
		catch (ConditionTimeoutException ex) {
			started.forEach(ProcessHandle::destroyForcibly);
		}
		try (Stream<Path> paths = Files.walk(profile)) {
			paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
		}
		String said = output.getNow("");
		assertThat(ended).as("Chromium ended within 60 s: %s", said).isTrue();
		assertThat(file).as("the screenshot; Chromium said: %s", said).isNotEmptyFile();
		System.out.println("Screenshot of " + url + " in " + file.toAbsolutePath());
	}

}
