package dev.samboot.sam.internal.client;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import dev.samboot.sam.CsError;
import dev.samboot.sam.EarlyLaunch;
import dev.samboot.sam.SamException;
import dev.samboot.sam.internal.channel.Codec;
import dev.samboot.sam.internal.channel.FrameDecoder;
import dev.samboot.sam.internal.channel.MalformedFrameException;
import dev.samboot.sam.internal.channel.Message;
import dev.samboot.sam.internal.channel.Message.Hello;
import dev.samboot.sam.internal.channel.Message.Reply;
import dev.samboot.sam.internal.channel.Message.Welcome;
import dev.samboot.sam.internal.process.SamEnvironment;

/**
 * The active process's end of the channel. Requests that libsam answers ({@code start},
 * {@code stop}, {@code dataStore}, {@code warnSignalSet}) wait for the supervisor's
 * reply; the heartbeat is written and not answered. A reader thread takes the replies and
 * notices when the supervisor is gone.
 */
public final class ActiveClient implements AutoCloseable {

	private static final System.Logger logger = System.getLogger(ActiveClient.class.getName());

	private static final long REPLY_TIMEOUT_SECONDS = 30;

	/** How long instance 1, launched early, waits for its supervisor to listen. */
	static final long CONNECT_WAIT_NANOS = TimeUnit.SECONDS.toNanos(120);

	private static final ByteBuffer HEARTBEAT = Codec.encode(new Message.Heartbeat());

	private final SocketChannel channel;

	private final FrameDecoder decoder;

	private final Runnable onSupervisorLost;

	private final Object writeLock = new Object();

	private final Object requestLock = new Object();

	private volatile CompletableFuture<CsError> pendingReply;

	private volatile boolean closing;

	private volatile Boolean quorate;

	private volatile Consumer<Boolean> quorumListener = (quorate) -> {
	};

	/** Bytes read with the welcome that belong to later frames. */
	private ByteBuffer leftover;

	private Welcome welcome;

	private ActiveClient(SocketChannel channel, int maxFrameBytes, Runnable onSupervisorLost) {
		this.channel = channel;
		this.decoder = new FrameDecoder(maxFrameBytes);
		this.onSupervisorLost = onSupervisorLost;
	}

	/**
	 * Connect, present the token and receive the state this instance resumes with.
	 * @param coordinates where the supervisor listens
	 * @param maxFrameBytes the largest frame to accept
	 * @param onSupervisorLost run once if the supervisor goes away
	 * @return the connected client
	 * @throws SamException with {@link CsError#LIBRARY} when the supervisor cannot be
	 * reached
	 */
	public static ActiveClient connect(SamEnvironment.Coordinates coordinates, int maxFrameBytes,
			Runnable onSupervisorLost) {
		try {
			SocketChannel channel = open(coordinates, CONNECT_WAIT_NANOS);
			ActiveClient client = new ActiveClient(channel, maxFrameBytes, onSupervisorLost);
			client.hello(coordinates.token());
			return client;
		}
		catch (IOException | MalformedFrameException | IllegalArgumentException ex) {
			throw new SamException(CsError.LIBRARY,
					"Cannot reach the supervisor at " + coordinates.socket() + ": " + ex.getMessage(), ex);
		}
	}

	/**
	 * Connect to the supervisor's socket. Instance 1 may be launched before the
	 * supervisor listens ({@link EarlyLaunch}): while the socket is not there yet and the
	 * supervisor is alive, try again, every few milliseconds, for at most
	 * {@code waitNanos}.
	 */
	static SocketChannel open(SamEnvironment.Coordinates coordinates, long waitNanos) throws IOException {
		UnixDomainSocketAddress address = UnixDomainSocketAddress.of(coordinates.socket());
		long began = System.nanoTime();
		long pause = 2;
		boolean said = false;
		while (true) {
			SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
			try {
				channel.connect(address);
				return channel;
			}
			catch (IOException ex) {
				channel.close();
				long waited = System.nanoTime() - began;
				if (waited > waitNanos
						|| !ProcessHandle.of(coordinates.supervisorPid()).map(ProcessHandle::isAlive).orElse(false)) {
					throw ex;
				}
				if (!said && waited > TimeUnit.SECONDS.toNanos(5)) {
					said = true;
					logger.log(Level.INFO, "Waiting for the supervisor (pid {0}) to listen at {1}",
							Long.toString(coordinates.supervisorPid()), coordinates.socket());
				}
			}
			try {
				Thread.sleep(pause);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IOException("interrupted while waiting for the supervisor", ex);
			}
			// a supervisor that is setting up listens within a few tens of milliseconds:
			// tried every 10 ms for the first second, then every 50
			pause = Math.min((System.nanoTime() - began < TimeUnit.SECONDS.toNanos(1)) ? 10 : 50, pause * 2);
		}
	}

	private void hello(String token) throws IOException, MalformedFrameException {
		write(Codec.encode(new Hello(HexFormat.of().parseHex(token), ProcessHandle.current().pid())));
		Message first = readMessage();
		if (first instanceof Reply reply && reply.error() == CsError.VERSION) {
			throw new IOException("the supervisor does not speak channel protocol version " + Codec.PROTOCOL_VERSION
					+ " (this instance runs another samboot jar than the supervisor)");
		}
		if (!(first instanceof Welcome received)) {
			throw new IOException("the supervisor refused the connection");
		}
		this.welcome = received;
		Thread reader = new Thread(this::readReplies, "sam-channel");
		reader.setDaemon(true);
		reader.start();
	}

	public Welcome welcome() {
		return this.welcome;
	}

	/**
	 * Send a heartbeat.
	 * @throws SamException with {@link CsError#LIBRARY} when the channel is broken
	 */
	public void heartbeat() {
		try {
			write(HEARTBEAT.duplicate());
		}
		catch (IOException ex) {
			throw new SamException(CsError.LIBRARY, "Cannot send a heartbeat: " + ex.getMessage(), ex);
		}
	}

	/**
	 * Send a message that is not answered.
	 * @param message the message
	 */
	public void send(Message message) {
		try {
			write(Codec.encode(message));
		}
		catch (IOException ex) {
			throw new SamException(CsError.LIBRARY, "Cannot send " + message + ": " + ex.getMessage(), ex);
		}
	}

	/**
	 * Send a request and wait for the supervisor's answer.
	 * @param message the request
	 * @param waitForever whether to wait without a limit (start with the quorum flag)
	 * @return the answer, {@link CsError#OK} or the error libsam would return
	 */
	public CsError request(Message message, boolean waitForever) {
		synchronized (this.requestLock) {
			CompletableFuture<CsError> reply = new CompletableFuture<>();
			this.pendingReply = reply;
			try {
				write(Codec.encode(message));
				return waitForever ? reply.get() : reply.get(REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
			}
			catch (IOException | ExecutionException | TimeoutException ex) {
				return CsError.LIBRARY;
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return CsError.INTERRUPT;
			}
			finally {
				this.pendingReply = null;
			}
		}
	}

	private void write(ByteBuffer frame) throws IOException {
		synchronized (this.writeLock) {
			while (frame.hasRemaining()) {
				this.channel.write(frame);
			}
		}
	}

	private Message readMessage() throws IOException, MalformedFrameException {
		ByteBuffer in = ByteBuffer.allocate(0);
		ByteBuffer frame = null;
		ByteBuffer chunk = ByteBuffer.allocate(8192);
		while (frame == null) {
			if (!in.hasRemaining()) {
				chunk.clear();
				if (this.channel.read(chunk) < 0) {
					throw new IOException("the supervisor closed the channel");
				}
				in = chunk.flip();
			}
			frame = this.decoder.next(in);
		}
		// what came with it (the quorum state follows the welcome) is for the reader
		// thread
		this.leftover = in;
		return Codec.decode(frame);
	}

	private void readReplies() {
		ByteBuffer chunk = ByteBuffer.allocate(256);
		try {
			ByteBuffer early = this.leftover;
			ByteBuffer frame;
			while (early != null && (frame = this.decoder.next(early)) != null) {
				onReply(Codec.decode(frame));
			}
			while (this.channel.read(chunk) >= 0) {
				chunk.flip();
				while ((frame = this.decoder.next(chunk)) != null) {
					onReply(Codec.decode(frame));
				}
				chunk.clear();
			}
		}
		catch (IOException | MalformedFrameException ex) {
			if (!this.closing) {
				logger.log(Level.DEBUG, "Channel read failed: " + ex.getMessage());
			}
		}
		CompletableFuture<CsError> reply = this.pendingReply;
		if (reply != null) {
			reply.complete(CsError.LIBRARY);
		}
		if (!this.closing) {
			this.onSupervisorLost.run();
		}
	}

	private void onReply(Message message) throws MalformedFrameException {
		if (message instanceof Message.QuorumState state) {
			this.quorate = state.quorate();
			this.quorumListener.accept(state.quorate());
			return;
		}
		if (!(message instanceof Reply reply)) {
			throw new MalformedFrameException(
					"unexpected " + message.getClass().getSimpleName() + " from the supervisor");
		}
		CompletableFuture<CsError> pending = this.pendingReply;
		if (pending != null) {
			pending.complete(reply.error());
		}
	}

	/**
	 * Be told of every quorum state the supervisor sends, on the reader thread.
	 * @param listener the listener
	 */
	public void onQuorumState(Consumer<Boolean> listener) {
		this.quorumListener = listener;
	}

	/**
	 * Return whether the cluster is quorate, as the supervisor last said.
	 * @return the quorum state, or {@code null} without a quorum policy
	 */
	public Boolean quorate() {
		return this.quorate;
	}

	@Override
	public void close() {
		this.closing = true;
		try {
			this.channel.close();
		}
		catch (IOException ex) {
			logger.log(Level.DEBUG, "Closing the channel: " + ex.getMessage());
		}
	}

}
