package dev.samboot.sam;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A {@link QuorumSource} the test switches, for supervisors started with
 * {@link InProcessSupervisor#startWithQuorum}: not quorate until {@link #set(boolean)}
 * says otherwise.
 */
public final class SwitchedQuorumSource implements QuorumSource {

	private final AtomicBoolean quorate = new AtomicBoolean();

	private final AtomicReference<Consumer<Boolean>> listener = new AtomicReference<>();

	@Override
	public void start(Consumer<Boolean> listener) {
		this.listener.set(listener);
	}

	@Override
	public boolean isQuorate() {
		return this.quorate.get();
	}

	/**
	 * Switch quorum and tell the supervisor.
	 * @param quorate whether the cluster is quorate from now on
	 */
	public void set(boolean quorate) {
		this.quorate.set(quorate);
		Consumer<Boolean> told = this.listener.get();
		if (told != null) {
			told.accept(quorate);
		}
	}

	@Override
	public void close() {
	}

}
