package dev.samboot.test;

import java.io.IOException;
import java.util.List;
import java.util.OptionalInt;

import dev.samboot.autoconfigure.SamLifecycle;
import dev.samboot.autoconfigure.SamProperties;
import dev.samboot.autoconfigure.SamSettings;
import dev.samboot.sam.InProcessSupervisor;
import dev.samboot.sam.Recovery;
import dev.samboot.sam.Sam;
import dev.samboot.sam.Signals;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;

/**
 * The supervisor of a test's application context: a real samboot supervisor on a thread
 * of the test JVM ({@link InProcessSupervisor}), started with the test's {@code sam.*}
 * properties, with which the context's {@link Sam} bean is registered. Inject it to make
 * the supervisor recover the application's instance and to see what it would have done.
 *
 * <p>
 * A recovery ends the instance (the signals the supervisor sends are recorded, never
 * sent), and the supervisor acts on it by its policy and restart rules. When it restarts,
 * the application's {@code Sam} bean becomes the next instance, as a new process would
 * register: the next {@link Sam#instanceId()}, one more {@link Sam#restarts()}, the data
 * stored before, the recovery last in {@link Sam#recoveries()}; and it is started again
 * as the new instance's context would start it (unless {@code sam.start=manual}). When it
 * quits, the {@code Sam} bean is finalized and {@link #exitStatus()} says what the
 * supervisor would have exited with. Everything else in the context stays as it was: a
 * new process would have a new context.
 */
public class SamTestSupervisor implements DisposableBean {

	private final InProcessSupervisor supervisor;

	private final Sam sam;

	SamTestSupervisor(SamSettings settings, ObjectProvider<SamLifecycle> lifecycle) throws IOException {
		this.supervisor = InProcessSupervisor.start(settings.options());
		try {
			this.sam = this.supervisor.register();
			this.sam.warnSignalSet(settings.warnSignal());
		}
		catch (RuntimeException ex) {
			closeQuietly();
			throw ex;
		}
		if (settings.properties().start() != SamProperties.StartMode.MANUAL) {
			this.supervisor.onNextInstance((next) -> lifecycle.ifAvailable(SamLifecycle::startSupervision));
		}
	}

	/**
	 * Return the handle registered with this supervisor: the context's {@code Sam} bean.
	 * @return the handle
	 */
	public Sam sam() {
		return this.sam;
	}

	/**
	 * Recover the instance as after missed heartbeats: the supervisor's clock runs one
	 * interval at a time until it has sent the warn signal (and SIGKILL, unless the warn
	 * signal ends a JVM), as it would for an instance that hangs. Returns once the
	 * supervisor has restarted it (or quit).
	 * @see #recover(Recovery.Reason)
	 */
	public void recover() {
		recover(Recovery.Reason.HC_TIMEOUT);
	}

	/**
	 * Recover the instance for a reason, and return once the supervisor has restarted it
	 * (and the application's {@code Sam} is started again) or quit:
	 * {@link Recovery.Reason#HC_TIMEOUT HC_TIMEOUT} as {@link #recover()},
	 * {@link Recovery.Reason#EXITED EXITED} as {@code exit(1)},
	 * {@link Recovery.Reason#KILLED KILLED} as killed by a SIGKILL the supervisor did not
	 * send. The others come from the application itself: {@code UNHEALTHY} when its
	 * health check fails, {@code MARKED_FAILED} from {@link Sam#markFailed()}.
	 * @param reason the reason
	 * @throws IllegalArgumentException for another reason
	 * @throws IllegalStateException if the supervisor does not act (for example, the
	 * instance is not started and the reason is a time-out)
	 */
	public void recover(Recovery.Reason reason) {
		switch (reason) {
			case HC_TIMEOUT -> this.supervisor.timeOut();
			case EXITED -> this.supervisor.exit(1);
			case KILLED -> this.supervisor.exit(128 + Signals.SIGKILL);
			default -> throw new IllegalArgumentException("A test recovers an instance for hc-timeout, exited or "
					+ "killed; " + reason.value() + " comes from the application itself");
		}
	}

	/**
	 * End the instance as if its process exited with this status, and return once the
	 * supervisor has acted: restarted it, or quit (before {@code start()}, or for a
	 * status in {@code sam.quit.exit-codes}).
	 * @param status the exit status, 0 to 255 (128 + N for killed by signal N)
	 */
	public void exit(int status) {
		this.supervisor.exit(status);
	}

	/**
	 * Return the signals the supervisor would have sent to the application's process, in
	 * order, over all instances.
	 * @return the signal numbers, such as {@link Signals#SIGTERM}
	 */
	public List<Integer> signalsSent() {
		return this.supervisor.signalsSent();
	}

	/**
	 * Return the data the supervisor holds for later instances.
	 * @return a copy, or {@code null} when none is stored
	 */
	public byte[] storedData() {
		return this.supervisor.storedData();
	}

	/**
	 * Return the status the supervisor process would have exited with, once it quit.
	 * @return the status, or empty while it supervises
	 */
	public OptionalInt exitStatus() {
		return this.supervisor.exitStatus();
	}

	/**
	 * Stop the supervisor with the context: no thread or socket of it is left.
	 */
	@Override
	public void destroy() throws InterruptedException {
		this.supervisor.close();
	}

	private void closeQuietly() {
		try {
			this.supervisor.close();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
