package dev.samboot.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The harness's end of the probes' reports: a Unix socket that takes one connection per
 * instance, with a thread per connection that timestamps every line with
 * {@link System#nanoTime()} the moment it is read, and the connection's end of file (the
 * instance's death closes its socket) as the event {@code eof}.
 */
final class ProbeServer implements AutoCloseable {

	/** One line from an instance, or its end of file. */
	record Event(long nanos, int connection, String text) {

		boolean is(String word) {
			return this.text.equals(word) || this.text.startsWith(word + " ");
		}

		String word(int index) {
			return this.text.split(" ")[index];
		}

	}

	private final Path socket;

	private final ServerSocketChannel server;

	private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();

	private final Map<Integer, SocketChannel> connections = new ConcurrentHashMap<>();

	private final AtomicInteger ids = new AtomicInteger();

	ProbeServer(Path socket) throws IOException {
		this.socket = socket;
		Files.deleteIfExists(socket);
		this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
		this.server.bind(UnixDomainSocketAddress.of(socket));
		Thread acceptor = new Thread(this::accept, "probe-accept");
		acceptor.setDaemon(true);
		acceptor.start();
	}

	Path socket() {
		return this.socket;
	}

	private void accept() {
		try {
			while (true) {
				SocketChannel channel = this.server.accept();
				int id = this.ids.incrementAndGet();
				this.connections.put(id, channel);
				Thread reader = new Thread(() -> read(id, channel), "probe-read-" + id);
				reader.setDaemon(true);
				reader.start();
			}
		}
		catch (IOException ex) {
			// closed
		}
	}

	private void read(int id, SocketChannel channel) {
		try (BufferedReader reader = new BufferedReader(
				new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.US_ASCII))) {
			String line;
			while ((line = reader.readLine()) != null) {
				this.events.add(new Event(System.nanoTime(), id, line));
			}
		}
		catch (IOException ex) {
			// a reset connection ends like a closed one
		}
		this.events.add(new Event(System.nanoTime(), id, "eof"));
		this.connections.remove(id);
	}

	/**
	 * Take the next event.
	 * @param timeout how long to wait
	 * @return the event, or {@code null} on time-out
	 */
	Event next(Duration timeout) throws InterruptedException {
		return this.events.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
	}

	/**
	 * Send a line to an instance.
	 * @param connection the connection it reported on
	 * @param line the line
	 */
	void send(int connection, String line) throws IOException {
		SocketChannel channel = this.connections.get(connection);
		if (channel != null) {
			ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.US_ASCII));
			while (bytes.hasRemaining()) {
				channel.write(bytes);
			}
		}
	}

	void clear() {
		this.events.clear();
	}

	@Override
	public void close() throws IOException {
		this.server.close();
		for (SocketChannel channel : this.connections.values()) {
			channel.close();
		}
		Files.deleteIfExists(this.socket);
	}

}
