package dev.samboot.sample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.samboot.corosync.PrivateCorosync;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * "A cpg process that fails healthchecking is restarted": the sample jar, supervised,
 * with {@code sam.cpg.group}, on a corosync of its own in a network namespace. corosync
 * is stopped: the instance loses the group, its {@code cpg} indicator turns DOWN after
 * {@code sam.cpg.rejoin-timeout}, the liveness check fails and the supervisor recovers it
 * ({@code unhealthy}); the instances after it cannot join while corosync is away and fail
 * to start, and are launched again after a wait; corosync is started again and the next
 * instance joins, the only member of the group. The application is read through its log,
 * since it serves inside the namespace. Skipped, saying why, where no private corosync
 * can run (not root, no {@code ip}).
 */
@ExtendWith(PrintOutputOnFailure.class)
class CpgLostGroupIT {

	private static final Pattern LAUNCHED = Pattern
		.compile("Launched instance (\\d+) of the active process \\(pid (\\d+)\\)");

	private static final Duration WAIT = Duration.ofSeconds(90);

	@Test
	@Timeout(300)
	void anInstanceOutOfItsGroupBeyondTheRejoinTimeoutIsRestartedAndALaterOneJoins() throws Exception {
		String group = "samboot-lost-" + UUID.randomUUID().toString().substring(0, 8);
		try (PrivateCorosync corosync = PrivateCorosync.create()) {
			corosync.start();
			Path output = Files.createDirectories(Path.of("target", "e2e")).resolve("cpg-lost.log");
			SampleAppProcess.addOutputOfThisTest(output);
			List<String> command = new ArrayList<>(
					List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
							"-XX:TieredStopAtLevel=1", "-jar", SampleAppProcess.jar().toString(), "--sam.interval=1s",
							"--sam.cpg.group=" + group, "--sam.cpg.rejoin-timeout=2s",
							"--sam.restart.start-retry.initial=1s", "--sam.restart.start-retry.max=2s"));
			ProcessBuilder builder = corosync.command(command)
				.redirectErrorStream(true)
				.redirectOutput(output.toFile());
			builder.environment().keySet().removeIf((variable) -> variable.startsWith("SAM_"));
			Process supervisor = builder.start();
			try {
				long instance1 = awaitJoined(output, 1, group);
				corosync.stop();
				long stoppedAt = System.nanoTime();
				String down = awaitLine(output, "Health check down");
				assertThat(down).contains("cpg=DOWN").contains("rejoinTimeout=PT2S");
				awaitLine(output, "Instance 1 reports it is unhealthy");
				long unhealthyAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt);
				awaitLine(output, "Launched instance 2 ");
				// while corosync is away, instances fail to start and are retried
				awaitLine(output, "sam.cpg.group");
				awaitLine(output, "Launched instance 3 ");
				corosync.start();
				long answeredAt = System.nanoTime();
				int joinedInstance = awaitAnyJoinAfter(output, 2, group);
				long joinedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - answeredAt);
				long joinedPid = pidOf(output, joinedInstance);
				assertThat(joinedPid).isNotEqualTo(instance1);
				String members = run(corosync.command("corosync-cpgtool", "-e"));
				assertThat(members).contains(group)
					.contains(Long.toString(joinedPid))
					.doesNotContain(Long.toString(instance1));
				System.out.printf("CPG group lost with corosync: instance 1 unhealthy %d ms after corosync was "
						+ "stopped (rejoin timeout 2 s, T 1 s); instance %d joined %d ms after corosync answered again%n",
						unhealthyAfter, joinedInstance, joinedAfter);
			}
			finally {
				supervisor.destroy();
				if (!supervisor.waitFor(30, TimeUnit.SECONDS)) {
					supervisor.descendants().forEach(ProcessHandle::destroyForcibly);
					supervisor.destroyForcibly();
				}
			}
		}
	}

	private static long awaitJoined(Path output, int instance, String group) throws IOException {
		long pid = pidOf(output, instance);
		awaitLine(output, "Joined CPG group '" + group + "' as 1/" + pid + ",");
		return pid;
	}

	/** Wait for an instance after {@code after} to join; return its id. */
	private static int awaitAnyJoinAfter(Path output, int after, String group) {
		int[] joined = new int[1];
		await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
			String log = read(output);
			Matcher launched = LAUNCHED.matcher(log);
			while (launched.find()) {
				int id = Integer.parseInt(launched.group(1));
				if (id > after && log.contains("Joined CPG group '" + group + "' as 1/" + launched.group(2) + ",")) {
					joined[0] = id;
					return true;
				}
			}
			return false;
		});
		return joined[0];
	}

	private static long pidOf(Path output, int instance) {
		String line = awaitLine(output, "Launched instance " + instance + " of the active process");
		Matcher matcher = LAUNCHED.matcher(line);
		assertThat(matcher.find()).isTrue();
		return Long.parseLong(matcher.group(2));
	}

	/** Wait for a line holding the text; return the line. */
	private static String awaitLine(Path output, String text) {
		String[] found = new String[1];
		await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
			for (String line : read(output).split("\n")) {
				if (line.contains(text)) {
					found[0] = line;
					return true;
				}
			}
			return false;
		});
		return found[0];
	}

	private static String read(Path output) throws IOException {
		return Files.exists(output) ? Files.readString(output, StandardCharsets.UTF_8) : "";
	}

	private static String run(ProcessBuilder builder) throws IOException, InterruptedException {
		Process process = builder.redirectErrorStream(true).start();
		String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
		return out;
	}

}
