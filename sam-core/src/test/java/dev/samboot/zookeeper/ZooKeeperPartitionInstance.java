package dev.samboot.zookeeper;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

import dev.samboot.sam.Recovery;
import dev.samboot.sam.RecoveryPolicy;
import dev.samboot.sam.Sam;
import dev.samboot.sam.SamException;
import dev.samboot.sam.SamOptions;
import dev.samboot.sam.SamState;
import dev.samboot.sam.Signals;
import sun.misc.Signal;

/**
 * The supervised program {@link ZooKeeperPartitionTests} runs on each node of a cluster:
 * {@link RecoveryPolicy#QUORUM_RESTART} with a {@link ZooKeeperQuorum} as the quorum
 * source, connected to one server only (the one on its own node), so that its quorum is
 * what that server says. Every event is a line ending with {@code at <epoch ms>}, so that
 * the test, on the same clock, can time it against what it did to the network:
 *
 * <pre>
 * instance 2 pid 4242 supervisor 4200 at ...
 * recovery 1 quorum-lost status 137 at ...    (one per recovery handed over)
 * quorate 2 false at ...                      (sam.quorate(), on every change)
 * waiting 2 quorate false at ...              (start() is called)
 * started 2 at ...                            (start() returned)
 * warned 2 at ...                             (the warn signal, SIGUSR1, arrived)
 * stopped 2 at ...                            ("stop" read: stop() and exit 0)
 * register-failed ...                         (in the supervisor: exits 3)
 * </pre>
 *
 * Arguments: the connect string, the interval T in milliseconds and the ZooKeeper session
 * timeout in milliseconds. A started instance sends heartbeats every T/4 until it reads
 * {@code stop} on its standard input.
 */
public final class ZooKeeperPartitionInstance {

	/** The supervisor's exit status when {@code register()} fails. */
	static final int REGISTER_FAILED = 3;

	/**
	 * How long the supervisor's quorum source waits for its first connection: no longer
	 * than the tests' session timeout, which Curator warns of.
	 */
	private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(3);

	private ZooKeeperPartitionInstance() {
	}

	public static void main(String[] args) throws Exception {
		String connectString = args[0];
		int interval = Integer.parseInt(args[1]);
		Duration sessionTimeout = Duration.ofMillis(Long.parseLong(args[2]));
		Sam sam = Sam.initialize(SamOptions.builder(Duration.ofMillis(interval), RecoveryPolicy.QUORUM_RESTART)
			.shutdownTimeout(Duration.ofSeconds(5))
			.quorumSource(() -> new ZooKeeperQuorum(connectString, sessionTimeout, CONNECTION_TIMEOUT))
			.build());
		int instance;
		try {
			instance = sam.register();
		}
		catch (SamException ex) {
			print("register-failed " + ex.error() + " " + ex.getMessage());
			System.exit(REGISTER_FAILED);
			return;
		}
		print("instance " + instance + " pid " + sam.pid() + " supervisor " + sam.supervisorPid() + stamp());
		for (Recovery recovery : sam.recoveries()) {
			print("recovery " + recovery.instance() + " " + recovery.reason().value() + " status "
					+ recovery.exitStatus() + " at " + recovery.time().toEpochMilli());
		}
		Signal.handle(new Signal("USR1"), (signal) -> print("warned " + instance + stamp()));
		sam.warnSignalSet(Signals.SIGUSR1);
		watchQuorate(sam, instance);
		print("waiting " + instance + " quorate " + sam.quorate().map(String::valueOf).orElse("unknown") + stamp());
		sam.start();
		print("started " + instance + stamp());
		heartbeats(sam, interval);
		BufferedReader input = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		String line;
		while ((line = input.readLine()) != null) {
			if (line.equals("stop")) {
				if (sam.state() == SamState.STARTED) {
					sam.stop();
				}
				print("stopped " + instance + stamp());
				System.exit(0);
			}
		}
		// no more input: keep running until the supervisor is told otherwise
		Thread.sleep(Long.MAX_VALUE);
	}

	/** Send a heartbeat every T/4 from a daemon thread, until stopped. */
	private static void heartbeats(Sam sam, int interval) {
		Thread heartbeats = new Thread(() -> {
			try {
				while (sam.state() == SamState.STARTED) {
					sam.hcSend();
					Thread.sleep(Math.max(1, interval / 4));
				}
			}
			catch (SamException | InterruptedException ex) {
				// stopped meanwhile
			}
		}, "heartbeats");
		heartbeats.setDaemon(true);
		heartbeats.start();
	}

	/**
	 * Print {@code sam.quorate()} whenever it changes, from a thread of its own: the read
	 * never waits, not even for a start() that waits for quorum.
	 */
	private static void watchQuorate(Sam sam, int instance) {
		Thread watcher = new Thread(() -> {
			Optional<Boolean> last = Optional.empty();
			while (true) {
				Optional<Boolean> now = sam.quorate();
				if (now.isPresent() && !now.equals(last)) {
					print("quorate " + instance + " " + now.get() + stamp());
					last = now;
				}
				try {
					Thread.sleep(5);
				}
				catch (InterruptedException ex) {
					return;
				}
			}
		}, "quorate-watcher");
		watcher.setDaemon(true);
		watcher.start();
	}

	private static String stamp() {
		return " at " + System.currentTimeMillis();
	}

	private static synchronized void print(String line) {
		System.out.println(line);
		System.out.flush();
	}

}
