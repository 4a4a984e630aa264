package dev.samboot.corosync;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

import dev.samboot.sam.Backoff;
import dev.samboot.sam.SamException;

/**
 * A member of a group in a JVM of its own, for the tests that need a second process in a
 * group or a member whose corosync is stopped and started again: it joins the group named
 * by its first argument (the optional second and third are the first and the longest wait
 * between attempts to join again, in ms), prints what it hears, one line per event with
 * the wall-clock time, and obeys commands read from its standard input:
 * <ul>
 * <li>{@code send TEXT}: multicast the text, answered {@code sent TEXT} or
 * {@code send-failed ERROR};</li>
 * <li>{@code status BOUND_MS}: answered with a {@code status} line, the health check for
 * that bound among it;</li>
 * <li>{@code quit}, or the end of the input: close the group and exit 0.</li>
 * </ul>
 * A join that fails prints {@code join-failed ERROR} and exits 2.
 */
public final class CpgGroupMemberProgram {

	private CpgGroupMemberProgram() {
	}

	public static void main(String[] args) throws Exception {
		String name = args[0];
		long rejoinFirst = (args.length > 1) ? Long.parseLong(args[1]) : 100;
		long rejoinMax = (args.length > 2) ? Long.parseLong(args[2]) : 500;
		CpgGroup.Options options = new CpgGroup.Options(CpgGroup.DEFAULT_MAX_MESSAGE_BYTES,
				CpgGroup.DEFAULT_SEND_TIMEOUT,
				new Backoff(Duration.ofMillis(rejoinFirst), Duration.ofMillis(rejoinMax), 2, 0.1, Duration.ZERO));
		CpgGroup group;
		try {
			group = CpgGroup.join(name, options, new PrintingListener());
		}
		catch (SamException ex) {
			print("join-failed " + ex.error() + " " + ex.getMessage());
			System.exit(2);
			return;
		}
		print("member " + address(group.self()));
		BufferedReader input = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		String line;
		while ((line = input.readLine()) != null && !line.equals("quit")) {
			if (line.startsWith("send ")) {
				String text = line.substring(5);
				try {
					group.send(text);
					print("sent " + text);
				}
				catch (SamException ex) {
					print("send-failed " + ex.error() + " " + text);
				}
			}
			else if (line.startsWith("status ")) {
				print(status(group, Duration.ofMillis(Long.parseLong(line.substring(7).trim()))));
			}
			else {
				print("unknown-command " + line);
			}
		}
		group.close();
		print("closed");
		System.exit(0);
	}

	/**
	 * A {@code status} line: {@code status joined=B healthy=B rejoins=N lostFor=MS|-
	 * lostForAfter=MS|- sent=N delivered=N members=A,B}. How long the group has been lost
	 * is read just before and just after the health check, so that a test can hold the
	 * check to the bound: healthy means lost for less than the bound at {@code lostFor},
	 * unhealthy lost for the bound or more at {@code lostForAfter}.
	 * @param group the group
	 * @param bound the bound for {@link CpgGroup#healthy(Duration)}
	 * @return the line
	 */
	static String status(CpgGroup group, Duration bound) {
		String before = millis(group.lostFor());
		boolean healthy = group.healthy(bound);
		String after = millis(group.lostFor());
		return "status joined=" + group.isJoined() + " healthy=" + healthy + " rejoins=" + group.rejoins() + " lostFor="
				+ before + " lostForAfter=" + after + " sent=" + group.messagesSent() + " delivered="
				+ group.messagesDelivered() + " members=" + addresses(group.members());
	}

	private static String millis(Optional<Duration> duration) {
		return duration.map((d) -> Long.toString(d.toMillis())).orElse("-");
	}

	/**
	 * A {@code membership} line: {@code membership TIME members=A,B left=A:REASON
	 * joined=A:REASON}.
	 * @param membership the change
	 * @return the line
	 */
	static String membership(CpgMembership membership) {
		return "membership " + System.currentTimeMillis() + " members=" + addresses(membership.members()) + " left="
				+ addresses(membership.left()) + " joined=" + addresses(membership.joined());
	}

	/**
	 * Return a member as {@code NODE/PID}, with {@code :REASON} when it has one.
	 * @param address the member
	 * @return the text
	 */
	static String address(CpgAddress address) {
		return Integer.toUnsignedString(address.nodeId()) + "/" + address.pid()
				+ ((address.reason() != CpgReason.UNDEFINED) ? ":" + address.reason().name().toLowerCase(Locale.ROOT)
						: "");
	}

	private static String addresses(List<CpgAddress> addresses) {
		return addresses.isEmpty() ? "-"
				: addresses.stream().map(CpgGroupMemberProgram::address).collect(Collectors.joining(","));
	}

	/**
	 * Return the entries of a {@code name=A,B} field of a line.
	 * @param line a line printed by this program
	 * @param name the field
	 * @return the entries, empty for {@code -} or when the field is missing
	 */
	public static List<String> field(String line, String name) {
		for (String token : line.split(" ")) {
			if (token.startsWith(name + "=")) {
				String value = token.substring(name.length() + 1);
				return value.equals("-") ? List.of() : new ArrayList<>(Arrays.asList(value.split(",")));
			}
		}
		return List.of();
	}

	/**
	 * Return the wall-clock time an event line carries after its keyword.
	 * @param line such as {@code lost 1764633600000 LIBRARY ...}
	 * @return the time in ms
	 */
	public static long time(String line) {
		return Long.parseLong(line.split(" ")[1]);
	}

	static void print(String line) {
		System.out.println(line);
		System.out.flush();
	}

	/** Prints every event as one line. */
	static final class PrintingListener implements CpgGroup.Listener {

		@Override
		public void delivered(CpgMessage message) {
			print("delivered " + System.currentTimeMillis() + " " + Integer.toUnsignedString(message.nodeId()) + "/"
					+ message.pid() + " " + message.text());
		}

		@Override
		public void membershipChanged(CpgMembership membership) {
			print(membership(membership));
		}

		@Override
		public void lost(SamException cause) {
			print("lost " + System.currentTimeMillis() + " " + cause.error() + " " + cause.getMessage());
		}

	}

}
