package dev.samboot.corosync;

import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.samboot.sam.CsError;
import dev.samboot.sam.SamException;
import dev.samboot.sam.Signals;
import dev.samboot.sam.internal.process.PosixSignals;

/**
 * corosync's {@code testcpg} on the Java binding: joins a closed process group, prints
 * every configuration change, totem change and delivered message as {@code testcpg} does,
 * and multicasts each line of standard input (in agreed order, with its newline and a
 * NUL, as {@code testcpg} sends them).
 *
 * <pre>
 * CpgTool [-i] [group]
 * </pre>
 * <ul>
 * <li>{@code group}: the group to join, {@code GROUP} by default. Names cross as UTF-8
 * and a NUL, as {@code testcpg} sends its default {@code GROUP}; {@code testcpg} sends a
 * name given on its command line without the NUL, so only the default group is shared
 * with it.</li>
 * <li>{@code -i}: print node ids as IPv4 addresses, as {@code testcpg -i} does.</li>
 * </ul>
 * The initial totem configuration is always printed
 * ({@code CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF}), and so is the local node id with
 * every configuration change. End of input, or a line starting with {@code EXIT}, leaves
 * the group (once the lines sent have come back, for up to 2 s) and exits with status 0;
 * on SIGINT and SIGTERM the group is left and the handle finalized before the JVM exits,
 * so that the others see a leave rather than a crash. A process started in the background
 * by a shell without job control (a {@code &} in a script) inherits SIGINT as ignored,
 * and the JVM then leaves it ignored: the tool says so at start, and only SIGTERM, the
 * end of input or {@code EXIT} leave the group ({@code env --default-signal=INT} gives
 * SIGINT back). When corosync goes away, or reports this process as gone from the group,
 * the handle is finalized and the group joined again with a new one, waiting 1 s, 2 s, 3
 * s... between attempts, as {@code testcpg} does. A failure to connect or to join at the
 * start prints corosync's error and exits with status 1 ({@link CsError#LIBRARY} when
 * corosync is not running, {@link CsError#NAME_TOO_LONG} for a name over
 * {@value Cpg#MAX_NAME_BYTES} bytes); a bad command line exits with status 2.
 * <p>
 * corosync's dispatch needs a large stack: callbacks run on a thread of this tool's with
 * 8 MiB of it, standard input is read on the main thread.
 */
public final class CpgTool {

	/** {@code testcpg}'s default group. */
	public static final String DEFAULT_GROUP = "GROUP";

	/** {@code fgets} into {@code testcpg}'s 132-byte buffer: at most 131 bytes a line. */
	private static final int LINE_BYTES = 131;

	private static final String EXIT = "EXIT";

	/** The longest wait between two attempts to join again. */
	private static final int MAX_RESTART_SECONDS = 30;

	/** How long a line is offered to corosync while it answers TRY_AGAIN. */
	private static final long SEND_RETRY_NANOS = TimeUnit.SECONDS.toNanos(5);

	/** How long the end of input waits for this tool's own messages to be delivered. */
	private static final long OWN_MESSAGES_NANOS = TimeUnit.SECONDS.toNanos(2);

	private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

	private final String group;

	private final boolean showIp;

	private final PrintStream out;

	private final PrintStream err;

	private final String origin;

	private final int pid = (int) ProcessHandle.current().pid();

	/** The handle of the moment; replaced by the dispatch thread on a restart. */
	private volatile Cpg cpg;

	/** The node id when the group was last joined ({@code testcpg}'s nodeidStart). */
	private volatile int nodeIdStart;

	/** Set once input has ended or the JVM is exiting: no more restarts. */
	private volatile boolean quitting;

	/** Set when corosync reported this process as gone from the group. */
	private volatile boolean restart;

	/** Messages this tool multicast, and those of its own it delivered. */
	private final AtomicLong sent = new AtomicLong();

	private final AtomicLong deliveredOwn = new AtomicLong();

	private CpgTool(String group, boolean showIp, PrintStream out, PrintStream err) {
		this.group = group;
		this.showIp = showIp;
		this.out = out;
		this.err = err;
		this.origin = shortHostName() + ":" + this.pid;
	}

	/**
	 * Run the tool on this process's standard streams and exit with its status.
	 * @param args {@code [-i] [group]}
	 */
	public static void main(String[] args) {
		PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
		PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
		if (PosixSignals.ignored(Signals.SIGINT)) {
			err.println("SIGINT was inherited as ignored (as by a background job of a script): Ctrl-C and kill -INT"
					+ " do nothing; SIGTERM, the end of input or " + EXIT + " leave the group");
		}
		System.exit(run(args, System.in, out, err));
	}

	/**
	 * Run the tool until its input ends.
	 * @param args {@code [-i] [group]}
	 * @param in the lines to multicast
	 * @param out where callbacks are printed
	 * @param err where failures are printed
	 * @return the exit status: 0 after the input ended, 1 when the group could not be
	 * joined, 2 for a bad command line
	 */
	static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
		boolean showIp = false;
		String group = null;
		for (String arg : args) {
			if (arg.equals("-i")) {
				showIp = true;
			}
			else if (arg.equals("-h") || arg.equals("--help")) {
				out.println(usage());
				return 0;
			}
			else if (arg.startsWith("-") && arg.length() > 1) {
				err.println("Unknown option " + arg + "\n" + usage());
				return 2;
			}
			else if (group == null) {
				group = arg;
			}
			else {
				err.println("Only one group can be given\n" + usage());
				return 2;
			}
		}
		group = (group != null) ? group : DEFAULT_GROUP;
		try {
			Cpg.encodeName(group);
		}
		catch (SamException ex) {
			err.println("Invalid name for cpg group, error " + ex.error().code() + ": " + ex.getMessage());
			return 1;
		}
		return new CpgTool(group, showIp, out, err).run(in);
	}

	private static String usage() {
		return "Usage: CpgTool [-i] [group]\n  group  the group to join (default " + DEFAULT_GROUP + ")\n"
				+ "  -i     print node ids as IPv4 addresses\n"
				+ "Lines of standard input are multicast to the group; end of input or EXIT leaves it.";
	}

	private int run(InputStream in) {
		this.out.println("Type " + EXIT + " to finish");
		try {
			this.cpg = connect();
		}
		catch (ConnectFailure ex) {
			this.err.println(ex.getMessage());
			return 1;
		}
		Thread finalizer = new Thread(this::finalizeOnExit, "cpgtool-exit");
		Runtime.getRuntime().addShutdownHook(finalizer);
		Thread dispatcher = DispatchStack.newThread("cpgtool-dispatch", this::dispatch);
		dispatcher.start();
		try {
			readAndSend(in);
		}
		catch (IOException ex) {
			this.err.println("Cannot read standard input: " + ex.getMessage());
		}
		awaitOwnMessages();
		this.quitting = true;
		Cpg handle = this.cpg;
		try {
			handle.leave(this.group);
		}
		catch (SamException ex) {
			// not a member at the moment (between two restarts): finalizing is enough
			print("cpg_leave: " + ex.getMessage());
		}
		handle.close();
		try {
			dispatcher.join(TimeUnit.SECONDS.toMillis(5));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		print("Finalized");
		return 0;
	}

	/**
	 * Initialize a handle and join, printing as {@code testcpg} does.
	 * @return the joined handle
	 */
	private Cpg connect() {
		Cpg handle;
		try {
			handle = Cpg.modelInitialize(new Callbacks(), true);
		}
		catch (SamException ex) {
			throw failure("Could not initialize Cluster Process Group API instance", ex);
		}
		try {
			int nodeId;
			try {
				nodeId = handle.localGet();
			}
			catch (SamException ex) {
				throw failure("Could not get local node id", ex);
			}
			print("Local node id is " + Integer.toUnsignedString(nodeId));
			this.nodeIdStart = nodeId;
			try {
				handle.join(this.group);
			}
			catch (SamException ex) {
				throw failure("Could not join process group", ex);
			}
			List<CpgAddress> members;
			try {
				members = handle.membershipGet(this.group);
			}
			catch (SamException ex) {
				throw failure("Could not get current membership list", ex);
			}
			StringBuilder text = new StringBuilder("membership list");
			for (CpgAddress member : members) {
				text.append("\nnode id ")
					.append(Integer.toUnsignedString(member.nodeId()))
					.append(" pid ")
					.append(member.pid());
			}
			print(text.toString());
			return handle;
		}
		catch (RuntimeException ex) {
			handle.close();
			throw ex;
		}
	}

	private static ConnectFailure failure(String what, SamException cause) {
		return new ConnectFailure(what + ", error " + cause.error().code() + ": " + cause.getMessage(), cause);
	}

	/** A failed step of {@link #connect()}, said as {@code testcpg} says it. */
	private static final class ConnectFailure extends RuntimeException {

		ConnectFailure(String message, SamException cause) {
			super(message, cause);
		}

	}

	/** The dispatch thread: callbacks until the input ends, joining again when lost. */
	private void dispatch() {
		int attempts = 0;
		while (!this.quitting) {
			Cpg handle = this.cpg;
			try {
				handle.dispatch(Cpg.DispatchFlag.BLOCKING);
			}
			catch (SamException ex) {
				if (this.quitting) {
					return;
				}
				print("cpg_dispatch: " + ex.getMessage());
				this.restart = true;
			}
			catch (RuntimeException ex) {
				// a callback failed to print: go on dispatching
				this.err.println("A callback failed: " + ex);
				continue;
			}
			if (this.quitting || !this.restart) {
				return;
			}
			handle.close();
			print("Finalized, joining again");
			while (!this.quitting) {
				try {
					this.cpg = connect();
					this.restart = false;
					attempts = 0;
					break;
				}
				catch (ConnectFailure ex) {
					attempts++;
					int seconds = Math.min(attempts, MAX_RESTART_SECONDS);
					print(ex.getMessage() + "\nRestart operation after " + seconds + "s");
					if (sleepUnlessQuitting(TimeUnit.SECONDS.toNanos(seconds))) {
						return;
					}
				}
			}
		}
	}

	private boolean sleepUnlessQuitting(long nanos) {
		long deadline = System.nanoTime() + nanos;
		while (!this.quitting) {
			long left = deadline - System.nanoTime();
			if (left <= 0) {
				return false;
			}
			try {
				TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return true;
			}
		}
		return true;
	}

	/**
	 * Read lines as {@code fgets} does (up to {@value #LINE_BYTES} bytes, the newline
	 * kept) and multicast each with a NUL, until the input ends or a line starts with
	 * {@code EXIT}.
	 */
	private void readAndSend(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream(LINE_BYTES + 1);
		while (true) {
			int b = in.read();
			if (b >= 0) {
				line.write(b);
				if (b != '\n' && line.size() < LINE_BYTES) {
					continue;
				}
			}
			else if (line.size() == 0) {
				return;
			}
			byte[] bytes = line.toByteArray();
			line.reset();
			if (startsWithExit(bytes)) {
				return;
			}
			byte[] message = new byte[bytes.length + 1];
			System.arraycopy(bytes, 0, message, 0, bytes.length);
			send(message);
			if (b < 0) {
				return;
			}
		}
	}

	private static boolean startsWithExit(byte[] line) {
		byte[] exit = EXIT.getBytes(StandardCharsets.US_ASCII);
		if (line.length < exit.length) {
			return false;
		}
		for (int i = 0; i < exit.length; i++) {
			if (line[i] != exit[i]) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Give the messages sent a moment to come back before leaving, so that input piped in
	 * is seen delivered.
	 */
	private void awaitOwnMessages() {
		long deadline = System.nanoTime() + OWN_MESSAGES_NANOS;
		while (this.deliveredOwn.get() < this.sent.get() && System.nanoTime() - deadline < 0) {
			try {
				TimeUnit.MILLISECONDS.sleep(1);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

	/** Multicast in agreed order, offering the message again while corosync is busy. */
	private void send(byte[] message) {
		long deadline = System.nanoTime() + SEND_RETRY_NANOS;
		while (true) {
			try {
				this.cpg.mcastJoined(Cpg.Guarantee.AGREED, message);
				this.sent.incrementAndGet();
				return;
			}
			catch (SamException ex) {
				if (ex.error() != CsError.TRY_AGAIN || System.nanoTime() - deadline > 0) {
					this.err.println("cpg_mcast_joined: " + ex.getMessage());
					return;
				}
			}
			try {
				TimeUnit.MILLISECONDS.sleep(1);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

	/**
	 * On SIGINT, SIGTERM or {@code System.exit}: leave the group and finalize whatever
	 * handle is open. Leaving first makes the others see {@link CpgReason#LEAVE}, as for
	 * the end of input; a finalize alone, like a crash, reads {@link CpgReason#PROCDOWN}.
	 */
	private void finalizeOnExit() {
		this.quitting = true;
		Cpg handle = this.cpg;
		if (handle != null && !handle.isClosed()) {
			try {
				handle.leave(this.group);
			}
			catch (SamException ex) {
				// not a member at the moment: finalizing is enough
			}
			handle.close();
			this.err.println("Left the group and finalized on exit");
		}
	}

	private void print(String text) {
		synchronized (this.out) {
			this.out.println(text);
		}
	}

	private String timeLine() {
		return this.origin + " " + LocalDateTime.now().format(TIME);
	}

	/** {@code testcpg}'s {@code node_pid_format}. */
	private String nodePid(int nodeId, int pid) {
		return "node/pid " + (this.showIp ? networkOrder(nodeId) : Integer.toUnsignedString(nodeId)) + "/" + pid;
	}

	/**
	 * {@code inet_ntoa} of the byte-swapped node id: the node id read as an address, most
	 * significant byte first, as {@code testcpg -i} prints it.
	 */
	private static String networkOrder(int nodeId) {
		return (nodeId >>> 24) + "." + ((nodeId >>> 16) & 0xff) + "." + ((nodeId >>> 8) & 0xff) + "." + (nodeId & 0xff);
	}

	/**
	 * {@code inet_ntop} of the node id as it lies in memory on a little-endian machine,
	 * least significant byte first, as {@code testcpg}'s {@code print_localnodeid} prints
	 * it.
	 */
	private static String memoryOrder(int nodeId) {
		return (nodeId & 0xff) + "." + ((nodeId >>> 8) & 0xff) + "." + ((nodeId >>> 16) & 0xff) + "." + (nodeId >>> 24);
	}

	private static String shortHostName() {
		try {
			String name = InetAddress.getLocalHost().getHostName();
			int dot = name.indexOf('.');
			return (dot > 0) ? name.substring(0, dot) : name;
		}
		catch (UnknownHostException ex) {
			return "localhost";
		}
	}

	/** The text of a message as C's {@code %s} prints it: up to the first NUL. */
	private static String text(byte[] message) {
		int end = 0;
		while (end < message.length && message[end] != 0) {
			end++;
		}
		return new String(message, 0, end, StandardCharsets.UTF_8);
	}

	/** {@code testcpg}'s callbacks, on the dispatch thread. */
	private final class Callbacks implements CpgCallbacks {

		@Override
		public void deliver(String group, int nodeId, int pid, byte[] message) {
			if (nodeId == CpgTool.this.nodeIdStart && pid == CpgTool.this.pid) {
				CpgTool.this.deliveredOwn.incrementAndGet();
			}
			print(timeLine() + "\nDeliverCallback: message (len=" + message.length + ")from " + nodePid(nodeId, pid)
					+ ": '" + text(message) + "'");
		}

		@Override
		public void confchg(String group, List<CpgAddress> members, List<CpgAddress> left, List<CpgAddress> joined) {
			StringBuilder text = new StringBuilder(timeLine());
			text.append("\nConfchgCallback: group '").append(group).append("'\n");
			Cpg handle = CpgTool.this.cpg;
			int nodeId = 0;
			try {
				nodeId = handle.localGet();
				text.append("Local node id is ")
					.append(memoryOrder(nodeId))
					.append('/')
					.append(Integer.toUnsignedString(nodeId))
					.append(" result ")
					.append(CsError.OK.code());
			}
			catch (SamException ex) {
				text.append("Could not get local node id (").append(ex.getMessage()).append(')');
			}
			for (CpgAddress member : joined) {
				text.append("\njoined ")
					.append(nodePid(member.nodeId(), member.pid()))
					.append(" reason: ")
					.append(member.reason().code());
			}
			for (CpgAddress member : left) {
				text.append("\nleft ")
					.append(nodePid(member.nodeId(), member.pid()))
					.append(" reason: ")
					.append(member.reason().code());
			}
			text.append("\nnodes in group now ").append(members.size());
			for (CpgAddress member : members) {
				text.append('\n').append(nodePid(member.nodeId(), member.pid()));
			}
			boolean leftUs = left.stream().anyMatch((member) -> member.is(CpgTool.this.nodeIdStart, CpgTool.this.pid));
			if (leftUs && !CpgTool.this.quitting) {
				text.append("\nWe have left the building direct match start nodeid ")
					.append(Integer.toUnsignedString(CpgTool.this.nodeIdStart))
					.append(" local get current nodeid ")
					.append(Integer.toUnsignedString(nodeId))
					.append(" pid ")
					.append(CpgTool.this.pid);
			}
			print(text.toString());
			if (leftUs && !CpgTool.this.quitting) {
				// as testcpg: finalize and join again with a new handle
				CpgTool.this.restart = true;
				handle.close();
			}
		}

		@Override
		public void totemConfchg(CpgRingId ringId, int[] members) {
			StringBuilder text = new StringBuilder("\n").append(timeLine());
			text.append("\nTotemConfchgCallback: ringid (")
				.append(Integer.toHexString(ringId.nodeId()))
				.append('.')
				.append(Long.toHexString(ringId.seq()))
				.append(")\nactive processors ")
				.append(members.length)
				.append(": ");
			for (int member : members) {
				text.append(Integer.toUnsignedString(member)).append(' ');
			}
			print(text.toString());
		}

	}

}
