package dev.samboot.sam.internal.channel;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import dev.samboot.sam.Signals;
import dev.samboot.sam.SupervisedRun;
import dev.samboot.sam.TestSam;
import dev.samboot.sam.internal.channel.Message.DataStore;
import dev.samboot.sam.internal.channel.Message.Heartbeat;
import dev.samboot.sam.internal.channel.Message.Hello;
import dev.samboot.sam.internal.channel.Message.MarkFailed;
import dev.samboot.sam.internal.channel.Message.Start;
import dev.samboot.sam.internal.channel.Message.Stop;
import dev.samboot.sam.internal.channel.Message.WarnSignalSet;
import dev.samboot.sam.internal.process.SamEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The channel's rules (only the active process, presenting the run's token from its own
 * pid, may act on the supervisor; a bad frame closes its connection and never stops
 * supervision or touches the stored data) against a real supervisor ({@link TestSam}'s
 * {@code guarded} scenario, which prints the state a cmap policy would publish):
 * connections from this JVM, a process other than the active one, try to act on the
 * supervisor without the token, with a wrong one (also aimed at the next instance's pid
 * before that instance connects), with the token but another pid, or as a second
 * connection of the instance; and a flood of random frames runs while the instance sends
 * heartbeats. The supervisor's state is then read back through what it hands the next
 * instance.
 */
@Timeout(90)
class ChannelSecurityTests {

	private static final Duration START = Duration.ofSeconds(30);

	private static final String INTERVAL = "1000";

	private static final Duration FLOOD = Duration.ofSeconds(3);

	private static final byte[] EVIL = "evil".getBytes(StandardCharsets.UTF_8);

	@TempDir
	Path temporary;

	@Test
	void strangersCannotHeartbeatStoreDataSetTheWarnSignalOrMarkFailed() throws Exception {
		try (SupervisedRun run = SupervisedRun.testSamIn(this.temporary, "guarded", INTERVAL)) {
			long instance = run.awaitInstance(1, START);
			run.awaitLine("ready"::equals, START);
			Map<String, String> environment = SupervisedRun.environmentOf(instance);
			Path socket = Path.of(environment.get(SamEnvironment.SOCKET));
			byte[] token = HexFormat.of().parseHex(environment.get(SamEnvironment.TOKEN));
			byte[] wrongToken = token.clone();
			wrongToken[0] ^= 1;
			run.tell("silent");
			run.awaitLine("silent"::equals, START);
			AtomicInteger attempts = new AtomicInteger();
			await().atMost(START).pollInterval(Duration.ofMillis(10)).until(() -> {
				long active = run.process().children().mapToLong(ProcessHandle::pid).max().orElse(instance);
				Hello hello = switch (attempts.getAndIncrement() % 4) {
					case 0 -> new Hello(wrongToken, active);
					case 1 -> new Hello(token, ProcessHandle.current().pid());
					case 2 -> new Hello(token, instance);
					default -> null;
				};
				assertThat(actOnSupervisor(socket, hello)).as("bytes sent to a stranger (%s)", hello).isEmpty();
				return run.find((line) -> line.startsWith("handed over")).isPresent();
			});
			System.out.printf("strangers: %d attempts while instance 1 was silent%n", attempts.get());
			assertThat(attempts.get()).isGreaterThan(4);
			assertThat(run.find((line) -> line.startsWith("instance 2 ")).orElseThrow())
				.endsWith("reasons [hc-timeout]");
			assertThat(run.find((line) -> line.startsWith("handed over")))
				.hasValue("handed over: data original, warn signal 15");
			assertThat(publishedStates(run)).containsExactly("stopped", "running", "stopped");
			run.tell("exit");
			assertThat(run.awaitExit(START)).as(run.output()).isZero();
			assertThat(run.output())
				.contains("presented a wrong token", "already connected", "first frame is not HELLO",
						"Instance 1 (pid " + instance + ") missed its health check: sending SIGTERM",
						"published remove")
				.doesNotContain("FAIL");
		}
	}

	@Test
	void floodOfRandomFramesNeitherStopsSupervisionNorTouchesTheStoredData() throws Exception {
		try (SupervisedRun run = SupervisedRun.testSamIn(this.temporary, "guarded", INTERVAL)) {
			long instance = run.awaitInstance(1, START);
			run.awaitLine("ready"::equals, START);
			Map<String, String> environment = SupervisedRun.environmentOf(instance);
			Flood flood = new Flood(Path.of(environment.get(SamEnvironment.SOCKET)),
					HexFormat.of().parseHex(environment.get(SamEnvironment.TOKEN)), instance);
			long started = System.nanoTime();
			long end = started + FLOOD.toNanos();
			while (System.nanoTime() - end < 0) {
				flood.connection();
			}
			System.out.printf("flood: %d connections, %d frames in %d ms%n", flood.connections, flood.frames,
					(System.nanoTime() - started) / 1_000_000);
			assertThat(SupervisedRun.isRunning(instance)).as(run.output()).isTrue();
			assertThat(run.output()).doesNotContain("instance 2")
				.doesNotContain("missed its health check")
				.contains("Dropped a channel connection (1000 so far)");
			run.tell("silent");
			assertThat(run.awaitLine((line) -> line.startsWith("instance 2 "), START)).endsWith("reasons [hc-timeout]");
			assertThat(run.awaitLine((line) -> line.startsWith("handed over"), START))
				.isEqualTo("handed over: data original, warn signal 15");
			assertThat(publishedStates(run)).containsExactly("stopped", "running", "stopped");
			run.tell("exit");
			assertThat(run.awaitExit(START)).as(run.output()).isZero();
		}
	}

	@Test
	void socketDirectoryIsPrivateAndRemovedWhenTheSupervisorQuits() throws Exception {
		try (SupervisedRun run = SupervisedRun.testSamIn(this.temporary, "guarded", INTERVAL)) {
			Path directory = socketDirectory(run.awaitInstance(1, START));
			assertPrivate(directory);
			run.awaitLine("ready"::equals, START);
			run.tell("silent");
			run.awaitLine((line) -> line.startsWith("handed over"), START);
			run.tell("exit");
			assertThat(run.awaitExit(START)).as(run.output()).isZero();
			assertThat(directory).doesNotExist();
			assertThat(this.temporary).isEmptyDirectory();
		}
	}

	@Test
	void socketDirectoryIsRemovedWhenTheSupervisorIsStoppedWithSigterm() throws Exception {
		try (SupervisedRun run = SupervisedRun.testSamIn(this.temporary, "heartbeat-forever", "500")) {
			Path directory = socketDirectory(run.awaitInstance(1, START));
			assertPrivate(directory);
			run.process().toHandle().destroy();
			assertThat(run.awaitExit(START)).as(run.output()).isEqualTo(128 + Signals.SIGTERM);
			assertThat(directory).doesNotExist();
			assertThat(this.temporary).isEmptyDirectory();
		}
	}

	private Path socketDirectory(long instancePid) throws IOException {
		Path socket = Path.of(SupervisedRun.environmentOf(instancePid).get(SamEnvironment.SOCKET));
		assertThat(socket.getParent().getParent()).isEqualTo(this.temporary);
		assertThat(Files.readAttributes(socket, "unix:mode").get("mode")).as("socket file type")
			.satisfies((mode) -> assertThat((Integer) mode & 0170000).isEqualTo(0140000));
		return socket.getParent();
	}

	private static void assertPrivate(Path directory) throws IOException {
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory))).isEqualTo("rwx------");
		assertThat(Files.getOwner(directory).getName()).isEqualTo(System.getProperty("user.name"));
	}

	private static List<String> publishedStates(SupervisedRun run) {
		return run.lines()
			.stream()
			.filter((line) -> line.startsWith("published state "))
			.map((line) -> line.substring("published state ".length()))
			.toList();
	}

	/**
	 * Connect, send the hello (if any) and every message that would change the
	 * supervisor's state, and return what the supervisor sent back before it closed the
	 * connection.
	 */
	private static byte[] actOnSupervisor(Path socket, Hello hello) throws IOException {
		try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
			channel.connect(UnixDomainSocketAddress.of(socket));
			ByteArrayOutputStream frames = new ByteArrayOutputStream();
			for (Message message : new Message[] { hello, new Heartbeat(), new DataStore(EVIL),
					new WarnSignalSet(Signals.SIGKILL), new MarkFailed(), new Stop(), new Start() }) {
				if (message != null) {
					frames.write(FuzzedFrames.encode(message));
				}
			}
			writeQuietly(channel, frames.toByteArray());
			return readUntilClosed(channel, Duration.ofSeconds(10));
		}
	}

	private static byte[] readUntilClosed(SocketChannel channel, Duration timeout) throws IOException {
		channel.configureBlocking(false);
		ByteArrayOutputStream received = new ByteArrayOutputStream();
		ByteBuffer buffer = ByteBuffer.allocate(4096);
		long deadline = System.nanoTime() + timeout.toNanos();
		try (Selector selector = Selector.open()) {
			channel.register(selector, SelectionKey.OP_READ);
			while (System.nanoTime() - deadline < 0) {
				selector.select(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
				selector.selectedKeys().clear();
				int read;
				try {
					while ((read = channel.read(buffer.clear())) > 0) {
						received.write(buffer.array(), 0, read);
					}
				}
				catch (IOException ex) {
					return received.toByteArray();
				}
				if (read < 0) {
					return received.toByteArray();
				}
			}
		}
		throw new AssertionError("the supervisor kept a stranger's connection open for " + timeout);
	}

	/**
	 * The supervisor closes a refused connection at once; what was not written yet does
	 * not matter.
	 */
	private static void writeQuietly(SocketChannel channel, byte[] bytes) {
		ByteBuffer buffer = ByteBuffer.wrap(bytes);
		try {
			while (buffer.hasRemaining()) {
				channel.write(buffer);
			}
		}
		catch (IOException ex) {
			// closed by the supervisor
		}
	}

	/**
	 * Connections with random, damaged and hostile frames, some after a hello that is
	 * refused.
	 */
	private static final class Flood {

		private final Path socket;

		private final byte[] token;

		private final long instancePid;

		private final FuzzedFrames fuzz = new FuzzedFrames(Long.getLong("sam.fuzz.seed", 0x5a3b007L),
				Codec.maxFrameBytes(4096));

		private int connections;

		private int frames;

		Flood(Path socket, byte[] token, long instancePid) {
			this.socket = socket;
			this.token = token;
			this.instancePid = instancePid;
		}

		void connection() throws IOException {
			ByteArrayOutputStream bytes = new ByteArrayOutputStream();
			switch (this.fuzz.random().nextInt(5)) {
				case 0 -> bytes.write(FuzzedFrames
					.encode(new Hello(this.fuzz.random().nextBoolean() ? this.token : new byte[Codec.TOKEN_BYTES],
							ProcessHandle.current().pid())));
				case 1 -> bytes.write(FuzzedFrames.encode(new Hello(this.token, this.instancePid)));
				default -> {
				}
			}
			int count = this.fuzz.random().nextInt(8);
			for (int i = 0; i < count; i++) {
				bytes.write(this.fuzz.frame().bytes());
			}
			this.frames += count;
			this.connections++;
			try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
				channel.connect(UnixDomainSocketAddress.of(this.socket));
				writeQuietly(channel, bytes.toByteArray());
			}
		}

	}

}
