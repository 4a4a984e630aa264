package dev.samboot.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import dev.samboot.sam.RecoveryPolicy;
import dev.samboot.sam.Sam;
import dev.samboot.sam.SamOptions;
import sun.misc.Signal;

/**
 * A plain-Java program supervised by samboot, in the manner of the project's
 * {@code TestSam}, that the harness starts as a supervisor JVM; the supervisor is the
 * lean one, as the starter's default. Each instance reports to the harness over a Unix
 * socket given as an argument, so the harness timestamps every event on receipt and sees
 * the instance's end as the socket's end of file:
 * <ul>
 * <li>{@code timing SOCKET T}: start, one heartbeat, then silence; the warn signal
 * (SIGTERM) is caught and reported, and SIGKILL ends the instance. Lines:
 * {@code ready ID PID}, {@code hb NANOS} (when {@code hcSend()} returned) and
 * {@code warned NANOS} (when the signal handler began), read from
 * {@link System#nanoTime()}, which is the system-wide {@code CLOCK_MONOTONIC} on Linux
 * and so comparable with the harness's own readings.</li>
 * <li>{@code churn SOCKET FIRST EVERY LAST}: start and exit at once, so the supervisor
 * restarts it again and again. Instances FIRST, FIRST+EVERY, ... LAST report
 * {@code ready ID PID} and wait for {@code go} before they exit, so the harness can read
 * the supervisor's /proc at those points.</li>
 * </ul>
 */
public final class Probe {

	/** Exit status when something went wrong. */
	static final int FAILED = 99;

	private final SocketChannel channel;

	private Probe(SocketChannel channel) {
		this.channel = channel;
	}

	public static void main(String[] args) throws Exception {
		String mode = args[0];
		String socket = args[1];
		switch (mode) {
			case "timing" -> timing(socket, Integer.parseInt(args[2]));
			case "churn" ->
				churn(socket, Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
			default -> {
				System.err.println("unknown mode " + mode);
				System.exit(FAILED);
			}
		}
	}

	private static void timing(String socket, int intervalMillis) throws Exception {
		Sam sam = Sam.initialize(SamOptions.builder(Duration.ofMillis(intervalMillis), RecoveryPolicy.RESTART)
			.leanSupervisor(SamOptions.LEAN_SUPERVISOR_JVM_OPTIONS)
			.build());
		int instance = sam.register();
		Probe probe = connect(socket);
		probe.send("ready " + instance + " " + ProcessHandle.current().pid());
		Signal.handle(new Signal("TERM"), (signal) -> probe.send("warned " + System.nanoTime()));
		sam.start();
		sam.hcSend();
		probe.send("hb " + System.nanoTime());
		Thread.sleep(Math.max(30_000L, 10L * intervalMillis));
		probe.send("not killed");
		Runtime.getRuntime().halt(FAILED);
	}

	private static void churn(String socket, int first, int every, int last) throws Exception {
		Sam sam = Sam.initialize(SamOptions.builder(Duration.ofMinutes(1), RecoveryPolicy.RESTART)
			.leanSupervisor(SamOptions.LEAN_SUPERVISOR_JVM_OPTIONS)
			.build());
		int instance = sam.register();
		sam.start();
		if (instance >= first && instance <= last && (instance - first) % every == 0) {
			Probe probe = connect(socket);
			probe.send("ready " + instance + " " + ProcessHandle.current().pid());
			probe.awaitGo();
		}
		System.exit(0);
	}

	private static Probe connect(String socket) throws IOException {
		SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
		channel.connect(UnixDomainSocketAddress.of(socket));
		return new Probe(channel);
	}

	private synchronized void send(String line) {
		try {
			ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.US_ASCII));
			while (bytes.hasRemaining()) {
				this.channel.write(bytes);
			}
		}
		catch (IOException ex) {
			Runtime.getRuntime().halt(FAILED);
		}
	}

	private void awaitGo() throws IOException {
		BufferedReader reader = new BufferedReader(
				new InputStreamReader(Channels.newInputStream(this.channel), StandardCharsets.US_ASCII));
		String line = reader.readLine();
		if (!"go".equals(line)) {
			Runtime.getRuntime().halt(FAILED);
		}
	}

}
