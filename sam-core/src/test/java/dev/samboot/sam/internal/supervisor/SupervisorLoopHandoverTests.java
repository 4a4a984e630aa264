package dev.samboot.sam.internal.supervisor;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.samboot.sam.CsError;
import dev.samboot.sam.RecoveryPolicy;
import dev.samboot.sam.Signals;
import dev.samboot.sam.internal.channel.ChannelDirectory;
import dev.samboot.sam.internal.channel.Codec;
import dev.samboot.sam.internal.channel.FrameDecoder;
import dev.samboot.sam.internal.channel.Message;
import dev.samboot.sam.internal.channel.Message.Hello;
import dev.samboot.sam.internal.channel.Message.Reply;
import dev.samboot.sam.internal.channel.Message.Start;
import dev.samboot.sam.internal.channel.Message.Welcome;
import dev.samboot.sam.internal.process.CarriedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The loop's side of handing the supervision to a new JVM, over a real socket in this
 * JVM: when the state can go, which descriptor carries the instance's connection, and
 * that a handover whose new program does not start leaves this loop supervising and
 * listening as before.
 */
@Timeout(60)
class SupervisorLoopHandoverTests {

	private static final long T = TimeUnit.SECONDS.toNanos(2);

	private static final byte[] TOKEN = new byte[Codec.TOKEN_BYTES];

	private final CompletableFuture<Integer> exit = new CompletableFuture<>();

	private final AtomicInteger launches = new AtomicInteger();

	private Supervision supervision;

	private Thread thread;

	@AfterEach
	void stop() throws InterruptedException {
		this.exit.complete(0);
		if (this.supervision != null) {
			this.supervision.loop().post(() -> this.supervision.loop().supervisor().onStopRequested(Signals.SIGTERM));
			this.thread.join(TimeUnit.SECONDS.toMillis(10));
			this.supervision.close();
		}
	}

	@Test
	void handoverFailingToStartTheNewJvmLeavesTheLoopSupervisingAndListening() throws Exception {
		SupervisorLoop loop = start();
		assertThat(onLoop(loop::handoverState)).as("not connected yet").isEmpty();
		SocketChannel client = connect(loop);
		assertThat(onLoop(loop::handoverState)).hasValueSatisfying((state) -> assertThat(state.started()).isFalse());
		assertThat(request(client, new Start())).isEqualTo(CsError.OK);
		Resumption state = onLoop(loop::handoverState).orElseThrow();
		assertThat(state.started()).isTrue();
		assertThat(state.pid()).isEqualTo(ProcessHandle.current().pid());
		OptionalInt descriptor = CarriedChannel.descriptorOf(loop.directory().socket());
		assertThat(descriptor).isPresent();
		AtomicInteger given = new AtomicInteger(-1);
		String why = onLoop(() -> loop.handOver(state, descriptor.getAsInt(), (resumption, fd) -> {
			given.set(fd);
			assertThat(loop.directory().socket()).as("the path is free for the new JVM").doesNotExist();
			throw new IOException("no such program");
		}));
		assertThat(why).contains("no such program");
		assertThat(given.get()).isEqualTo(descriptor.getAsInt());
		assertThat(loop.directory().socket()).as("listening again").exists();
		// the instance's connection goes on, and a new connection is accepted (and
		// refused: the instance is connected already)
		assertThat(request(client, new Start())).isEqualTo(CsError.OK);
		try (SocketChannel stranger = SocketChannel.open(StandardProtocolFamily.UNIX)) {
			stranger.connect(UnixDomainSocketAddress.of(loop.directory().socket()));
			stranger.write(Codec.encode(new Hello(TOKEN.clone(), ProcessHandle.current().pid())));
			assertThat(stranger.read(ByteBuffer.allocate(64))).as("closed by the supervisor").isEqualTo(-1);
		}
		assertThat(this.launches).hasValue(1);
	}

	@Test
	void noHandoverStateWhileAnotherConnectionIsOpen() throws Exception {
		SupervisorLoop loop = start();
		SocketChannel client = connect(loop);
		assertThat(request(client, new Start())).isEqualTo(CsError.OK);
		try (SocketChannel other = SocketChannel.open(StandardProtocolFamily.UNIX)) {
			other.connect(UnixDomainSocketAddress.of(loop.directory().socket()));
			org.awaitility.Awaitility.await()
				.atMost(Duration.ofSeconds(5))
				.until(() -> onLoop(loop::handoverState).isEmpty());
			assertThat(CarriedChannel.descriptorOf(loop.directory().socket())).isEmpty();
		}
	}

	private SupervisorLoop start() throws IOException {
		SupervisorSettings settings = new SupervisorSettings(T, RecoveryPolicy.RESTART, Signals.SIGTERM, null, 1024,
				TimeUnit.SECONDS.toNanos(1), TOKEN.clone(), ProcessHandle.current().pid());
		ProcessLauncher launcher = (environment) -> {
			this.launches.incrementAndGet();
			return new ActiveProcess() {

				@Override
				public long pid() {
					return ProcessHandle.current().pid();
				}

				@Override
				public void signal(int signal) {
					SupervisorLoopHandoverTests.this.exit.complete(128 + signal);
				}

				@Override
				public CompletableFuture<Integer> onExit() {
					return SupervisorLoopHandoverTests.this.exit;
				}

			};
		};
		this.supervision = Supervision.assemble(settings, RestartRules.LIBSAM, Clock.SYSTEM, launcher, null,
				ChannelDirectory.create(), Codec.maxFrameBytes(1024), null);
		this.supervision.launchFirst();
		this.thread = new Thread(() -> {
			try {
				this.supervision.run();
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
		}, "test-supervisor");
		this.thread.setDaemon(true);
		this.thread.start();
		return this.supervision.loop();
	}

	private static SocketChannel connect(SupervisorLoop loop) throws Exception {
		SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX);
		client.connect(UnixDomainSocketAddress.of(loop.directory().socket()));
		client.write(Codec.encode(new Hello(TOKEN.clone(), ProcessHandle.current().pid())));
		assertThat(read(client)).isInstanceOf(Welcome.class);
		return client;
	}

	private static CsError request(SocketChannel client, Message message) throws Exception {
		client.write(Codec.encode(message));
		Message answer = read(client);
		assertThat(answer).isInstanceOf(Reply.class);
		return ((Reply) answer).error();
	}

	private static Message read(SocketChannel client) throws Exception {
		return FrameDecoder.readMessage(client, Codec.maxFrameBytes(1024));
	}

	/** Run on the loop's thread, as the handover does, and wait for the result. */
	private <T> T onLoop(java.util.function.Supplier<T> action) throws Exception {
		CompletableFuture<T> result = new CompletableFuture<>();
		this.supervision.loop().post(() -> {
			try {
				result.complete(action.get());
			}
			catch (RuntimeException | AssertionError ex) {
				result.completeExceptionally(ex);
			}
		});
		return result.get(10, TimeUnit.SECONDS);
	}

}
