package dev.samboot.sam;

import java.util.Map;
import java.util.Optional;

/**
 * The {@code SAM_*} variables that tell a relaunched JVM it is an active process, and where its
 * supervisor listens.
 */
final class SamEnvironment {

	static final String SOCKET = "SAM_SOCKET";

	static final String TOKEN = "SAM_TOKEN";

	static final String INSTANCE_ID = "SAM_INSTANCE_ID";

	static final String SUPERVISOR_PID = "SAM_SUPERVISOR_PID";

	static final String[] ALL = { SOCKET, TOKEN, INSTANCE_ID, SUPERVISOR_PID };

	private SamEnvironment() {
	}

	/**
	 * Return the channel coordinates if this process was launched by a supervisor that is its
	 * parent. Variables inherited further down (an active process that starts another samboot
	 * application) do not count: that application becomes a supervisor of its own.
	 * @param env the environment
	 * @param parentPid this process's parent pid, if known
	 * @return the coordinates, or empty in a process the user started
	 */
	static Optional<Coordinates> activeProcess(Map<String, String> env, Optional<Long> parentPid) {
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
	 * Where an active process finds its supervisor.
	 *
	 * @param socket the Unix domain socket path
	 * @param token the hex-encoded secret to present
	 * @param supervisorPid the supervisor's pid
	 */
	record Coordinates(String socket, String token, long supervisorPid) {
	}

}
