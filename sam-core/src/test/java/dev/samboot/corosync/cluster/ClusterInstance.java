package dev.samboot.corosync.cluster;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

import dev.samboot.sam.Recovery;
import dev.samboot.sam.RecoveryPolicy;
import dev.samboot.sam.Sam;
import dev.samboot.sam.SamException;
import dev.samboot.sam.SamOptions;
import dev.samboot.sam.SamState;
import dev.samboot.sam.Signals;
import dev.samboot.sam.SupervisedRun;
import org.awaitility.core.ConditionTimeoutException;
import sun.misc.Signal;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The supervised program the cluster tests run on a node (inside its network namespace,
 * so that its supervisor's quorum and cmap are that node's corosync). Every event is a
 * line ending with {@code at <epoch ms>}, so that the test, on the same clock, can time
 * it against what it did to the cluster:
 *
 * <pre>
 * instance 2 pid 4242 supervisor 4200 at ...
 * recovery 1 quorum-lost status 137 at ...    (one per recovery handed over)
 * quorate 2 false at ...                      (sam.quorate(), on every change)
 * waiting 2 quorate false at ...              (start() is called)
 * started 2 at ...                            (start() returned)
 * warned 2 at ...                             (the warn signal, SIGUSR1, arrived)
 * stopped 2 at ...                            ("stop" read: stop() and exit 0)
 * register-failed LIBRARY ...                 (in the supervisor: exits 3)
 * </pre>
 *
 * Arguments: the policy ({@code quorum-restart}, {@code quorum-quit},
 * {@code quorum-restart-cmap}) and the interval T in milliseconds. A started instance
 * sends heartbeats every T/4 until it reads {@code stop} on its standard input.
 */
public final class ClusterInstance {

	/** The supervisor's exit status when {@code register()} fails. */
	public static final int REGISTER_FAILED = 3;

	private static final Duration STOP = Duration.ofSeconds(30);

	private ClusterInstance() {
	}

	public static void main(String[] args) throws Exception {
		RecoveryPolicy policy = switch (args[0]) {
			case "quorum-restart" -> RecoveryPolicy.QUORUM_RESTART;
			case "quorum-quit" -> RecoveryPolicy.QUORUM_QUIT;
			case "quorum-restart-cmap" -> RecoveryPolicy.QUORUM_RESTART.withCmap();
			default -> throw new IllegalArgumentException("unknown policy " + args[0]);
		};
		int interval = Integer.parseInt(args[1]);
		Sam sam = Sam.initialize(
				SamOptions.builder(Duration.ofMillis(interval), policy).shutdownTimeout(Duration.ofSeconds(5)).build());
		run(sam, interval);
	}

	/**
	 * Register, print the events above, start, send heartbeats until told to stop: the
	 * part every cluster program shares, whatever its quorum source.
	 * @param sam the initialized handle
	 * @param interval T in milliseconds
	 */
	public static void run(Sam sam, int interval) throws Exception {
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

	// what a test reads of the program's output

	/**
	 * Wait for the first line that starts so.
	 * @param run the supervised run
	 * @param prefix the line's start
	 * @param timeout how long to wait
	 * @return the line
	 */
	public static String awaitEvent(SupervisedRun run, String prefix, Duration timeout) {
		try {
			return run.awaitLine((Predicate<String>) (l) -> l.startsWith(prefix), timeout);
		}
		catch (ConditionTimeoutException ex) {
			throw new AssertionError("no '" + prefix + "' within " + timeout + ":\n" + run.output(), ex);
		}
	}

	/**
	 * Return when an event happened.
	 * @param event a line ending with {@code at <epoch ms>}
	 * @return the epoch milliseconds
	 */
	public static long at(String event) {
		return Long.parseLong(event.substring(event.lastIndexOf(" at ") + 4).trim());
	}

	/**
	 * Return the last {@code sam.quorate()} an instance of the run printed.
	 * @param run the supervised run
	 * @return the quorum state
	 */
	public static boolean latestQuorate(SupervisedRun run) {
		List<String> lines = run.lines();
		for (int i = lines.size() - 1; i >= 0; i--) {
			if (lines.get(i).startsWith("quorate ")) {
				return Boolean.parseBoolean(lines.get(i).split(" ")[2]);
			}
		}
		throw new AssertionError("no quorate printed:\n" + run.output());
	}

	/**
	 * Check that the run's first instance was never warned nor replaced, and runs.
	 * @param run the supervised run
	 * @param firstPid its first instance's pid
	 */
	public static void assertNeverRecovered(SupervisedRun run, long firstPid) {
		assertThat(run.output()).as("never warned, never restarted")
			.doesNotContain("warned ")
			.doesNotContain("instance 2")
			.doesNotContain("quorate 1 false");
		assertThat(SupervisedRun.isRunning(firstPid)).as("instance 1 runs").isTrue();
	}

	/**
	 * Tell every instance to stop; each supervisor then quits with status 0.
	 * @param runs the supervised runs
	 */
	public static void stopCleanly(SupervisedRun... runs) throws Exception {
		for (SupervisedRun run : runs) {
			run.tell("stop");
		}
		for (SupervisedRun run : runs) {
			assertThat(run.awaitExit(STOP)).as(run.output()).isZero();
		}
	}

	private static String stamp() {
		return " at " + System.currentTimeMillis();
	}

	private static synchronized void print(String line) {
		System.out.println(line);
		System.out.flush();
	}

}
