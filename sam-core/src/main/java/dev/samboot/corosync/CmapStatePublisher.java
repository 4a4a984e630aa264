package dev.samboot.corosync;

import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import dev.samboot.sam.RecoveryPolicy;
import dev.samboot.sam.SamException;
import dev.samboot.sam.StatePublisher;

/**
 * libsam's cmap integration: the supervisor's state under
 * {@code resources.process.<supervisor pid>.} with the keys {@code recovery},
 * {@code poll_period}, {@code last_updated} and {@code state}, removed after a clean
 * stop.
 */
public final class CmapStatePublisher implements StatePublisher {

	private static final System.Logger logger = System.getLogger(CmapStatePublisher.class.getName());

	private final Cmap cmap;

	private final String prefix;

	/**
	 * Connect to corosync's cmap for this process.
	 * @throws SamException when corosync is not installed or not running
	 */
	public CmapStatePublisher() {
		this(Cmap.connect(), ProcessHandle.current().pid());
	}

	CmapStatePublisher(Cmap cmap, long pid) {
		this.cmap = cmap;
		this.prefix = keyPrefix(pid);
	}

	/**
	 * Return the prefix of a supervisor's keys.
	 * @param supervisorPid the supervisor's pid
	 * @return {@code resources.process.<pid>.}
	 */
	public static String keyPrefix(long supervisorPid) {
		return "resources.process." + supervisorPid + ".";
	}

	@Override
	public void register(RecoveryPolicy policy, long pollPeriodMillis) {
		this.cmap.setString(this.prefix + "recovery", policy.restart() ? "restart" : "quit");
		this.cmap.setUint64(this.prefix + "poll_period", pollPeriodMillis);
		lastUpdated();
		state(STOPPED);
	}

	@Override
	public void state(String state) {
		try {
			this.cmap.setString(this.prefix + "state", state);
		}
		catch (SamException ex) {
			logger.log(Level.WARNING, "Cannot publish state " + state + " in cmap: " + ex.getMessage());
		}
	}

	@Override
	public void lastUpdated() {
		Instant now = Instant.now();
		try {
			this.cmap.setUint64(this.prefix + "last_updated",
					TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano());
		}
		catch (SamException ex) {
			logger.log(Level.DEBUG, "Cannot publish last_updated in cmap: " + ex.getMessage());
		}
	}

	@Override
	public void remove() {
		for (String key : new String[] { "recovery", "poll_period", "last_updated", "state" }) {
			try {
				this.cmap.delete(this.prefix + key);
			}
			catch (SamException ex) {
				logger.log(Level.DEBUG, "Cannot delete " + key + " from cmap: " + ex.getMessage());
			}
		}
		this.cmap.close();
	}

}
