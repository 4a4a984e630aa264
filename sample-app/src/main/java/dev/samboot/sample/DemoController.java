package dev.samboot.sample;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;

import dev.samboot.sam.Sam;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Endpoints that show each behaviour of samboot: crash the JVM, keep a counter in the
 * supervisor's stored data, turn the liveness group DOWN, make the health check hang,
 * declare the application broken, deadlock two threads.
 */
@RestController
@RequestMapping(path = "/demo", produces = "text/plain")
public class DemoController {

	private static final Log logger = LogFactory.getLog(DemoController.class);

	private final Sam sam;

	private final DemoHealthIndicator health;

	private final ApplicationEventPublisher events;

	/** The counter when the application runs without supervision (sam.enabled=false). */
	private long unsupervisedCounter;

	public DemoController(ObjectProvider<Sam> sam, DemoHealthIndicator health, ApplicationEventPublisher events) {
		this.sam = sam.getIfAvailable();
		this.health = health;
		this.events = events;
	}

	/**
	 * Halt the JVM with a status, as a crash would: no shutdown hooks run.
	 * @param status the exit status, 0 to 255
	 * @return what happens
	 */
	@PostMapping("/crash")
	public void crash(@RequestParam(defaultValue = "1") int status, HttpServletResponse response) throws IOException {
		if (status < 0 || status > 255) {
			response.sendError(HttpServletResponse.SC_BAD_REQUEST, "status must be from 0 to 255, not " + status);
			return;
		}
		logger.warn("POST /demo/crash: halting with status " + status);
		byte[] body = ("halting with status " + status + "\n").getBytes(StandardCharsets.UTF_8);
		response.setStatus(HttpServletResponse.SC_ACCEPTED);
		response.setContentType("text/plain");
		response.setContentLength(body.length);
		response.getOutputStream().write(body);
		// the whole answer is on the wire before the JVM goes, as no shutdown hook runs
		// after halt
		response.flushBuffer();
		Runtime.getRuntime().halt(status);
	}

	/**
	 * Add one to the counter; it returns once the supervisor holds the new value.
	 * @return the new value
	 */
	@PostMapping("/counter")
	public synchronized String increment() {
		long next = read() + 1;
		if (this.sam != null) {
			this.sam.dataStore(ByteBuffer.allocate(Long.BYTES).putLong(next).array());
		}
		else {
			this.unsupervisedCounter = next;
		}
		return next + "\n";
	}

	/**
	 * Read the counter, which survives restarts.
	 * @return the value
	 */
	@GetMapping("/counter")
	public synchronized String counter() {
		return read() + "\n";
	}

	private long read() {
		if (this.sam == null) {
			return this.unsupervisedCounter;
		}
		byte[] stored = this.sam.dataRestore();
		return (stored.length == Long.BYTES) ? ByteBuffer.wrap(stored).getLong() : 0;
	}

	/**
	 * Turn the demo health indicator DOWN: the next health check fails, heartbeats stop,
	 * the supervisor warns, kills and restarts.
	 * @return what happens
	 */
	@PostMapping("/unhealthy")
	public String unhealthy() {
		logger.warn("POST /demo/unhealthy: the demo health indicator is DOWN from now on");
		this.health.mode(DemoHealthIndicator.Mode.DOWN);
		return "health is DOWN; expect the warn signal within one interval\n";
	}

	/**
	 * Make the demo health indicator block forever: the check times out and counts as
	 * unhealthy.
	 * @return what happens
	 */
	@PostMapping("/hang")
	public String hang() {
		logger.warn("POST /demo/hang: the demo health indicator blocks from now on");
		this.health.mode(DemoHealthIndicator.Mode.HANG);
		return "health check hangs; expect the warn signal within one interval\n";
	}

	/**
	 * Declare the application broken, as code that finds itself in a state it cannot
	 * leave would: Spring Boot's {@code LivenessState.BROKEN}. samboot checks at once and
	 * recovers.
	 * @return what happens
	 */
	@PostMapping("/broken")
	public String broken() {
		logger.warn("POST /demo/broken: publishing LivenessState.BROKEN");
		AvailabilityChangeEvent.publish(this.events, this, LivenessState.BROKEN);
		return "liveness is BROKEN; expect the warn signal within a quarter of the interval or so\n";
	}

	/**
	 * Deadlock two threads: samboot's deadlock check in the liveness group turns DOWN,
	 * naming them.
	 * @return what happens
	 */
	@PostMapping("/deadlock")
	public String deadlock() {
		logger.warn("POST /demo/deadlock: two threads deadlock from now on");
		Object first = new Object();
		Object second = new Object();
		CountDownLatch bothHeld = new CountDownLatch(2);
		startDeadlocking("demo-deadlock-1", first, second, bothHeld);
		startDeadlocking("demo-deadlock-2", second, first, bothHeld);
		return "two threads are deadlocked; expect the warn signal within one interval\n";
	}

	private static void startDeadlocking(String name, Object held, Object wanted, CountDownLatch bothHeld) {
		Thread thread = new Thread(() -> {
			synchronized (held) {
				bothHeld.countDown();
				try {
					bothHeld.await();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return;
				}
				synchronized (wanted) {
					logger.info("not reached: " + name + " got both locks");
				}
			}
		}, name);
		thread.setDaemon(true);
		thread.start();
	}

}
