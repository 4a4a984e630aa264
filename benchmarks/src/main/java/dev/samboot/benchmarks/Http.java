package dev.samboot.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Plain HTTP/1.0 over loopback, as small as a poll can be: connect, send, read the status
 * line and body. No keep-alive, no client library warming up between samples.
 */
final class Http {

	private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

	private Http() {
	}

	record Response(int status, String body) {

		OptionalLong number(String field) {
			Matcher matcher = Pattern.compile("\"" + field + "\":(\\d+)").matcher(this.body);
			return matcher.find() ? OptionalLong.of(Long.parseLong(matcher.group(1))) : OptionalLong.empty();
		}

	}

	/**
	 * Ask the sample application's {@code /actuator/sam} which pid the instance that
	 * answers has.
	 * @param port the loopback port
	 * @return the pid, or empty when the endpoint does not answer with one
	 */
	static OptionalLong instancePid(int port) {
		Response sam = get(port, "/actuator/sam");
		return (sam != null && sam.status() == 200) ? sam.number("pid") : OptionalLong.empty();
	}

	/**
	 * Send one request.
	 * @param method GET or POST
	 * @param port the loopback port
	 * @param path the path and query
	 * @return the response, or {@code null} when nothing listens or the server does not
	 * answer
	 */
	static Response request(String method, int port, String path) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(LOOPBACK, port), 1000);
			socket.setSoTimeout(5000);
			OutputStream out = socket.getOutputStream();
			out.write((method + " " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
			if (!text.startsWith("HTTP/")) {
				return null;
			}
			int status = Integer.parseInt(text.substring(9, 12));
			int body = text.indexOf("\r\n\r\n");
			return new Response(status, (body < 0) ? "" : text.substring(body + 4));
		}
		catch (IOException | RuntimeException ex) {
			return null;
		}
	}

	static Response get(int port, String path) {
		return request("GET", port, path);
	}

	/**
	 * Poll {@code /actuator/health} every 5 ms until it answers 200.
	 * @param port the port
	 * @param timeout how long to try
	 * @param stillWorth checked between polls: false stops waiting (the process died)
	 * @return the {@link System#nanoTime()} of the first 200, or -1
	 */
	static long awaitHealthy(int port, Duration timeout, java.util.function.BooleanSupplier stillWorth) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() - deadline < 0) {
			Response response = get(port, "/actuator/health");
			if (response != null && response.status() == 200) {
				return System.nanoTime();
			}
			if (!stillWorth.getAsBoolean()) {
				return -1;
			}
			LockSupport.parkNanos(5_000_000);
		}
		return -1;
	}

	/**
	 * Return a loopback port that is free now.
	 * @return the port
	 * @throws IOException if none can be had
	 */
	static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, LOOPBACK)) {
			return socket.getLocalPort();
		}
	}

}
