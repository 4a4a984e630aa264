package dev.samboot.sample;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.samboot.corosync.RunningCorosync;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The sample jars enable native access in their manifests ({@code Enable-Native-Access:
 * ALL-UNNAMED}), which {@code java -jar} reads on JDK 22 and later, and on a JDK that
 * warns about native access (24 and later) the supervised application starts and stops
 * without the JDK's restricted-method warning: neither the JVM the user started (jffi's
 * execv), nor its instances, nor the lean supervisor (with jnr for corosync, started with
 * {@code java -cp}, which gets the flag on its command line).
 */
@ExtendWith(PrintOutputOnFailure.class)
class NativeAccessIT {

	private static final String ATTRIBUTE = "Enable-Native-Access";

	/** The JDK's warning, first line: "WARNING: A restricted method in ...". */
	private static final String RESTRICTED = "restricted method";

	private static final Pattern LAUNCHED = Pattern
		.compile("Launched instance \\d+ of the active process \\(pid (\\d+)\\)");

	@Test
	void bothSampleJarsEnableNativeAccessInTheirManifests() throws IOException {
		// the main jar is built with samboot's layout, the aot jar with Spring Boot's
		Map<Path, String> launchers = Map.of(SampleAppProcess.jar(), "dev.samboot.launcher.SamJarLauncher",
				SampleAppProcess.jar("aot"), "org.springframework.boot.loader.launch.JarLauncher");
		for (Map.Entry<Path, String> jar : launchers.entrySet()) {
			try (JarFile file = new JarFile(jar.getKey().toFile())) {
				Manifest manifest = file.getManifest();
				assertThat(manifest.getMainAttributes().getValue(ATTRIBUTE)).as(jar.getKey() + " " + ATTRIBUTE)
					.isEqualTo("ALL-UNNAMED");
				// the repackaged jar, that java -jar starts through a launcher
				assertThat(manifest.getMainAttributes().getValue("Main-Class")).as(jar.getKey().toString())
					.isEqualTo(jar.getValue());
			}
		}
	}

	@Test
	@Timeout(180)
	void startsAndStopsWithoutTheRestrictedMethodWarning() throws Exception {
		Path output = run("native-access", List.of());
		assertThat(Files.readString(output)).contains("Supervising in a lean JVM: ").doesNotContain(RESTRICTED);
	}

	@Test
	@Timeout(180)
	void leanSupervisorWithCorosyncsBindingsStartsWithoutTheWarning() throws Exception {
		String unavailable = RunningCorosync.cmapUnavailableReason();
		assumeTrue(unavailable == null, () -> "corosync's cmap does not answer here: " + unavailable);
		Path output = run("native-access-cmap", List.of("--sam.cmap.enabled=true"));
		String text = Files.readString(output);
		// the lean supervisor's class path has jffi, which it loads for cmap
		assertThat(text)
			.containsPattern("Supervising in a lean JVM: .*" + Pattern.quote("--enable-native-access=ALL-UNNAMED")
					+ " -cp .*jffi-")
			.contains("policy restart+cmap")
			.doesNotContain(RESTRICTED);
	}

	/**
	 * Start the sample jar on a JDK 24 or later, wait for instance 1 to call start(),
	 * stop the supervisor with SIGTERM, and wait for it and its instance to end.
	 */
	private static Path run(String name, List<String> args) throws Exception {
		Optional<Path> java = javaThatWarns();
		assumeTrue(java.isPresent(), "no JDK 24 or later here (this JVM, JAVA_24_HOME or /usr/lib/jvm)");
		List<String> command = new ArrayList<>(
				List.of(java.get().toString(), "-XX:TieredStopAtLevel=1", "-jar", SampleAppProcess.jar().toString(),
						"--server.port=" + freePort(), "--logging.level.dev.samboot.sam=debug"));
		command.addAll(args);
		Path output = Files.createDirectories(Path.of(System.getProperty("basedir", ""), "target", "e2e"))
			.resolve(name + ".log");
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
		builder.environment().keySet().removeIf((variable) -> variable.startsWith("SAM_"));
		SampleAppProcess.addOutputOfThisTest(output);
		Process supervisor = builder.start();
		List<Long> instances = new ArrayList<>();
		try {
			await("instance 1 to start supervision").atMost(Duration.ofSeconds(90))
				.pollInterval(Duration.ofMillis(200))
				.until(() -> {
					assertThat(supervisor.isAlive()).as("supervisor alive").isTrue();
					return Files.readString(output).contains("samboot supervision started: instance 1");
				});
			Matcher launched = LAUNCHED.matcher(Files.readString(output));
			while (launched.find()) {
				instances.add(Long.parseLong(launched.group(1)));
			}
			assertThat(instances).hasSize(1);
			supervisor.destroy();
			assertThat(supervisor.waitFor(60, TimeUnit.SECONDS)).as("supervisor ended after SIGTERM").isTrue();
			assertThat(Files.readString(output, StandardCharsets.UTF_8)).contains("Supervisor exits with status");
			await("instance 1 to end").atMost(Duration.ofSeconds(30))
				.until(() -> ProcessHandle.of(instances.get(0)).map((p) -> !p.isAlive()).orElse(true));
			return output;
		}
		finally {
			// only what this test started: the supervisor and the instances it launched
			for (long pid : instances) {
				ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
			}
			supervisor.destroyForcibly();
			supervisor.waitFor(30, TimeUnit.SECONDS);
		}
	}

	/** This JVM if it is 24 or later, else one beside it. */
	private static Optional<Path> javaThatWarns() throws IOException {
		if (Runtime.version().feature() >= 24) {
			return Optional.of(Path.of(System.getProperty("java.home"), "bin", "java"));
		}
		List<Path> homes = new ArrayList<>();
		String given = System.getenv("JAVA_24_HOME");
		if (given != null) {
			homes.add(Path.of(given));
		}
		if (Files.isDirectory(Path.of("/usr/lib/jvm"))) {
			try (DirectoryStream<Path> jdks = Files.newDirectoryStream(Path.of("/usr/lib/jvm"))) {
				jdks.forEach(homes::add);
			}
		}
		for (Path home : homes) {
			Path java = home.resolve("bin/java");
			if (Files.isExecutable(java) && featureVersion(home) >= 24) {
				return Optional.of(java);
			}
		}
		return Optional.empty();
	}

	private static int featureVersion(Path home) {
		try {
			for (String line : Files.readAllLines(home.resolve("release"))) {
				if (line.startsWith("JAVA_VERSION=")) {
					return Integer.parseInt(line.replaceAll("JAVA_VERSION=\"?(\\d+).*", "$1"));
				}
			}
		}
		catch (IOException | NumberFormatException ex) {
			// not a JDK this test can read
		}
		return 0;
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
