package dev.samboot.sam.internal.supervisor;

import dev.samboot.sam.internal.systemd.SystemdNotifier;

/**
 * What the supervisor tells systemd, when it runs under it: {@code READY=1} once, when
 * the first instance runs, {@code STATUS=} lines, {@code STOPPING=1}, and
 * {@code WATCHDOG=1} only while the active process is heard from and healthy. Without
 * {@code NOTIFY_SOCKET} it does nothing.
 */
final class SystemdStatus {

	private final SystemdNotifier notifier;

	private boolean readySent;

	private long lastWatchdog;

	/**
	 * Create a new instance.
	 * @param notifier the notifier, or {@code null} when not under systemd
	 */
	SystemdStatus(SystemdNotifier notifier) {
		this.notifier = notifier;
	}

	void status(String status) {
		if (this.notifier != null) {
			this.notifier.status(status);
		}
	}

	void stopping(String status) {
		if (this.notifier != null) {
			this.notifier.stopping(status);
		}
	}

	/**
	 * An instance runs: ready (the first time) or a status line, and a watchdog
	 * keep-alive.
	 * @param status what runs
	 * @param now the clock reading
	 */
	void running(String status, long now) {
		if (this.notifier == null) {
			return;
		}
		if (this.readySent) {
			this.notifier.status(status);
		}
		else {
			this.readySent = true;
			this.notifier.ready(status);
		}
		this.lastWatchdog = now;
		this.notifier.watchdog();
	}

	/**
	 * The healthy, running instance was heard from: keep systemd's watchdog fed, once per
	 * period.
	 * @param now the clock reading
	 */
	void alive(long now) {
		if (this.notifier == null || this.notifier.watchdogPeriodNanos() <= 0) {
			return;
		}
		if (now - this.lastWatchdog >= this.notifier.watchdogPeriodNanos()) {
			this.lastWatchdog = now;
			this.notifier.watchdog();
		}
	}

}
