package dev.samboot.corosync;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.zip.CRC32;

import dev.samboot.sam.CsError;
import dev.samboot.sam.SamException;

/**
 * A CPG member run as a separate JVM by {@link CpgProcessTests}, in the manner of
 * corosync's {@code test/testcpg.c}: {@code member GROUP} joins the group, prints every
 * configuration change and delivery on standard output, one parseable line each, and
 * sends what standard input asks for; {@code initialize} only reports what
 * {@link Cpg#initialize(CpgCallbacks)} answers.
 * <p>
 * Output lines: {@code pid P}, {@code joined NODE}, {@code confchg members=L left=L
 * joined=L} (a list is {@code -} or {@code node/pid/reason,...} with corosync's reason
 * numbers), {@code deliver NODE PID LENGTH CRC32 BASE64} (the message itself only up to
 * 64 bytes, {@code -} otherwise), {@code membership L}, {@code burst-sent N RETRIES},
 * {@code big-sent LENGTH CRC32}, {@code initialize ERROR MICROS MESSAGE}, and
 * {@code FAIL: ...} for anything unexpected.
 * <p>
 * Input lines: {@code burst N} sends N messages {@code m PID SEQ};
 * {@code big LENGTH SEED} sends {@link #pattern(int, long)}; {@code membership} prints
 * the group's members; {@code quit} closes the handle and exits.
 */
public final class CpgMemberProgram {

	private static final int SHOWN_BYTES = 64;

	private static final PrintStream OUT = new PrintStream(System.out, true, StandardCharsets.UTF_8);

	private CpgMemberProgram() {
	}

	public static void main(String[] args) throws Exception {
		switch (args[0]) {
			case "member" -> member(args[1]);
			case "initialize" -> initialize();
			default -> fail("unknown mode " + args[0]);
		}
	}

	/** Connect twice (the first also loads the library) and report each answer. */
	private static void initialize() {
		for (int i = 0; i < 2; i++) {
			long started = System.nanoTime();
			String answer;
			try (Cpg cpg = Cpg.initialize(new Printer())) {
				answer = "OK " + ((System.nanoTime() - started) / 1000) + " connected";
			}
			catch (SamException ex) {
				answer = ex.error().name() + " " + ((System.nanoTime() - started) / 1000) + " " + ex.getMessage();
			}
			print("initialize " + answer);
		}
	}

	private static void member(String group) throws Exception {
		int pid = (int) ProcessHandle.current().pid();
		print("pid " + pid);
		Cpg cpg = Cpg.initialize(new Printer());
		cpg.join(group);
		print("joined " + Integer.toUnsignedString(cpg.localGet()));
		// corosync's dispatch needs a large stack
		Thread dispatcher = new Thread(null, () -> {
			try {
				cpg.dispatch(Cpg.DispatchFlag.BLOCKING);
			}
			catch (RuntimeException ex) {
				fail("dispatch: " + ex);
			}
		}, "cpg-member-dispatch", 8L << 20);
		dispatcher.start();
		BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		String line;
		while ((line = in.readLine()) != null) {
			String[] words = line.split(" ");
			switch (words[0]) {
				case "burst" -> {
					int count = Integer.parseInt(words[1]);
					long retries = 0;
					for (int seq = 0; seq < count; seq++) {
						retries += send(cpg, message(pid, seq));
					}
					print("burst-sent " + count + " " + retries);
				}
				case "big" -> {
					byte[] message = pattern(Integer.parseInt(words[1]), Long.parseLong(words[2]));
					send(cpg, message);
					print("big-sent " + message.length + " " + crc(message));
				}
				case "membership" -> print("membership " + addresses(cpg.membershipGet(group)));
				case "quit" -> {
					cpg.close();
					dispatcher.join(5000);
					print("closed");
					return;
				}
				default -> fail("unknown command " + line);
			}
		}
		cpg.close();
	}

	/**
	 * Multicast, again while corosync asks for it to be repeated.
	 * @return how many times it was repeated
	 */
	static long send(Cpg cpg, byte[] message) throws InterruptedException {
		long retries = 0;
		while (true) {
			try {
				cpg.mcastJoined(Cpg.Guarantee.AGREED, message);
				return retries;
			}
			catch (SamException ex) {
				if (ex.error() != CsError.TRY_AGAIN) {
					throw ex;
				}
				retries++;
				Thread.sleep(1);
			}
		}
	}

	/**
	 * A burst message: its sender and its number.
	 * @param pid the sender
	 * @param seq its number
	 * @return {@code m PID SEQ}
	 */
	static byte[] message(int pid, int seq) {
		return ("m " + pid + " " + seq).getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * Bytes that both ends can make again from a seed.
	 * @param length how many
	 * @param seed the seed
	 * @return the bytes
	 */
	static byte[] pattern(int length, long seed) {
		byte[] bytes = new byte[length];
		new Random(seed).nextBytes(bytes);
		return bytes;
	}

	/**
	 * The CRC-32 of some bytes, in hex.
	 * @param bytes the bytes
	 * @return such as {@code 1c291ca3}
	 */
	static String crc(byte[] bytes) {
		CRC32 crc = new CRC32();
		crc.update(bytes);
		return Long.toHexString(crc.getValue());
	}

	static String addresses(List<CpgAddress> addresses) {
		if (addresses.isEmpty()) {
			return "-";
		}
		return addresses.stream()
			.map((a) -> Integer.toUnsignedString(a.nodeId()) + "/" + a.pid() + "/" + a.reason().code())
			.collect(Collectors.joining(","));
	}

	private static void print(String line) {
		synchronized (OUT) {
			OUT.println(line);
		}
	}

	private static void fail(String message) {
		print("FAIL: " + message);
		Runtime.getRuntime().halt(99);
	}

	private static final class Printer implements CpgCallbacks {

		@Override
		public void deliver(String group, int nodeId, int pid, byte[] message) {
			String shown = (message.length <= SHOWN_BYTES) ? Base64.getEncoder().encodeToString(message) : "-";
			print("deliver " + Integer.toUnsignedString(nodeId) + " " + pid + " " + message.length + " " + crc(message)
					+ " " + (shown.isEmpty() ? "=" : shown));
		}

		@Override
		public void confchg(String group, List<CpgAddress> members, List<CpgAddress> left, List<CpgAddress> joined) {
			print("confchg members=" + addresses(members) + " left=" + addresses(left) + " joined="
					+ addresses(joined));
		}

	}

}
