package dev.samboot.sam.internal.supervisor;

import java.io.IOException;

import dev.samboot.sam.QuorumSource;
import dev.samboot.sam.StatePublisher;
import dev.samboot.sam.internal.channel.ChannelDirectory;

/**
 * A supervisor put together: its state machine, the loop that feeds it on the channel
 * directory's socket, a launcher whose every process the loop watches, and the quorum
 * source's changes posted to the loop. The one way to assemble one, for the supervisor
 * process ({@code Sam.register()}), the supervisors that tests and benchmarks run inside
 * their own JVM, and nothing else.
 */
public final class Supervision implements AutoCloseable {

	private final SupervisorLoop loop;

	private Supervision(SupervisorLoop loop) {
		this.loop = loop;
	}

	/**
	 * Assemble a supervisor; nothing is launched yet.
	 * @param settings the settings
	 * @param rules what samboot adds to libsam's recovery
	 * @param clock the clock
	 * @param launcher launches the instances
	 * @param publisher publishes the state (cmap), or {@code null}
	 * @param directory where the socket goes
	 * @param maxFrameBytes the largest frame to accept
	 * @param quorum the quorum source, already started, or {@code null} without a quorum
	 * policy
	 * @return the assembled supervisor
	 * @throws IOException if the socket cannot be bound
	 */
	public static Supervision assemble(SupervisorSettings settings, RestartRules rules, Clock clock,
			ProcessLauncher launcher, StatePublisher publisher, ChannelDirectory directory, int maxFrameBytes,
			QuorumSource quorum) throws IOException {
		SupervisorLoop loop = new SupervisorLoop(
				(watcher) -> new Supervisor(settings, rules, clock, watched(launcher, watcher), publisher), directory,
				clock, maxFrameBytes);
		if (quorum != null) {
			Supervisor supervisor = loop.supervisor();
			// a change is read again when the loop gets to it, so that a stale one is not
			// acted on
			quorum.start((quorate) -> loop.post(() -> supervisor.onQuorum(quorum.isQuorate())));
			supervisor.quorumCheck(quorum::isQuorate);
			supervisor.onQuorum(quorum.isQuorate());
		}
		return new Supervision(loop);
	}

	private static ProcessLauncher watched(ProcessLauncher launcher, SupervisorLoop.ProcessWatcher watcher) {
		return launcher.launchingBy((environment) -> {
			ActiveProcess process = launcher.launch(environment);
			watcher.watch(process);
			return process;
		});
	}

	/**
	 * Launch the first instance.
	 * @throws dev.samboot.sam.SamException with {@code LIBRARY} when it cannot be
	 * launched
	 */
	public void launchFirst() {
		this.loop.supervisor().launchFirst();
	}

	public SupervisorLoop loop() {
		return this.loop;
	}

	/**
	 * Supervise until the supervisor decides to quit.
	 * @return the status to exit with
	 * @throws IOException if the loop's selector fails
	 */
	public int run() throws IOException {
		return this.loop.run();
	}

	/** End the supervisor's own children, then the channel. */
	@Override
	public void close() {
		this.loop.supervisor().endChildren();
		this.loop.close();
	}

}
