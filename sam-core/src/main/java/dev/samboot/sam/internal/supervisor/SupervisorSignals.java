package dev.samboot.sam.internal.supervisor;

import dev.samboot.sam.Signals;
import sun.misc.Signal;

/**
 * Turns SIGTERM and SIGINT to the supervisor (systemctl stop, docker stop, Ctrl-C) into a
 * stop of the active process instead of the JVM's default shutdown.
 */
@SuppressWarnings("restriction")
public final class SupervisorSignals {

	private SupervisorSignals() {
	}

	public static void install(SupervisorLoop loop) {
		handle("TERM", Signals.SIGTERM, loop);
		handle("INT", Signals.SIGINT, loop);
	}

	private static void handle(String name, int number, SupervisorLoop loop) {
		Signal.handle(new Signal(name), (signal) -> loop.post(() -> loop.supervisor().onStopRequested(number)));
	}

}
