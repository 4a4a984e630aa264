package dev.samboot.autoconfigure.health;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * DOWN while threads of this JVM are deadlocked, naming them and what each waits for, as
 * the Java Service Wrapper's deadlock check: a deadlock never resolves by itself, and a
 * restart cures it. samboot puts it into the {@code liveness} group
 * ({@code sam.health.deadlocks.enabled}).
 */
public class DeadlockHealthIndicator implements HealthIndicator {

	/** The contributor's name in Actuator's registry and health groups. */
	public static final String NAME = "deadlocks";

	private final ThreadMXBean threads;

	public DeadlockHealthIndicator() {
		this(ManagementFactory.getThreadMXBean());
	}

	DeadlockHealthIndicator(ThreadMXBean threads) {
		this.threads = threads;
	}

	@Override
	public Health health() {
		long[] ids = this.threads.isSynchronizerUsageSupported() ? this.threads.findDeadlockedThreads()
				: this.threads.findMonitorDeadlockedThreads();
		if (ids == null || ids.length == 0) {
			return Health.up().build();
		}
		List<String> deadlocked = new ArrayList<>();
		for (ThreadInfo info : this.threads.getThreadInfo(ids, 0)) {
			if (info != null) {
				deadlocked.add(describe(info));
			}
		}
		return Health.down().withDetail("threads", deadlocked).build();
	}

	private static String describe(ThreadInfo info) {
		return "\"" + info.getThreadName() + "\" waits for " + info.getLockName()
				+ ((info.getLockOwnerName() != null) ? " held by \"" + info.getLockOwnerName() + "\"" : "");
	}

}
