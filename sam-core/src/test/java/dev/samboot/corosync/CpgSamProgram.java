package dev.samboot.corosync;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.samboot.sam.CsError;
import dev.samboot.sam.Recovery;
import dev.samboot.sam.RecoveryPolicy;
import dev.samboot.sam.Sam;
import dev.samboot.sam.SamException;
import dev.samboot.sam.SamOptions;
import dev.samboot.sam.Signals;

import static dev.samboot.corosync.CpgGroupMemberProgram.address;
import static dev.samboot.corosync.CpgGroupMemberProgram.print;
import static dev.samboot.sam.TestSam.fail;

/**
 * A SAM-supervised program that is a member of a group, run by {@link CpgSamProcessTests}
 * as {@code CpgSamProgram SCENARIO GROUP INTERVAL_MS [...]}. It joins the group in the
 * active process only, after {@code register()} and before {@code start()}, as an
 * application would. Each instance prints
 * {@code instance N pid P supervisor S reasons [...]} first (which
 * {@link dev.samboot.sam.SupervisedRun} reads), then one line per event of the group, and
 * stops cleanly (stop, close the group, exit 0) when it reads {@code quit}.
 * <ul>
 * <li>{@code watched}: heartbeats from a thread every T/4; instance 1, whose warn signal
 * is SIGKILL, stops them, staying alive, when it reads {@code silent}.</li>
 * <li>{@code healthy BOUND_MS}: event-driven, the health check is
 * {@link CpgGroup#healthy(Duration)} for the bound. An instance that finds corosync away
 * at start-up tries to join every 200 ms, before {@code start()}, for as long as the
 * supervisor's start-up timeout (20 s) lets it.</li>
 * </ul>
 */
public final class CpgSamProgram {

	/** How long an instance may take to join and call {@code start()}. */
	static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(20);

	private CpgSamProgram() {
	}

	public static void main(String[] args) throws Exception {
		String scenario = args[0];
		String name = args[1];
		Duration interval = Duration.ofMillis(Long.parseLong(args[2]));
		Sam sam = Sam.initialize(SamOptions.builder(interval, RecoveryPolicy.RESTART)
			.shutdownTimeout(Duration.ofSeconds(5))
			.startupTimeout(STARTUP_TIMEOUT)
			.build());
		int instance = sam.register();
		print("instance " + instance + " pid " + ProcessHandle.current().pid() + " supervisor " + sam.supervisorPid()
				+ " reasons " + sam.recoveries().stream().map((r) -> r.reason().value()).toList());
		for (Recovery recovery : sam.recoveries()) {
			print("recovery " + recovery.reason().value() + " " + recovery.time().toEpochMilli() + " instance "
					+ recovery.instance() + " pid " + recovery.pid() + " status " + recovery.exitStatus());
		}
		BufferedReader input = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		switch (scenario) {
			case "watched" -> watched(sam, instance, name, interval, input);
			case "healthy" -> healthy(sam, instance, name, Duration.ofMillis(Long.parseLong(args[3])), input);
			default -> fail("unknown scenario " + scenario);
		}
	}

	private static void watched(Sam sam, int instance, String name, Duration interval, BufferedReader input)
			throws Exception {
		if (instance == 1) {
			// no warning: the supervisor's SIGKILL ends the silent instance
			sam.warnSignalSet(Signals.SIGKILL);
		}
		CpgGroup group = CpgGroup.join(name, new CpgGroupMemberProgram.PrintingListener());
		print("joined instance " + instance + " as " + address(group.self()));
		sam.start();
		AtomicBoolean silent = new AtomicBoolean();
		Thread heartbeats = new Thread(() -> {
			while (!silent.get()) {
				sam.hcSend();
				sleep(interval.toMillis() / 4);
			}
		}, "heartbeats");
		heartbeats.setDaemon(true);
		heartbeats.start();
		print("started instance " + instance);
		String line;
		while ((line = input.readLine()) != null) {
			if (line.equals("silent") && instance == 1) {
				silent.set(true);
				heartbeats.join();
				print("silent instance " + instance);
				Thread.sleep(60_000);
				fail("instance " + instance + " was not recovered");
			}
			if (line.equals("quit")) {
				quit(sam, group, heartbeats, silent);
			}
		}
	}

	private static void healthy(Sam sam, int instance, String name, Duration bound, BufferedReader input)
			throws Exception {
		CpgGroup group = joinWaiting(instance, name);
		print("joined instance " + instance + " as " + address(group.self()));
		sam.hcCallbackRegister(() -> {
			boolean healthy = group.healthy(bound);
			if (!healthy) {
				print("unhealthy instance " + instance + " lostFor "
						+ group.lostFor().map(Duration::toMillis).orElse(-1L));
			}
			return healthy;
		});
		sam.start();
		print("started instance " + instance);
		String line;
		while ((line = input.readLine()) != null) {
			if (line.equals("quit")) {
				quit(sam, group, null, null);
			}
		}
	}

	/**
	 * Join, trying again every 200 ms while corosync cannot be reached: the supervisor
	 * expects no heartbeat before {@code start()}, and its start-up timeout ends an
	 * instance that waits too long.
	 */
	private static CpgGroup joinWaiting(int instance, String name) throws InterruptedException {
		long since = System.currentTimeMillis();
		boolean told = false;
		while (true) {
			try {
				CpgGroup group = CpgGroup.join(name, new CpgGroupMemberProgram.PrintingListener());
				if (told) {
					print("join-waited instance " + instance + " " + (System.currentTimeMillis() - since) + " ms");
				}
				return group;
			}
			catch (SamException ex) {
				if (ex.error() != CsError.LIBRARY) {
					throw ex;
				}
				if (!told) {
					print("join-waiting instance " + instance + " " + System.currentTimeMillis() + " " + ex.error());
					told = true;
				}
				Thread.sleep(200);
			}
		}
	}

	private static void quit(Sam sam, CpgGroup group, Thread heartbeats, AtomicBoolean silent)
			throws InterruptedException {
		if (silent != null) {
			silent.set(true);
			heartbeats.join();
		}
		sam.stop();
		group.close();
		print("quit");
		System.exit(0);
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
