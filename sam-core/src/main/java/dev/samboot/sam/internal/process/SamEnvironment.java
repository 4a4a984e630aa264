package dev.samboot.sam.internal.process;

import java.util.Map;
import java.util.Optional;
import java.util.function.LongPredicate;

import dev.samboot.sam.internal.systemd.SystemdNotifier;

/**
 * The {@code SAM_*} variables that tell a relaunched JVM it is an active process, and
 * where its supervisor listens.
 */
public final class SamEnvironment {

	public static final String SOCKET = "SAM_SOCKET";

	public static final String TOKEN = "SAM_TOKEN";

	public static final String INSTANCE_ID = "SAM_INSTANCE_ID";

	public static final String SUPERVISOR_PID = "SAM_SUPERVISOR_PID";

	/**
	 * Set to {@value #SETTINGS_DEFERRED} for instance 1 of a supervisor that started
	 * before the settings were known: the instance binds them and hands them over before
	 * it registers.
	 */
	public static final String SETTINGS = "SAM_SETTINGS";

	public static final String SETTINGS_DEFERRED = "deferred";

	public static final String[] ALL = { SOCKET, TOKEN, INSTANCE_ID, SUPERVISOR_PID, SETTINGS };

	/**
	 * systemd's variables, which the active process must not inherit: the supervisor is
	 * the service's main process. Here rather than in {@link SystemdNotifier}, which
	 * needs jnr to load.
	 */
	public static final String[] SYSTEMD = { SystemdNotifier.NOTIFY_SOCKET, SystemdNotifier.WATCHDOG_USEC,
			SystemdNotifier.WATCHDOG_PID };

	private SamEnvironment() {
	}

	/**
	 * Return the channel coordinates if this process was launched by a supervisor that is
	 * its parent. Variables inherited further down (an active process that starts another
	 * samboot application) do not count: that application becomes a supervisor of its
	 * own.
	 * @param env the environment
	 * @param parentPid this process's parent pid, if known
	 * @return the coordinates, or empty in a process the user started
	 */
	public static Optional<Coordinates> activeProcess(Map<String, String> env, Optional<Long> parentPid) {
		String socket = env.get(SOCKET);
		String token = env.get(TOKEN);
		String supervisor = env.get(SUPERVISOR_PID);
		if (socket == null || token == null || supervisor == null) {
			return Optional.empty();
		}
		long supervisorPid;
		try {
			supervisorPid = Long.parseLong(supervisor);
		}
		catch (NumberFormatException ex) {
			return Optional.empty();
		}
		if (parentPid.isPresent() && parentPid.get() != supervisorPid) {
			return Optional.empty();
		}
		return Optional.of(new Coordinates(socket, token, supervisorPid));
	}

	/**
	 * Whether this process is instance 1 of a supervisor that waits for the settings from
	 * it.
	 * @param env the environment
	 * @param parentPid this process's parent pid, if known
	 * @return whether the settings are to be handed over
	 */
	public static boolean settingsDeferred(Map<String, String> env, Optional<Long> parentPid) {
		return SETTINGS_DEFERRED.equals(env.get(SETTINGS)) && activeProcess(env, parentPid).isPresent();
	}

	/**
	 * Whether this process was launched as an active process whose supervisor died before
	 * it got to {@code register()}: the variables are there, the parent is not the
	 * supervisor, and the supervisor is not an ancestor either (which would make this a
	 * samboot application started by an active process, a supervisor in its own right).
	 * @param env the environment
	 * @param parentPid this process's parent pid, if known
	 * @param isAncestor tells whether a pid is an ancestor of this process
	 * @return whether the supervisor is lost
	 */
	public static boolean orphaned(Map<String, String> env, Optional<Long> parentPid, LongPredicate isAncestor) {
		String supervisor = env.get(SUPERVISOR_PID);
		if (supervisor == null || env.get(SOCKET) == null || parentPid.isEmpty()) {
			return false;
		}
		try {
			long supervisorPid = Long.parseLong(supervisor);
			return parentPid.get() != supervisorPid && !isAncestor.test(supervisorPid);
		}
		catch (NumberFormatException ex) {
			return false;
		}
	}

	/**
	 * Where an active process finds its supervisor.
	 *
	 * @param socket the Unix domain socket path
	 * @param token the hex-encoded secret to present
	 * @param supervisorPid the supervisor's pid
	 */
	public record Coordinates(String socket, String token, long supervisorPid) {
	}

}
