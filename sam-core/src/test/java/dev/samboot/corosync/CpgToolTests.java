package dev.samboot.corosync;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import dev.samboot.sam.SamException;
import dev.samboot.sam.SupervisedRun;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link CpgTool} as an operator runs it: real JVMs in one group of the running corosync,
 * fed on their standard input, read on their output. Without a running corosync these
 * tests are skipped, saying why.
 */
@Timeout(60)
class CpgToolTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	/** This node's id, as the tools print it. */
	private static String node;

	/** Every tool a test started, ended by pid afterwards if it still runs. */
	private final List<Tool> tools = new ArrayList<>();

	@BeforeAll
	static void corosyncIsRunning() {
		String reason = null;
		try (Cpg cpg = Cpg.initialize(new CpgCallbacks() {

			@Override
			public void deliver(String group, int nodeId, int pid, byte[] message) {
			}

			@Override
			public void confchg(String group, List<CpgAddress> members, List<CpgAddress> left,
					List<CpgAddress> joined) {
			}

		})) {
			node = Integer.toUnsignedString(cpg.localGet());
		}
		catch (SamException ex) {
			reason = ex.getMessage();
		}
		String why = reason;
		assumeTrue(why == null, () -> "corosync is not running here, skipping its tests: " + why);
	}

	@AfterEach
	void endTools() throws InterruptedException {
		for (Tool tool : this.tools) {
			tool.end();
		}
	}

	@Test
	void twoToolsSeeEachOtherJoinDeliverInBothAndSeeTheLeaves() throws Exception {
		String group = "cpgtool-" + UUID.randomUUID();
		Tool a = start(group);
		a.await("joined node/pid " + node + "/" + a.pid() + " reason: 1");
		Tool b = start(group);
		// the first sees the second join; the second finds the first a member
		a.await("joined node/pid " + node + "/" + b.pid() + " reason: 1\n");
		b.await("joined node/pid " + node + "/" + b.pid() + " reason: 1\nnodes in group now 2\n");
		assertThat(b.output()).contains("membership list\nnode id " + node + " pid " + a.pid() + "\n")
			.contains("\nnode/pid " + node + "/" + a.pid() + "\n");
		String line = "hello from a " + UUID.randomUUID();
		a.write(line + "\n");
		String delivered = "DeliverCallback: message (len=" + (line.length() + 2) + ")from node/pid " + node + "/"
				+ a.pid() + ": '" + line + "\n'";
		a.await(delivered);
		b.await(delivered);
		a.closeInput();
		assertThat(a.awaitExit()).as(a.output()).isZero();
		// cpg_leave, not a crash: reason 2 (CPG_REASON_LEAVE), not 5 (PROCDOWN)
		b.await("left node/pid " + node + "/" + a.pid() + " reason: 2\nnodes in group now 1\nnode/pid " + node + "/"
				+ b.pid());
		// a background job of a script inherits SIGINT ignored: the tool's own
		// disposition
		Tool c = start(List.of("env", "--default-signal=INT"), group);
		b.await("joined node/pid " + node + "/" + c.pid() + " reason: 1\n");
		c.signal("INT");
		assertThat(c.awaitExit()).as(c.output()).isEqualTo(128 + 2);
		assertThat(c.output()).contains("Left the group and finalized on exit");
		b.await("left node/pid " + node + "/" + c.pid() + " reason: 2\nnodes in group now 1\n");
		b.closeInput();
		assertThat(b.awaitExit()).as(b.output()).isZero();
		assertThat(b.output()).doesNotContain("Restart operation").doesNotContain("cpg_mcast_joined:");
	}

	@Test
	void aToolThatInheritedSigintIgnoredSaysSoAndLeavesOnSigterm() throws Exception {
		String group = "cpgtool-" + UUID.randomUUID();
		Tool tool = start(List.of("sh", "-c", "trap '' INT; exec \"$@\"", "sh"), group);
		tool.await("joined node/pid " + node + "/" + tool.pid() + " reason: 1");
		assertThat(tool.output()).contains("SIGINT was inherited as ignored");
		tool.signal("TERM");
		assertThat(tool.awaitExit()).as(tool.output()).isEqualTo(128 + 15);
		assertThat(tool.output()).contains("Left the group and finalized on exit");
	}

	@Test
	void aNameOf200BytesIsRefusedWithCorosyncsError() throws Exception {
		Tool tool = start("n".repeat(200));
		assertThat(tool.awaitExit()).as(tool.output()).isEqualTo(1);
		assertThat(tool.output()).contains("NAME_TOO_LONG").contains("200 bytes");
	}

	@Test
	void aSecondGroupOnTheCommandLineIsAUsageError() throws Exception {
		Tool tool = start("one", "two");
		assertThat(tool.awaitExit()).as(tool.output()).isEqualTo(2);
		assertThat(tool.output()).contains("Usage: CpgTool [-i] [group]");
	}

	@Test
	void withoutCorosyncTheToolSaysLibraryAndFails() throws Exception {
		assumeTrue(isRoot() && new ProcessBuilder("ip", "-V").start().waitFor() == 0,
				"a network namespace without corosync needs root and ip(8)");
		// libqb's sockets are abstract: a namespace of its own has no corosync to reach
		String namespace = "cpgtool-" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 100000;
		assertThat(run("ip", "netns", "add", namespace)).isZero();
		try {
			Tool tool = start(List.of("ip", "netns", "exec", namespace), "some-group");
			assertThat(tool.awaitExit()).as(tool.output()).isEqualTo(1);
			assertThat(tool.output()).contains("Could not initialize Cluster Process Group API instance, error 2")
				.contains("CS_ERR_LIBRARY");
		}
		finally {
			assertThat(run("ip", "netns", "delete", namespace)).isZero();
		}
	}

	private static boolean isRoot() throws IOException, InterruptedException {
		Process id = new ProcessBuilder("id", "-u").start();
		String uid = new String(id.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
		return id.waitFor() == 0 && uid.equals("0");
	}

	private static int run(String... command) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(command).inheritIO().start();
		if (!process.waitFor(10, TimeUnit.SECONDS)) {
			process.destroyForcibly();
			return -1;
		}
		return process.exitValue();
	}

	private Tool start(String... args) throws IOException {
		return start(List.of(), args);
	}

	private Tool start(List<String> prefix, String... args) throws IOException {
		List<String> command = new ArrayList<>(prefix);
		command.addAll(SupervisedRun.javaCommand());
		command.add("-cp");
		command.add(SupervisedRun.testClassPath());
		command.add(CpgTool.class.getName());
		command.addAll(List.of(args));
		Tool tool = new Tool(new ProcessBuilder(command).redirectErrorStream(true).start());
		this.tools.add(tool);
		return tool;
	}

	/** A tool's process, its output collected as it comes. */
	private static final class Tool {

		private final Process process;

		private final StringBuilder output = new StringBuilder();

		private final Thread reader;

		Tool(Process process) {
			this.process = process;
			this.reader = new Thread(this::read, "cpgtool-output-" + process.pid());
			this.reader.setDaemon(true);
			this.reader.start();
		}

		private void read() {
			byte[] buffer = new byte[8192];
			try (InputStream in = this.process.getInputStream()) {
				int n;
				while ((n = in.read(buffer)) >= 0) {
					synchronized (this.output) {
						this.output.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
					}
				}
			}
			catch (IOException ex) {
				// the process is gone
			}
		}

		long pid() {
			return this.process.pid();
		}

		String output() {
			synchronized (this.output) {
				return this.output.toString();
			}
		}

		void await(String text) throws InterruptedException {
			long deadline = System.nanoTime() + WAIT.toNanos();
			boolean alive = true;
			while (!output().contains(text) && alive && System.nanoTime() - deadline < 0) {
				alive = this.process.isAlive();
				Thread.sleep(10);
			}
			if (!alive) {
				this.reader.join(TimeUnit.SECONDS.toMillis(5));
			}
			assertThat(output()).as("the output of " + pid() + (alive ? "" : ", which exited,") + " within " + WAIT)
				.contains(text);
		}

		void write(String text) throws IOException {
			OutputStream in = this.process.getOutputStream();
			in.write(text.getBytes(StandardCharsets.UTF_8));
			in.flush();
		}

		void closeInput() throws IOException {
			this.process.getOutputStream().close();
		}

		void signal(String name) throws IOException, InterruptedException {
			Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).inheritIO().start();
			assertThat(kill.waitFor()).isZero();
		}

		int awaitExit() throws InterruptedException {
			assertThat(this.process.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("exited in time: " + output())
				.isTrue();
			this.reader.join(TimeUnit.SECONDS.toMillis(5));
			return this.process.exitValue();
		}

		void end() throws InterruptedException {
			if (this.process.isAlive()) {
				this.process.destroyForcibly();
				this.process.waitFor(10, TimeUnit.SECONDS);
			}
		}

	}

}
