package dev.samboot.corosync;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.samboot.sam.SupervisedRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link PrivateCorosync} itself: its daemon is corosync, in a namespace of its own where
 * clients reach it and not the machine's corosync, it stops and starts again, and
 * {@code close()} leaves nothing behind.
 */
@Timeout(60)
class PrivateCorosyncTests {

	@Test
	void aPrivateCorosyncIsApartStopsStartsAgainAndLeavesNothingBehind() throws Exception {
		List<Long> pids = new ArrayList<>();
		String namespace;
		Path directory;
		Process left;
		try (PrivateCorosync corosync = PrivateCorosync.create()) {
			namespace = corosync.namespace();
			directory = corosync.directory();
			assertThat(directory.resolve("corosync.conf")).exists();
			assertThat(namespace).startsWith("samboot-t-");
			assertThat(Path.of("/run/netns", namespace)).exists();
			assertThat(corosync.isRunning()).isFalse();
			corosync.start();
			long first = corosync.pid();
			pids.add(first);
			assertThat(executable(first).getFileName()).hasToString("corosync");
			assertThat(network(first)).as("the daemon's network namespace").isNotEqualTo(network(selfPid()));
			assertThat(run(corosync.command("corosync-cmapctl", "-g", "totem.cluster_name")))
				.as("a client in the namespace reaches the private corosync")
				.contains("samboot-private");
			if (RunningCorosync.cmapUnavailableReason() == null) {
				try (Cmap host = Cmap.connect()) {
					assertThat(host.getString("totem.cluster_name")).as("this JVM reaches the machine's corosync")
						.isNotEqualTo("samboot-private");
				}
			}

			corosync.stop();
			assertThat(corosync.isRunning()).isFalse();
			assertThat(SupervisedRun.isRunning(first)).isFalse();
			assertThat(status(corosync.command("corosync-quorumtool", "-s"))).as("no daemon answers").isNotIn(0, 2);
			corosync.start();
			long second = corosync.pid();
			pids.add(second);
			assertThat(second).isNotEqualTo(first);
			assertThat(status(corosync.command("corosync-quorumtool", "-s"))).isZero();
			Process sleeping = corosync.command("sleep", "60").start();
			left = sleeping;
			String inside = network(second);
			// ip netns exec enters the namespace, then execs sleep
			await().atMost(Duration.ofSeconds(10)).until(() -> network(sleeping.pid()).equals(inside));
		}
		assertThat(Path.of("/run/netns", namespace)).as("the namespace is deleted").doesNotExist();
		assertThat(pids).noneMatch(SupervisedRun::isRunning);
		assertThat(left.waitFor(5, TimeUnit.SECONDS)).as("what was left in the namespace is killed").isTrue();
		try (Stream<Path> shm = Files.list(Path.of("/dev/shm"))) {
			assertThat(shm.map((file) -> file.getFileName().toString()))
				.noneMatch((name) -> pids.stream().anyMatch((pid) -> name.startsWith("qb-" + pid + "-")));
		}
		assertThat(directory).as("the configuration, state and log are deleted").doesNotExist();
	}

	private static long selfPid() {
		return ProcessHandle.current().pid();
	}

	private static Path executable(long pid) throws IOException {
		return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "exe"));
	}

	private static String network(long pid) throws IOException {
		return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "net")).toString();
	}

	private static String run(ProcessBuilder builder) throws IOException, InterruptedException {
		Process process = builder.redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
		return output;
	}

	private static int status(ProcessBuilder builder) throws IOException, InterruptedException {
		Process process = builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
		assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
		return process.exitValue();
	}

}
