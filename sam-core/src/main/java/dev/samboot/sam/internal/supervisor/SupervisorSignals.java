package dev.samboot.sam.internal.supervisor;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntPredicate;

import dev.samboot.sam.Signals;
import dev.samboot.sam.internal.process.PosixSignals;
import sun.misc.Signal;

/**
 * Turns SIGTERM and SIGINT to the supervisor (systemctl stop, docker stop, Ctrl-C) into a
 * stop of the active process instead of the JVM's default shutdown.
 *
 * <p>
 * A signal the supervisor inherited as ignored stays ignored: a shell without job control
 * (a {@code &} in a script) starts its background jobs with SIGINT ignored, so that a
 * Ctrl-C at the terminal does not reach them, and the JVM then installs no handler for
 * it. The supervisor follows that, and says so once at start, so that a Ctrl-C or
 * {@code kill -INT} that does nothing is not a surprise.
 */
@SuppressWarnings("restriction")
public final class SupervisorSignals {

	private static final System.Logger logger = System.getLogger(SupervisorSignals.class.getName());

	private SupervisorSignals() {
	}

	/** The signals {@link #install} handles, SIGTERM first. */
	private static final int[] STOP_SIGNALS = { Signals.SIGTERM, Signals.SIGINT };

	public static void install(SupervisorLoop loop) {
		ignoredNotice(PosixSignals::ignored).ifPresent((notice) -> logger.log(Level.WARNING, notice));
		handle("TERM", Signals.SIGTERM, loop);
		handle("INT", Signals.SIGINT, loop);
	}

	/**
	 * What to say about the stop signals this process ignores, if any.
	 * @param ignored whether this process ignores a signal, by number
	 * @return the notice, empty when SIGTERM and SIGINT are both handled
	 */
	static Optional<String> ignoredNotice(IntPredicate ignored) {
		List<String> names = new ArrayList<>();
		String handled = null;
		for (int signal : STOP_SIGNALS) {
			if (ignored.test(signal)) {
				names.add(Signals.name(signal));
			}
			else {
				handled = Signals.name(signal);
			}
		}
		if (names.isEmpty()) {
			return Optional.empty();
		}
		String list = String.join(" and ", names);
		String effect = (handled != null) ? "it so, and " + list + " sent to it does nothing; stop it with " + handled
				: "them so, and " + list + " sent to it do nothing; only SIGKILL stops it";
		return Optional
			.of(list + " inherited as ignored (as by a background job of a script): the supervisor leaves " + effect);
	}

	private static void handle(String name, int number, SupervisorLoop loop) {
		Signal.handle(new Signal(name), (signal) -> loop.post(() -> loop.supervisor().onStopRequested(number)));
	}

}
