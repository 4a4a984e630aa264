package dev.samboot.test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.samboot.sam.Recovery;
import dev.samboot.sam.Sam;
import dev.samboot.sam.SamState;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the test supervisor does at the ends of a context: it quits as the policy says,
 * and leaves no thread or socket behind when the context closes; and it stays away when
 * told to.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SamTestSupervisorLifecycleTests {

	private static final List<String> SAMBOOT_THREADS = List.of("in-process-supervisor", "in-process-instances",
			"sam-channel", "sam-health-check");

	private Set<Thread> others;

	private Set<Path> othersSockets;

	@Test
	void withTheQuitPolicyARecoveryQuitsAndClosingTheContextLeavesNothing() throws IOException {
		Set<Path> sockets;
		try (ConfigurableApplicationContext context = context("--sam.policy=quit", "--sam.interval=2s")) {
			Sam sam = context.getBean(Sam.class);
			SamTestSupervisor supervisor = context.getBean(SamTestSupervisor.class);
			sockets = channelSocketsOfThisJvm();
			assertThat(sockets).as("the supervisor's socket").hasSize(1);
			assertThat(sambootThreads()).contains("in-process-supervisor", "sam-channel", "sam-health-check");
			supervisor.recover(Recovery.Reason.EXITED);
			assertThat(supervisor.exitStatus()).as("quit with the instance's status").hasValue(1);
			assertThat(sam.state()).as("no next instance").isEqualTo(SamState.FINALIZED);
			assertThat(sam.instanceId()).isEqualTo(1);
		}
		assertThat(sambootThreadsOnceGone()).as("left after the context closed").isEmpty();
		assertThat(channelSocketsOfThisJvm()).isEmpty();
		assertThat(sockets).allSatisfy((socket) -> assertThat(socket.getParent()).doesNotExist());
	}

	@Test
	void aRunningSupervisorIsGoneWhenTheContextCloses() throws IOException {
		Sam sam;
		try (ConfigurableApplicationContext context = context("--sam.interval=2s")) {
			sam = context.getBean(Sam.class);
			assertThat(sam.state()).isEqualTo(SamState.STARTED);
			assertThat(channelSocketsOfThisJvm()).as("the supervisor's socket").hasSize(1);
		}
		assertThat(sam.state()).as("ended with its supervisor").isEqualTo(SamState.FINALIZED);
		assertThat(sambootThreadsOnceGone()).isEmpty();
		assertThat(channelSocketsOfThisJvm()).isEmpty();
	}

	@Test
	void switchedOffThereIsNoSam() {
		try (ConfigurableApplicationContext context = context("--sam.test.supervisor.enabled=false")) {
			assertThat(context.getBeanNamesForType(Sam.class)).isEmpty();
			assertThat(context.getBeanNamesForType(SamTestSupervisor.class)).isEmpty();
		}
	}

	private static ConfigurableApplicationContext context(String... args) {
		return new SpringApplicationBuilder(CounterApplication.class).web(WebApplicationType.NONE).run(args);
	}

	/**
	 * Contexts other test classes cached may hold a supervisor of their own: their
	 * threads and sockets do not count.
	 */
	@BeforeEach
	void noteOthers() throws IOException {
		this.others = Thread.getAllStackTraces().keySet();
		this.othersSockets = channelSocketsOfThisJvm();
	}

	private List<String> sambootThreads() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter(Thread::isAlive)
			.filter((thread) -> !this.others.contains(thread))
			.map(Thread::getName)
			.filter(SAMBOOT_THREADS::contains)
			.toList();
	}

	/** Threads end a moment after their sockets close: wait a little for them. */
	private List<String> sambootThreadsOnceGone() {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
		List<String> names = sambootThreads();
		while (!names.isEmpty() && System.nanoTime() - deadline < 0 && pause()) {
			names = sambootThreads();
		}
		return names;
	}

	private static boolean pause() {
		try {
			Thread.sleep(20);
			return true;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	/**
	 * The bound samboot channel sockets that this JVM holds open: the inodes of its
	 * socket descriptors, looked up in the kernel's table of Unix sockets.
	 */
	private Set<Path> channelSocketsOfThisJvm() throws IOException {
		Set<String> inodes = new HashSet<>();
		try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
			for (Path fd : fds.toList()) {
				try {
					String target = Files.readSymbolicLink(fd).toString();
					if (target.startsWith("socket:[")) {
						inodes.add(target.substring(8, target.length() - 1));
					}
				}
				catch (IOException ex) {
					// closed meanwhile
				}
			}
		}
		Set<Path> sockets = new HashSet<>();
		for (String line : Files.readAllLines(Path.of("/proc/net/unix"))) {
			String[] fields = line.trim().split("\\s+");
			if (fields.length >= 8 && inodes.contains(fields[6]) && fields[7].contains("/samboot-")
					&& (this.othersSockets == null || !this.othersSockets.contains(Path.of(fields[7])))) {
				sockets.add(Path.of(fields[7]));
			}
		}
		return sockets;
	}

}
