package dev.samboot.sam.internal.supervisor;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import dev.samboot.sam.internal.channel.ChannelDirectory;
import dev.samboot.sam.internal.channel.Codec;
import dev.samboot.sam.internal.channel.FrameDecoder;
import dev.samboot.sam.internal.channel.MalformedFrameException;
import dev.samboot.sam.internal.channel.Message;
import dev.samboot.sam.internal.channel.Message.Hello;

/**
 * Runs a {@link Supervisor} on one thread: a selector over the channel's listening socket
 * and its connections, plus a queue of events from other threads (process exits, quorum
 * changes, stop signals), with the selector's timeout set to the supervisor's next
 * deadline.
 */
public final class SupervisorLoop implements AutoCloseable {

	/** A connection that has not presented the token by then is closed. */
	private static final long HELLO_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);

	/** Connections not yet authenticated, at most; more are closed at once. */
	private static final int MAX_PENDING = 16;

	private static final System.Logger logger = System.getLogger(SupervisorLoop.class.getName());

	private final Supervisor supervisor;

	private final ChannelDirectory directory;

	private final Clock clock;

	private final int maxFrameBytes;

	private final Selector selector;

	private final ServerSocketChannel server;

	private final Queue<Runnable> events = new ConcurrentLinkedQueue<>();

	/**
	 * Actions due later, by {@link Clock#nanoTime()}; touched on the loop's thread only.
	 */
	private final java.util.PriorityQueue<Later> later = new java.util.PriorityQueue<>();

	/** The accepted connections still open, which {@link #close()} closes. */
	private final Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();

	private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);

	private int pending;

	private long refused;

	private final java.util.Map<String, Integer> refusedByKind = new java.util.HashMap<>();

	public SupervisorLoop(SupervisorFactory factory, ChannelDirectory directory, Clock clock, int maxFrameBytes)
			throws IOException {
		this.directory = directory;
		this.clock = clock;
		this.maxFrameBytes = maxFrameBytes;
		this.selector = Selector.open();
		this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
		this.server.bind(UnixDomainSocketAddress.of(directory.socket()));
		this.server.configureBlocking(false);
		this.server.register(this.selector, SelectionKey.OP_ACCEPT);
		this.supervisor = factory.create(this::watch);
	}

	/**
	 * Create the supervisor once the loop can watch the processes it launches.
	 */
	@FunctionalInterface
	public interface SupervisorFactory {

		Supervisor create(ProcessWatcher watcher);

	}

	/**
	 * Told of every launched process, so that its exit reaches the loop.
	 */
	@FunctionalInterface
	public interface ProcessWatcher {

		void watch(ActiveProcess process);

	}

	public Supervisor supervisor() {
		return this.supervisor;
	}

	/**
	 * Run an action on the loop's thread; safe to call from any thread.
	 * @param event the action
	 */
	public void post(Runnable event) {
		this.events.add(event);
		this.selector.wakeup();
	}

	/**
	 * Run an action on the loop's thread once a delay has passed (no thread of its own:
	 * the supervisor's threads stay as they are); safe to call from any thread.
	 * @param delayNanos the delay
	 * @param action the action
	 */
	public void postLater(long delayNanos, Runnable action) {
		long due = this.clock.nanoTime() + delayNanos;
		post(() -> this.later.add(new Later(due, action)));
	}

	private void runDueLater() {
		Later next;
		while ((next = this.later.peek()) != null && this.clock.nanoTime() - next.due() >= 0) {
			this.later.poll();
			try {
				next.action().run();
			}
			catch (RuntimeException ex) {
				logger.log(Level.WARNING, "A deferred action of the supervisor failed: " + ex);
			}
		}
	}

	/** An action and when it is due. */
	private record Later(long due, Runnable action) implements Comparable<Later> {

		@Override
		public int compareTo(Later other) {
			return Long.compare(this.due - other.due, 0);
		}

	}

	private void watch(ActiveProcess process) {
		process.onExit().thenAccept((status) -> post(() -> {
			if (this.supervisor.process() == process) {
				this.supervisor.onExit(status);
			}
		}));
	}

	/**
	 * Supervise until the supervisor decides to quit.
	 * @return the status to exit with
	 * @throws IOException if the selector fails
	 */
	public int run() throws IOException {
		while (this.supervisor.exitStatus().isEmpty()) {
			this.selector.select(timeoutMillis());
			Iterator<SelectionKey> keys = this.selector.selectedKeys().iterator();
			while (keys.hasNext()) {
				SelectionKey key = keys.next();
				keys.remove();
				handle(key);
			}
			Runnable event;
			while ((event = this.events.poll()) != null) {
				event.run();
			}
			runDueLater();
			this.supervisor.onTimer();
			closeSilentStrangers();
		}
		return this.supervisor.exitStatus().getAsInt();
	}

	private long timeoutMillis() {
		long deadline = Math.min(this.supervisor.nextDeadline(),
				this.pending > 0 ? this.clock.nanoTime() + HELLO_TIMEOUT_NANOS : Long.MAX_VALUE);
		Later next = this.later.peek();
		if (next != null && next.due() - deadline < 0) {
			deadline = next.due();
		}
		if (deadline == Long.MAX_VALUE) {
			return 0;
		}
		long remaining = deadline - this.clock.nanoTime();
		return (remaining <= 0) ? 1 : Math.max(1, (remaining + 999_999) / 1_000_000);
	}

	private void handle(SelectionKey key) {
		if (!key.isValid()) {
			return;
		}
		if (key.isAcceptable()) {
			accept();
			return;
		}
		Connection connection = (Connection) key.attachment();
		if (key.isWritable()) {
			connection.flush();
		}
		if (key.isValid() && key.isReadable()) {
			connection.read();
		}
	}

	private void accept() {
		try {
			SocketChannel channel;
			while ((channel = this.server.accept()) != null) {
				if (this.pending >= MAX_PENDING) {
					countRefused("too many unauthenticated connections");
					channel.close();
					continue;
				}
				channel.configureBlocking(false);
				this.connections.add(channel);
				Connection connection = new Connection(channel);
				connection.key = channel.register(this.selector, SelectionKey.OP_READ, connection);
				this.pending++;
			}
		}
		catch (IOException ex) {
			log(Level.WARNING, "Cannot accept a channel connection: " + ex.getMessage());
		}
	}

	private void closeSilentStrangers() {
		if (this.pending == 0) {
			return;
		}
		long now = this.clock.nanoTime();
		for (SelectionKey key : this.selector.keys()) {
			if (key.attachment() instanceof Connection connection && !connection.authenticated
					&& now - connection.openedAt > HELLO_TIMEOUT_NANOS) {
				connection.drop("no token within " + TimeUnit.NANOSECONDS.toSeconds(HELLO_TIMEOUT_NANOS) + " s");
			}
		}
	}

	/**
	 * A flood must not flood the log: the first few of each kind, then one in a thousand.
	 */
	private void countRefused(String reason) {
		this.refused++;
		int ofThisKind = this.refusedByKind.merge(kind(reason), 1, Integer::sum);
		if (ofThisKind <= 5 || this.refused % 1000 == 0) {
			log(Level.WARNING, "Dropped a channel connection ({0} so far): {1}", this.refused, reason);
		}
	}

	/** The reason without its numbers: "pid 12, but instance 3 is pid 45" is one kind. */
	private static String kind(String reason) {
		return (reason != null) ? reason.replaceAll("[0-9]+", "#") : "";
	}

	@Override
	public void close() {
		try {
			this.selector.close();
			this.server.close();
			// a supervisor inside a JVM that goes on must not leave their descriptors
			// open
			for (SocketChannel connection : this.connections) {
				connection.close();
			}
		}
		catch (IOException ex) {
			log(Level.DEBUG, "Closing the channel: " + ex.getMessage());
		}
		this.directory.delete();
	}

	/** Log with numbers as plain digits (no grouping: a pid reads 2323, not 2,323). */
	private static void log(Level level, String format, Object... args) {
		Object[] plain = new Object[args.length];
		for (int i = 0; i < args.length; i++) {
			plain[i] = (args[i] instanceof Number) ? args[i].toString() : args[i];
		}
		logger.log(level, format, plain);
	}

	/** One accepted connection, as a {@link Peer}. */
	private final class Connection implements Peer {

		private final SocketChannel channel;

		private final FrameDecoder decoder = new FrameDecoder(SupervisorLoop.this.maxFrameBytes);

		private final Deque<ByteBuffer> output = new ArrayDeque<>();

		private final long openedAt = SupervisorLoop.this.clock.nanoTime();

		private SelectionKey key;

		private boolean authenticated;

		private boolean closed;

		Connection(SocketChannel channel) {
			this.channel = channel;
		}

		void read() {
			ByteBuffer in = SupervisorLoop.this.readBuffer;
			try {
				in.clear();
				int read = this.channel.read(in);
				if (read < 0) {
					close();
					return;
				}
				in.flip();
				ByteBuffer frame;
				while (!this.closed && (frame = this.decoder.next(in)) != null) {
					dispatch(Codec.decode(frame));
				}
			}
			catch (MalformedFrameException ex) {
				drop(ex.getMessage());
			}
			catch (IOException ex) {
				drop("read failed: " + ex.getMessage());
			}
		}

		private void dispatch(Message message) throws MalformedFrameException {
			if (this.authenticated) {
				SupervisorLoop.this.supervisor.onMessage(this, message);
				return;
			}
			if (!(message instanceof Hello hello)) {
				throw new MalformedFrameException("first frame is not HELLO");
			}
			SupervisorLoop.this.pending--;
			this.authenticated = true;
			if (!SupervisorLoop.this.supervisor.onHello(hello, this)) {
				this.authenticated = false;
				if (!this.closed) {
					// back among the unauthenticated, which close() counts off; a refusal
					// whose reply
					// could not be written has closed the connection already
					SupervisorLoop.this.pending++;
				}
				drop(SupervisorLoop.this.supervisor.refusal());
			}
		}

		@Override
		public void send(Message message) {
			if (this.closed) {
				return;
			}
			this.output.addLast(Codec.encode(message));
			flush();
		}

		void flush() {
			try {
				while (!this.output.isEmpty()) {
					ByteBuffer head = this.output.peekFirst();
					this.channel.write(head);
					if (head.hasRemaining()) {
						this.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
						return;
					}
					this.output.removeFirst();
				}
				this.key.interestOps(SelectionKey.OP_READ);
			}
			catch (IOException ex) {
				close();
			}
		}

		void drop(String reason) {
			countRefused(reason);
			close();
		}

		@Override
		public void close() {
			if (this.closed) {
				return;
			}
			this.closed = true;
			if (!this.authenticated) {
				SupervisorLoop.this.pending--;
			}
			this.key.cancel();
			SupervisorLoop.this.connections.remove(this.channel);
			try {
				this.channel.close();
			}
			catch (IOException ex) {
				log(Level.DEBUG, "Closing a channel connection: " + ex.getMessage());
			}
		}

	}

}
