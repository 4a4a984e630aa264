package dev.samboot.sam;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.samboot.corosync.CorosyncScenarios;
import dev.samboot.sam.internal.process.JvmCommandLine;
import dev.samboot.sam.internal.process.PosixSignals;
import dev.samboot.sam.internal.process.SamPlatform;
import dev.samboot.zookeeper.ZooKeeperQuorum;
import dev.samboot.zookeeper.ZooKeeperScenarios;
import sun.misc.Signal;

/**
 * Test programs run as separate JVMs by {@link RealProcessTests} and the other
 * real-process tests (through {@link SupervisedRun}), in the manner of corosync's
 * {@code test/testsam.c}: each initializes, registers, branches on the instance id and
 * ends with an exit status the test checks. A broken expectation prints {@code FAIL:} and
 * halts with 99.
 */
public final class TestSam {

	static final int FAILED = 99;

	private TestSam() {
	}

	public static void main(String[] args) throws Exception {
		String scenario = args[0];
		if (args[args.length - 1].equals("--train")) {
			// the start-up cache's training run: load the classes an instance loads, then
			// exit
			SamOptions.builder(java.time.Duration.ofMillis(500), RecoveryPolicy.RESTART).build();
			System.out.println("trained");
			return;
		}
		int interval = (args.length > 1) ? Integer.parseInt(args[1]) : 500;
		if (scenario.equals("launch-with")) {
			launchWith(args[2], interval);
			return;
		}
		if (scenario.startsWith("deferred")) {
			deferred(scenario, interval);
			return;
		}
		if (scenario.equals("launch-fail")) {
			// the working directory vanishes, so the supervisor cannot start the active
			// process in it
			java.nio.file.Files.delete(java.nio.file.Path.of(System.getProperty("user.dir")));
		}
		RecoveryPolicy policy = switch (scenario) {
			case "quorum" -> RecoveryPolicy.QUORUM_RESTART.withCmap();
			case "cmap-quit", "cmap-clean" -> RecoveryPolicy.QUIT.withCmap();
			case "cmap-restart", "guarded" -> RecoveryPolicy.RESTART.withCmap();
			case "zk-restart" -> RecoveryPolicy.QUORUM_RESTART;
			case "zk-quit" -> RecoveryPolicy.QUORUM_QUIT;
			default -> scenario.startsWith("quit") ? RecoveryPolicy.QUIT : RecoveryPolicy.RESTART;
		};
		boolean apiStates = scenario.equals("api-states") && !Sam.isActiveProcess();
		if (apiStates) {
			SamApiTable.print(SamState.NOT_INITIALIZED, null, java.time.Duration.ofMillis(interval), policy);
		}
		SamOptions.Builder options = SamOptions.builder(java.time.Duration.ofMillis(interval), policy)
			.dataMaxSize(4096)
			.shutdownTimeout(java.time.Duration.ofSeconds(5))
			.statePublisher(scenario.equals("guarded") ? PrintedState::new : null);
		switch (scenario) {
			case "crash-loop" -> options.restartIntensity(2, java.time.Duration.ofMinutes(1))
				.backoff(new Backoff(java.time.Duration.ofMillis(200), java.time.Duration.ofSeconds(1), 2, 0,
						java.time.Duration.ofMinutes(1)));
			case "totals" -> options.backoff(new Backoff(java.time.Duration.ofMillis(10),
					java.time.Duration.ofMillis(40), 2, 0, java.time.Duration.ofMinutes(1)));
			case "quit-never-starts" -> options.startupTimeout(java.time.Duration.ofMillis(Long.parseLong(args[2])));
			case "silent-with-dumps" -> options.threadDumps(java.nio.file.Path.of(args[2]));
			case "startup-cache" -> options.startupCache(java.nio.file.Path.of(args[2]))
				.startupCacheTraining(java.util.List.of("-Dsam.test.training=true"), java.util.List.of("--train"));
			case "quit-exit-codes" -> options.exitCodes(java.util.Set.of(75), java.util.Set.of(78));
			case "lean" -> options.leanSupervisor(SamOptions.LEAN_SUPERVISOR_JVM_OPTIONS)
				.threadDumps(java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "samboot-test-dumps"));
			default -> {
			}
		}
		if (scenario.startsWith("zk-")) {
			options.quorumSource(() -> new ZooKeeperQuorum(args[2], ZooKeeperScenarios.SESSION_TIMEOUT,
					ZooKeeperScenarios.CONNECTION_TIMEOUT));
		}
		if (scenario.contains("early")) {
			options.earlyLaunch(early(scenario));
			if (scenario.contains("lean")) {
				options.leanSupervisor(SamOptions.LEAN_SUPERVISOR_JVM_OPTIONS);
			}
		}
		Sam sam = Sam.initialize(options.build());
		if (apiStates) {
			SamApiTable.print(SamState.INITIALIZED, sam, sam.interval(), policy);
		}
		int instance = sam.register();
		System.out.println("instance " + instance + " pid " + ProcessHandle.current().pid() + " restarts "
				+ sam.restarts() + " reasons " + sam.recoveries().stream().map((r) -> r.reason().value()).toList());
		switch (scenario) {
			case "basic" -> basic(sam);
			case "warn-signal" -> warnSignal(sam, instance);
			case "self-kill" -> selfKill(sam, instance);
			case "data" -> data(sam, instance);
			case "callback" -> callback(sam, instance);
			case "close-while-heartbeats" -> closeWhileHeartbeats(sam, interval);
			case "quit-exit" -> quitExit(sam);
			case "quit-killed" -> quitKilled(sam);
			case "heartbeat-forever" -> heartbeatForever(sam, interval);
			case "exit" -> System.exit(Integer.parseInt(args[2]));
			case "api-states" -> apiStates(sam);
			case "guarded" -> guarded(sam, instance, interval);
			case "quorum" -> CorosyncScenarios.quorum(sam, instance, interval);
			case "cmap-quit" -> CorosyncScenarios.cmapQuit(sam, interval, false);
			case "cmap-clean" -> CorosyncScenarios.cmapQuit(sam, interval, true);
			case "cmap-restart" -> CorosyncScenarios.cmapRestart(sam);
			case "zk-restart", "zk-quit" -> ZooKeeperScenarios.quorumLost(sam, instance, interval);
			case "crash-loop" -> crashLoop(sam);
			case "totals" -> totals(sam, instance, Integer.parseInt(args[2]));
			case "quit-never-starts" -> neverStarts();
			case "silent-with-dumps" -> silentWithDumps(sam, instance);
			case "quit-exit-codes" -> exitCodes(sam, instance);
			case "lean", "early", "early-lean" -> lean(sam, instance);
			case "quit-early-lean" -> {
				sam.start();
				System.exit(7);
			}
			case "startup-cache" -> startupCache(sam, instance, java.nio.file.Path.of(args[2]));
			default -> fail("unknown scenario " + scenario);
		}
	}

	/**
	 * Launch instance 1 before {@code register()} (nothing in an active process). The
	 * supervisor prints its pid and then takes its time, so the instance has to wait for
	 * the socket. With {@code early-cancel} it cancels instead and reports what is left;
	 * with {@code early-orphan} it halts, leaving the instance to notice.
	 */
	private static EarlyLaunch early(String scenario) throws InterruptedException {
		EarlyLaunch early = EarlyLaunch.launch().orElse(null);
		if (early == null) {
			return null;
		}
		java.nio.file.Path directory = early.directory().path();
		System.out.println("early pid " + early.pid());
		System.out.println("early directory " + directory);
		System.out.flush();
		Thread.sleep(1500);
		if (scenario.equals("early-orphan")) {
			Runtime.getRuntime().halt(0);
		}
		if (scenario.equals("early-cancel")) {
			early.cancel();
			System.out
				.println("cancelled alive " + ProcessHandle.of(early.pid()).map(ProcessHandle::isAlive).orElse(false)
						+ " directory " + java.nio.file.Files.exists(directory));
			System.exit(0);
		}
		return early;
	}

	/**
	 * testsam's test1: start, heartbeat, stop, finalize, and every call after finalize is
	 * BAD_HANDLE.
	 */
	private static void basic(Sam sam) {
		sam.start();
		sam.hcSend();
		sam.stop();
		sam.start();
		sam.hcSend();
		sam.close();
		expectError(CsError.BAD_HANDLE, sam::start);
		expectError(CsError.BAD_HANDLE, sam::stop);
		expectError(CsError.BAD_HANDLE, sam::hcSend);
		expectError(CsError.BAD_HANDLE, sam::register);
		expectError(CsError.BAD_HANDLE, sam::close);
		expectError(CsError.BAD_HANDLE, () -> sam.dataStore(new byte[1]));
		expectError(CsError.BAD_HANDLE, () -> sam.warnSignalSet(Signals.SIGUSR1));
		expectError(CsError.BAD_HANDLE, () -> Sam.initialize(100, RecoveryPolicy.QUIT));
		System.exit(0);
	}

	/**
	 * testsam's test2/test3: the warn signal arrives exactly once, then SIGKILL. Instance
	 * 1 records when its last message went out and when SIGUSR1 arrived; instance 2
	 * checks both and the carried warn signal.
	 */
	private static void warnSignal(Sam sam, int instance) throws InterruptedException {
		if (instance == 1) {
			AtomicInteger warnings = new AtomicInteger();
			sam.warnSignalSet(Signals.SIGUSR1);
			sam.start();
			sam.hcSend();
			long lastMessage = System.currentTimeMillis();
			System.out.println("last-message " + lastMessage);
			Signal.handle(new Signal("USR1"), (signal) -> {
				long now = System.currentTimeMillis();
				System.out.println("warned " + now);
				sam.dataStore(longs(warnings.incrementAndGet(), lastMessage, now));
			});
			// a tick every 5 ms: the last one printed tells, from outside, when SIGKILL
			// struck
			for (int tick = 0; tick < 12_000; tick++) {
				System.out.println("alive " + System.currentTimeMillis());
				Thread.sleep(5);
			}
			fail("instance 1 was not killed");
		}
		long[] stored = toLongs(sam.dataRestore());
		check(stored.length == 3, "data from instance 1: " + Arrays.toString(stored));
		check(stored[0] == 1, "warn signal delivered " + stored[0] + " times");
		check(sam.warnSignal() == Signals.SIGUSR1, "warn signal carried: " + sam.warnSignal());
		System.out.println("warn-after-ms " + (stored[2] - stored[1]));
		System.exit(0);
	}

	/** testsam's test4-like: a process that kills itself with SIGKILL is restarted. */
	private static void selfKill(Sam sam, int instance) {
		if (instance == 1) {
			startThenKillSelf(sam);
		}
		check(sam.recoveries().size() == 1, "recoveries " + sam.recoveries());
		check(sam.recoveries().get(0).reason() == Recovery.Reason.KILLED, "reason " + sam.recoveries());
		check(sam.recoveries().get(0).exitStatus() == 128 + Signals.SIGKILL, "status " + sam.recoveries());
		System.exit(0);
	}

	/**
	 * testsam's test5: data store, restore and getsize across instances, with the error
	 * cases.
	 */
	private static void data(Sam sam, int instance) {
		byte[] payload = new byte[1000];
		for (int i = 0; i < payload.length; i++) {
			payload[i] = (byte) (i * 31);
		}
		if (instance == 1) {
			check(sam.dataGetSize() == 0, "size before store " + sam.dataGetSize());
			check(sam.dataRestore().length == 0, "restore before store");
			expectError(CsError.INVALID_PARAM, () -> sam.dataRestore(null));
			sam.dataStore("small".getBytes(StandardCharsets.UTF_8));
			expectError(CsError.INVALID_PARAM, () -> sam.dataRestore(new byte[2]));
			expectError(CsError.TOO_BIG, () -> sam.dataStore(new byte[4097]));
			check(sam.dataGetSize() == 5, "size after a refused store " + sam.dataGetSize());
			sam.dataStore(payload);
			payload[0] = 42;
			startThenKillSelf(sam);
		}
		byte[] buffer = new byte[2000];
		check(sam.dataGetSize() == 1000, "size in instance 2: " + sam.dataGetSize());
		check(sam.dataRestore(buffer) == 1000, "restored size");
		payload[0] = 0;
		check(Arrays.equals(Arrays.copyOf(buffer, 1000), payload), "restored bytes differ");
		sam.dataStore(null);
		check(sam.dataGetSize() == 0, "size after delete " + sam.dataGetSize());
		System.exit(0);
	}

	/** testsam's test6: the event-driven callback is counted up to its first failure. */
	private static void callback(Sam sam, int instance) throws InterruptedException {
		if (instance == 1) {
			AtomicInteger calls = new AtomicInteger();
			sam.hcCallbackRegister(() -> {
				int call = calls.incrementAndGet();
				sam.dataStore(longs(call));
				System.out.println("callback " + call);
				return call < 4;
			});
			sam.start();
			Thread.sleep(60_000);
			fail("instance 1 was not recovered");
		}
		long[] stored = toLongs(sam.dataRestore());
		check(stored.length == 1 && stored[0] == 4, "callback calls " + Arrays.toString(stored));
		check(sam.recoveries().get(0).reason() == Recovery.Reason.UNHEALTHY, "reason " + sam.recoveries());
		System.exit(0);
	}

	/**
	 * testsam's test7-like: close() while the heartbeat thread runs stops checking
	 * cleanly.
	 */
	private static void closeWhileHeartbeats(Sam sam, int interval) throws InterruptedException {
		AtomicInteger calls = new AtomicInteger();
		sam.hcCallbackRegister(() -> calls.incrementAndGet() > 0);
		sam.start();
		Thread.sleep(3L * interval);
		check(calls.get() >= 2, "callback ran " + calls.get() + " times in 3 intervals");
		sam.close();
		int after = calls.get();
		Thread.sleep(3L * interval);
		check(calls.get() == after, "callback still runs after close");
		System.exit(0);
	}

	/**
	 * libsam's table of states and errors in the states only a supervised process reaches
	 * (the supervisor printed NOT_INITIALIZED and INITIALIZED before registering).
	 * close() from STARTED must stop first, so the exit that follows quits rather than
	 * restarts.
	 */
	private static void apiStates(Sam sam) {
		SamApiTable.print(SamState.REGISTERED, sam, sam.interval(), sam.policy());
		sam.start();
		SamApiTable.print(SamState.STARTED, sam, sam.interval(), sam.policy());
		sam.close();
		SamApiTable.print(SamState.FINALIZED, sam, sam.interval(), sam.policy());
		System.exit(0);
	}

	/**
	 * A target for strangers on the channel, with the cmap flag so that a mark-failed
	 * would be obeyed, and the supervisor's state printed ({@code published ...}) instead
	 * of written to cmap. Instance 1 stores data, starts and sends heartbeats until it
	 * reads {@code silent}, then falls silent and is recovered; instance 2 prints what
	 * the supervisor handed over and exits when it reads {@code exit}.
	 */
	private static void guarded(Sam sam, int instance, int interval) throws Exception {
		BufferedReader input = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		if (instance == 1) {
			sam.dataStore("original".getBytes(StandardCharsets.UTF_8));
			sam.start();
			AtomicBoolean silent = new AtomicBoolean();
			Thread heartbeats = new Thread(() -> {
				while (!silent.get()) {
					sam.hcSend();
					sleep(interval / 4);
				}
			}, "heartbeats");
			heartbeats.start();
			System.out.println("ready");
			awaitInput(input, "silent");
			silent.set(true);
			heartbeats.join();
			System.out.println("silent");
			Thread.sleep(60_000);
			fail("instance 1 was not recovered");
		}
		System.out.println("handed over: data " + new String(sam.dataRestore(), StandardCharsets.UTF_8)
				+ ", warn signal " + sam.warnSignal());
		awaitInput(input, "exit");
		System.exit(0);
	}

	/**
	 * A supervisor that launches its instances with another {@code java}: instance 1
	 * starts and kills itself when it reads {@code die}.
	 */
	private static void launchWith(String javaPath, int interval) throws IOException {
		List<String> command = new ArrayList<>(JvmCommandLine.current());
		command.set(0, javaPath);
		Sam sam = Sam.create(SamOptions.builder(java.time.Duration.ofMillis(interval), RecoveryPolicy.RESTART).build(),
				new SamPlatform(System.getenv(), ProcessHandle.current().parent().map(ProcessHandle::pid), command,
						System::exit));
		int instance = sam.register();
		System.out.println("instance " + instance + " pid " + ProcessHandle.current().pid());
		sam.start();
		awaitInput(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), "die");
		killSelf();
	}

	private static void awaitInput(BufferedReader input, String expected) throws IOException {
		String line;
		while ((line = input.readLine()) != null && !line.equals(expected)) {
			System.out.println("ignored input " + line);
		}
	}

	/**
	 * Send a heartbeat every T/4 from a daemon thread, while the main thread does
	 * something else.
	 * @param sam the started handle
	 * @param interval T in milliseconds
	 */
	public static void heartbeatsInTheBackground(Sam sam, int interval) {
		Thread heartbeats = new Thread(() -> {
			while (true) {
				sam.hcSend();
				sleep(interval / 4);
			}
		});
		heartbeats.setDaemon(true);
		heartbeats.start();
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static void quitExit(Sam sam) {
		sam.start();
		sam.hcSend();
		System.exit(7);
	}

	private static void quitKilled(Sam sam) {
		startThenKillSelf(sam);
	}

	/**
	 * Under a lean supervisor: instance 1 prints its supervisor's command line and dies
	 * by SIGKILL, instance 2 reports the recovery and quits cleanly.
	 */
	private static void lean(Sam sam, int instance) throws IOException {
		sam.start();
		String supervisor = new String(
				java.nio.file.Files
					.readAllBytes(java.nio.file.Path.of("/proc", Long.toString(sam.supervisorPid()), "cmdline")),
				StandardCharsets.UTF_8)
			.replace('\0', ' ');
		System.out.println("supervisor command " + supervisor);
		System.out.flush();
		if (instance == 1) {
			Runtime.getRuntime().halt(5);
		}
		System.out.println(
				"recovered " + sam.recoveries().get(0).reason().value() + " " + sam.recoveries().get(0).exitStatus());
		sam.stop();
		System.exit(0);
	}

	/**
	 * A supervisor started before the settings are known ({@link DeferredSettings}): the
	 * process the user started becomes it at once; instance 1 says what the scenario
	 * names. {@code deferred}: sends lean settings, after a connection that sends
	 * garbage, and halts with 5 as instance 1; instance 2 prints the supervisor's command
	 * and quits with 0. {@code deferred-exit}: exits with 3 before sending anything.
	 * {@code deferred-detach}: detaches and runs until SIGTERM, then halts with 7.
	 * {@code deferred-data}: asks for 8 MB of data, which needs a larger heap than the
	 * supervisor started with. {@code deferred-relaunch}: asks for no lean supervisor;
	 * started again with the early launch off, the process supervises in its own JVM.
	 */
	private static void deferred(String scenario, int interval) throws Exception {
		SamOptions.Builder builder = SamOptions.builder(java.time.Duration.ofMillis(interval), RecoveryPolicy.QUIT)
			.shutdownTimeout(java.time.Duration.ofSeconds(5));
		if (!scenario.equals("deferred-relaunch")) {
			builder.leanSupervisor(SamOptions.LEAN_SUPERVISOR_JVM_OPTIONS);
		}
		if (scenario.equals("deferred-data")) {
			builder.dataMaxSize(8 * 1024 * 1024);
		}
		if (scenario.equals("deferred")) {
			builder = SamOptions.builder(java.time.Duration.ofMillis(interval), RecoveryPolicy.RESTART)
				.leanSupervisor(SamOptions.LEAN_SUPERVISOR_JVM_OPTIONS);
		}
		SamOptions options = builder.build();
		if (!Sam.isActiveProcess()) {
			System.out.println("user pid " + ProcessHandle.current().pid());
			System.out.flush();
			if (!"false".equals(System.getProperty("sam.supervisor.early-launch"))) {
				String why = DeferredSettings.supervise();
				fail("still the process the user started: " + why);
			}
		}
		else if (DeferredSettings.pending()) {
			System.out.println("deferred instance pid " + ProcessHandle.current().pid());
			System.out.flush();
			switch (scenario) {
				case "deferred-exit" -> System.exit(3);
				case "deferred-detach" -> {
					DeferredSettings.detach("the test turns supervision off");
					Signal.handle(new Signal("TERM"), (signal) -> Runtime.getRuntime().halt(7));
					System.out.println(
							"detached, pending " + DeferredSettings.pending() + " active " + Sam.current().isPresent());
					System.out.flush();
					Thread.sleep(120_000);
					fail("no SIGTERM came");
				}
				case "deferred" -> {
					sendGarbage(java.net.UnixDomainSocketAddress.of(System.getenv("SAM_SOCKET")));
				}
				default -> {
				}
			}
			DeferredSettings.send(options, Signals.SIGTERM);
		}
		Sam sam = Sam.initialize(options);
		int instance = sam.register();
		System.out.println("instance " + instance + " pid " + ProcessHandle.current().pid() + " restarts "
				+ sam.restarts() + " max data " + sam.dataMaxSize());
		System.out.flush();
		lean(sam, instance);
	}

	/** One frame of an unknown type, once the supervisor listens. */
	private static void sendGarbage(java.net.SocketAddress socket) throws Exception {
		long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
		while (true) {
			try (java.nio.channels.SocketChannel garbage = java.nio.channels.SocketChannel.open(socket)) {
				garbage.write(ByteBuffer.wrap(new byte[] { 0, 0, 0, 3, 42, 42, 42 }));
				return;
			}
			catch (IOException ex) {
				if (System.nanoTime() > deadline) {
					throw ex;
				}
				Thread.sleep(10);
			}
		}
	}

	/**
	 * With a start-up cache: instance 1 starts, waits for the training to publish the
	 * cache and halts; instance 2 prints its command line and quits cleanly.
	 */
	private static void startupCache(Sam sam, int instance, java.nio.file.Path directory) throws Exception {
		sam.start();
		String command = new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/self/cmdline")),
				StandardCharsets.UTF_8)
			.replace('\0', ' ');
		System.out.println("instance " + instance + " command " + command);
		System.out.flush();
		if (instance == 1) {
			long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
			while (!java.nio.file.Files.exists(directory.resolve("key")) && System.nanoTime() < deadline) {
				sam.hcSend();
				Thread.sleep(50);
			}
			Runtime.getRuntime().halt(3);
		}
		sam.stop();
		System.exit(0);
	}

	/** Start, then exit 3 at once; the restart intensity ends the loop. */
	private static void crashLoop(Sam sam) {
		sam.start();
		for (Recovery recovery : sam.recoveries()) {
			System.out.println("recovery " + recovery.instance() + " " + recovery.action() + " backoff "
					+ recovery.backoff().toMillis());
		}
		System.out.flush();
		Runtime.getRuntime().halt(3);
	}

	/**
	 * Print the supervisor's totals, then end by a requested restart (every third
	 * instance) or an exit, until the last instance stops cleanly.
	 */
	private static void totals(Sam sam, int instance, int last) throws InterruptedException {
		sam.start();
		RecoveryTotals totals = sam.totals();
		System.out.println("totals instance " + instance + " restarts " + totals.restarts() + " recoveries "
				+ totals.recoveryCount() + " exited " + totals.recoveries(Recovery.Reason.EXITED) + " requested "
				+ totals.recoveries(Recovery.Reason.REQUESTED) + " backoff " + totals.backoff().toMillis() + " kept "
				+ sam.recoveries().size());
		System.out.flush();
		if (instance >= last) {
			sam.stop();
			sam.close();
			return;
		}
		if (instance % 3 == 0) {
			sam.requestRestart();
			// the warn signal (SIGTERM) ends this JVM
			Thread.sleep(60_000);
			fail("the requested restart did not end this instance");
		}
		Runtime.getRuntime().halt(3);
	}

	/** Register, never start: the start-up timeout warns (SIGTERM ends the JVM). */
	private static void neverStarts() throws InterruptedException {
		Thread.sleep(60_000);
		fail("the start-up timeout did not end this instance");
	}

	/**
	 * Instance 1 starts and goes silent with a recognizable thread; instance 2 reports
	 * the dump.
	 */
	private static void silentWithDumps(Sam sam, int instance) throws InterruptedException {
		if (instance == 1) {
			Thread stuck = new Thread(() -> {
				try {
					Thread.sleep(60_000);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}, "stuck-in-a-test-scenario");
			stuck.setDaemon(true);
			stuck.start();
			sam.start();
			Thread.sleep(60_000);
			fail("instance 1 was not warned");
		}
		System.out.println("thread dump " + sam.recoveries().get(0).threadDump());
		System.out.flush();
		sam.start();
		sam.stop();
		System.exit(0);
	}

	/**
	 * Instance 1 exits 75 (always restarts, under quit); instance 2 exits 78 (always
	 * quits).
	 */
	private static void exitCodes(Sam sam, int instance) {
		sam.start();
		if (instance == 1) {
			Runtime.getRuntime().halt(75);
		}
		System.out.println("detail " + sam.recoveries().get(0).detail());
		System.out.flush();
		Runtime.getRuntime().halt(78);
	}

	private static void heartbeatForever(Sam sam, int interval) throws InterruptedException {
		Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("shutdown hook ran")));
		sam.start();
		while (true) {
			sam.hcSend();
			Thread.sleep(Math.max(1, interval / 4));
		}
	}

	/**
	 * Start, then die by SIGKILL at once. Sending a signal to oneself needs native code,
	 * loaded first so that its loading time on a busy machine cannot outlast the interval
	 * and turn the kill into a missed heartbeat.
	 */
	private static void startThenKillSelf(Sam sam) {
		PosixSignals.send(ProcessHandle.current(), 0);
		sam.start();
		killSelf();
	}

	private static void killSelf() {
		PosixSignals.send(ProcessHandle.current(), Signals.SIGKILL);
		Runtime.getRuntime().halt(FAILED);
	}

	public static void expectError(CsError expected, Runnable call) {
		try {
			call.run();
		}
		catch (SamException ex) {
			check(ex.error() == expected, "expected " + expected + " but got " + ex.error() + ": " + ex.getMessage());
			return;
		}
		fail("expected " + expected + " but the call succeeded");
	}

	public static void check(boolean condition, String message) {
		if (!condition) {
			fail(message);
		}
	}

	public static void fail(String message) {
		System.out.println("FAIL: " + message);
		System.out.flush();
		Runtime.getRuntime().halt(FAILED);
	}

	/** Prints the supervisor's state, so a test reads what would be written to cmap. */
	private static final class PrintedState implements StatePublisher {

		@Override
		public void register(RecoveryPolicy policy, long pollPeriodMillis) {
			System.out.println("published register " + policy + " " + pollPeriodMillis);
		}

		@Override
		public void state(String state) {
			System.out.println("published state " + state);
		}

		@Override
		public void lastUpdated() {
			System.out.println("published last_updated");
		}

		@Override
		public void remove() {
			System.out.println("published remove");
		}

	}

	public static byte[] longs(long... values) {
		ByteBuffer buffer = ByteBuffer.allocate(values.length * Long.BYTES);
		for (long value : values) {
			buffer.putLong(value);
		}
		return buffer.array();
	}

	public static long[] toLongs(byte[] bytes) {
		ByteBuffer buffer = ByteBuffer.wrap(bytes);
		long[] values = new long[bytes.length / Long.BYTES];
		for (int i = 0; i < values.length; i++) {
			values[i] = buffer.getLong();
		}
		return values;
	}

}
