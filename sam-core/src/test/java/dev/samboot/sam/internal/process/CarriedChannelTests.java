package dev.samboot.sam.internal.process;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link CarriedChannel}: finding an accepted connection's descriptor in this JVM, and a
 * connection carried across {@code execv} by a JVM of its own.
 */
@Timeout(60)
class CarriedChannelTests {

	@TempDir
	Path directory;

	@Test
	void theOneAcceptedConnectionIsFound() throws IOException {
		Path path = this.directory.resolve("found.sock");
		UnixDomainSocketAddress address = UnixDomainSocketAddress.of(path);
		try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
			server.bind(address);
			assertThat(CarriedChannel.descriptorOf(path)).isEmpty();
			try (SocketChannel client = SocketChannel.open(address)) {
				assertThat(CarriedChannel.descriptorOf(path)).isEmpty();
				try (SocketChannel accepted = server.accept()) {
					OptionalInt found = CarriedChannel.descriptorOf(path);
					assertThat(found).isPresent();
					String link = Files.readSymbolicLink(Path.of("/proc/self/fd/" + found.getAsInt())).toString();
					assertThat(link).startsWith("socket:[").isNotEqualTo(listenerLink(path));
					assertThat(CarriedChannel.descriptorOf(this.directory.resolve("unrelated.sock"))).isEmpty();
					try (SocketChannel secondClient = SocketChannel.open(address);
							SocketChannel secondAccepted = server.accept()) {
						assertThat(CarriedChannel.descriptorOf(path)).isEmpty();
					}
					assertThat(CarriedChannel.descriptorOf(path)).isEqualTo(found);
				}
				assertThat(CarriedChannel.descriptorOf(path)).isEmpty();
			}
		}
	}

	/**
	 * The listening socket's link, as {@code /proc/net/unix} shows it (listening flag).
	 */
	private static String listenerLink(Path path) throws IOException {
		for (String line : Files.readAllLines(Path.of("/proc/net/unix"))) {
			String[] columns = line.trim().split("\\s+", 8);
			if (columns.length == 8 && columns[7].equals(path.toString())
					&& (Integer.parseInt(columns[3], 16) & 0x10000) != 0) {
				return "socket:[" + columns[6] + "]";
			}
		}
		throw new AssertionError("no listener at " + path);
	}

	@Test
	void aConnectionIsCarriedAcrossExecvWithoutReconnecting() throws Exception {
		Path path = this.directory.resolve("carried.sock");
		Path errors = this.directory.resolve("errors.txt");
		String java = ProcessHandle.current().info().command().orElseThrow();
		Process process = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-cp", classPath(),
				FirstMain.class.getName(), path.toString())
			.redirectError(errors.toFile())
			.start();
		try {
			BufferedReader output = new BufferedReader(
					new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
			assertThat(output.readLine()).as(() -> read(errors)).isEqualTo("listening");
			try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
				client.write(ByteBuffer.wrap(new byte[] { 1 }));
				String[] first = readLine(client).split(" ");
				assertThat(first).as(() -> read(errors)).hasSize(3);
				assertThat(first[0]).isEqualTo("first");
				assertThat(first[1]).isEqualTo(String.valueOf(process.pid()));
				assertThat(first[2]).startsWith("pipe:[");
				client.write(ByteBuffer.wrap(new byte[] { 2 }));
				String[] second = readLine(client).split(" ");
				assertThat(second).as(() -> read(errors)).containsExactly("second", first[1], first[2]);
			}
			assertThat(process.waitFor(30, TimeUnit.SECONDS)).as(() -> read(errors)).isTrue();
			assertThat(process.exitValue()).as(() -> read(errors)).isZero();
		}
		finally {
			process.destroyForcibly();
			process.waitFor(10, TimeUnit.SECONDS);
		}
	}

	private static String classPath() {
		return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
	}

	private static String readLine(SocketChannel channel) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		ByteBuffer buffer = ByteBuffer.allocate(1);
		while (true) {
			buffer.clear();
			if (channel.read(buffer) < 0) {
				throw new IOException("end of stream after '" + line.toString(StandardCharsets.UTF_8) + "'");
			}
			if (buffer.get(0) == '\n') {
				return line.toString(StandardCharsets.UTF_8);
			}
			line.write(buffer.get(0));
		}
	}

	private static String read(Path file) {
		try {
			return Files.exists(file) ? Files.readString(file) : "";
		}
		catch (IOException ex) {
			return ex.toString();
		}
	}

	private static String standardInput() throws IOException {
		return Files.readSymbolicLink(Path.of("/proc/self/fd/0")).toString();
	}

	private static void answer(SocketChannel channel, String name) throws IOException {
		ByteBuffer one = ByteBuffer.allocate(1);
		while (one.hasRemaining()) {
			if (channel.read(one) < 0) {
				throw new IOException("end of stream before " + name);
			}
		}
		String line = name + " " + ProcessHandle.current().pid() + " " + standardInput() + "\n";
		ByteBuffer bytes = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
		while (bytes.hasRemaining()) {
			channel.write(bytes);
		}
	}

	/**
	 * Listens at the path given, answers one byte of the one connection accepted, then
	 * carries that connection to {@link SecondMain} through {@code execv}.
	 */
	static final class FirstMain {

		public static void main(String[] args) throws IOException {
			Path path = Path.of(args[0]);
			ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
			server.bind(UnixDomainSocketAddress.of(path));
			System.out.println("listening");
			System.out.flush();
			SocketChannel accepted = server.accept();
			answer(accepted, "first");
			int fd = CarriedChannel.descriptorOf(path)
				.orElseThrow(() -> new IOException("no descriptor found for " + path));
			NativeExec.prepare();
			String java = ProcessHandle.current().info().command().orElseThrow();
			int saved = CarriedChannel.moveToStandardInput(fd);
			try {
				NativeExec.execv(java, List.of(java, "-XX:TieredStopAtLevel=1", "-cp",
						System.getProperty("java.class.path"), SecondMain.class.getName(), String.valueOf(saved)));
			}
			finally {
				CarriedChannel.restoreStandardInput(saved);
			}
		}

	}

	/**
	 * Takes the connection carried on standard input, answers one byte, and reads to its
	 * end.
	 */
	static final class SecondMain {

		public static void main(String[] args) throws IOException {
			try (SocketChannel channel = CarriedChannel.take(Integer.parseInt(args[0]))) {
				answer(channel, "second");
				ByteBuffer rest = ByteBuffer.allocate(256);
				while (channel.read(rest) >= 0) {
					rest.clear();
				}
			}
		}

	}

}
