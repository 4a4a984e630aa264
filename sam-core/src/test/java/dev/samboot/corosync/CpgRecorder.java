package dev.samboot.corosync;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

import org.awaitility.Awaitility;

/**
 * Callbacks for the {@link Cpg} tests that record what corosync delivers, in order, and
 * optionally dispatch {@link Cpg.DispatchFlag#BLOCKING} on a thread of their own with the
 * stack corosync's dispatch needs.
 */
final class CpgRecorder implements CpgCallbacks, AutoCloseable {

	/** What samboot's dispatching threads get, and what these tests dispatch on. */
	static final long STACK_BYTES = 8L << 20;

	/** A configuration change as {@link CpgCallbacks#confchg} was given it. */
	record Confchg(String group, List<CpgAddress> members, List<CpgAddress> left, List<CpgAddress> joined, long nanos) {

	}

	/** A message as {@link CpgCallbacks#deliver} was given it. */
	record Delivery(String group, int nodeId, int pid, byte[] message) {

	}

	/** A totem configuration as {@link CpgCallbacks#totemConfchg} was given it. */
	record Totem(CpgRingId ringId, int[] members) {

	}

	private final List<Object> events = new ArrayList<>();

	private volatile Cpg cpg;

	private Thread dispatcher;

	private volatile Throwable dispatchFailure;

	private volatile boolean dispatchReturned;

	/**
	 * A handle made by {@link Cpg#initialize(CpgCallbacks)} that records into a new
	 * recorder.
	 * @return the recorder
	 */
	static CpgRecorder initialize() {
		CpgRecorder recorder = new CpgRecorder();
		recorder.cpg = Cpg.initialize(recorder);
		return recorder;
	}

	/**
	 * A handle made by {@link Cpg#modelInitialize(CpgCallbacks, boolean)} that records
	 * into a new recorder.
	 * @param deliverInitialTotemConf whether corosync is to send the totem configuration
	 * of the moment
	 * @return the recorder
	 */
	static CpgRecorder modelInitialize(boolean deliverInitialTotemConf) {
		CpgRecorder recorder = new CpgRecorder();
		recorder.cpg = Cpg.modelInitialize(recorder, deliverInitialTotemConf);
		return recorder;
	}

	Cpg cpg() {
		return this.cpg;
	}

	/**
	 * Dispatch {@link Cpg.DispatchFlag#BLOCKING} on a new thread with an 8 MiB stack,
	 * until the handle is closed.
	 * @return this recorder
	 */
	CpgRecorder startDispatching() {
		this.dispatcher = new Thread(null, () -> {
			try {
				this.cpg.dispatch(Cpg.DispatchFlag.BLOCKING);
				this.dispatchReturned = true;
			}
			catch (Throwable ex) {
				this.dispatchFailure = ex;
			}
		}, "cpg-test-dispatch", STACK_BYTES);
		this.dispatcher.setDaemon(true);
		this.dispatcher.start();
		return this;
	}

	Thread dispatcher() {
		return this.dispatcher;
	}

	/**
	 * What the dispatching thread ended with.
	 * @return what it threw, or {@code null}
	 */
	Throwable dispatchFailure() {
		return this.dispatchFailure;
	}

	boolean dispatchReturned() {
		return this.dispatchReturned;
	}

	@Override
	public void deliver(String group, int nodeId, int pid, byte[] message) {
		record(new Delivery(group, nodeId, pid, message));
	}

	@Override
	public void confchg(String group, List<CpgAddress> members, List<CpgAddress> left, List<CpgAddress> joined) {
		record(new Confchg(group, members, left, joined, System.nanoTime()));
	}

	@Override
	public void totemConfchg(CpgRingId ringId, int[] members) {
		record(new Totem(ringId, members));
	}

	private void record(Object event) {
		synchronized (this.events) {
			this.events.add(event);
		}
	}

	/**
	 * Every event recorded so far, in the order corosync delivered them.
	 * @return a copy
	 */
	List<Object> events() {
		synchronized (this.events) {
			return List.copyOf(this.events);
		}
	}

	<T> List<T> events(Class<T> type) {
		return events().stream().filter(type::isInstance).map(type::cast).toList();
	}

	List<Confchg> confchgs() {
		return events(Confchg.class);
	}

	List<Delivery> deliveries() {
		return events(Delivery.class);
	}

	List<Totem> totems() {
		return events(Totem.class);
	}

	/**
	 * Wait for an event of a type, dispatched on the recorder's own thread.
	 * @param type the event's type
	 * @param predicate what it must satisfy
	 * @param timeout how long to wait
	 * @return the first matching event
	 */
	<T> T await(Class<T> type, Predicate<T> predicate, Duration timeout) {
		Awaitility.await()
			.atMost(timeout)
			.pollInterval(Duration.ofMillis(1))
			.failFast(() -> this.dispatchFailure != null)
			.until(() -> find(type, predicate).isPresent());
		return find(type, predicate).get();
	}

	<T> Optional<T> find(Class<T> type, Predicate<T> predicate) {
		return events(type).stream().filter(predicate).findFirst();
	}

	/**
	 * Wait until at least {@code count} messages were delivered.
	 * @param count how many
	 * @param timeout how long to wait
	 * @return the deliveries
	 */
	List<Delivery> awaitDeliveries(int count, Duration timeout) {
		Awaitility.await()
			.atMost(timeout)
			.pollInterval(Duration.ofMillis(5))
			.failFast(() -> this.dispatchFailure != null)
			.until(() -> deliveryCount() >= count);
		return deliveries();
	}

	private int deliveryCount() {
		synchronized (this.events) {
			return (int) this.events.stream().filter(Delivery.class::isInstance).count();
		}
	}

	/**
	 * Close the handle and wait (a bounded time) for the dispatching thread to end.
	 */
	@Override
	public void close() throws InterruptedException {
		if (this.cpg != null) {
			this.cpg.close();
		}
		if (this.dispatcher != null) {
			this.dispatcher.join(5000);
		}
	}

	/**
	 * Run a task on a new platform thread with an 8 MiB stack, as a dispatch needs, and
	 * wait for it.
	 * @param task the task
	 * @param timeout how long to wait for it
	 * @return what it returned
	 * @throws Exception what it threw
	 */
	static <T> T onDispatchStack(Callable<T> task, Duration timeout) throws Exception {
		return onThreadWithStack(STACK_BYTES, task, timeout);
	}

	/**
	 * Run a task on a new platform thread with the given stack, and wait for it.
	 * @param stackBytes the stack size asked for
	 * @param task the task
	 * @param timeout how long to wait for it
	 * @return what it returned
	 * @throws Exception what it threw
	 */
	static <T> T onThreadWithStack(long stackBytes, Callable<T> task, Duration timeout) throws Exception {
		FutureTask<T> future = new FutureTask<>(task);
		Thread thread = new Thread(null, future, "cpg-test-" + (stackBytes >> 10) + "k", stackBytes);
		thread.setDaemon(true);
		thread.start();
		try {
			return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof Exception cause) {
				throw cause;
			}
			throw (Error) ex.getCause();
		}
		catch (TimeoutException ex) {
			throw new AssertionError("still running after " + timeout + " on " + thread.getName(), ex);
		}
	}

}
