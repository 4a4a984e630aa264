package dev.samboot.autoconfigure;

import java.util.Map;
import java.util.Properties;

/**
 * The switches read before the configuration files: from the command line, system
 * properties and environment variables. Apart from {@link SamApplicationListener} so that
 * samboot's launcher can read them before logging is set up (that listener's logger would
 * start the logging system a second before Spring Boot does it anyway), and without
 * Spring: {@link LauncherSupervision} reads them in a class loader that has only
 * samboot's jars.
 */
final class EarlySwitches {

	/** The switch of the early launch. */
	static final String EARLY_LAUNCH_PROPERTY = "sam.supervisor.early-launch";

	private EarlySwitches() {
	}

	/**
	 * Whether the command line, system properties and environment variables leave
	 * supervision and the early launch on, in Spring's order of precedence. Configuration
	 * files are not read yet; a value that is neither true nor false is left to the full
	 * check once they are. Read by hand rather than bound: the instance is launched the
	 * sooner.
	 * @param args the application's arguments
	 * @param systemProperties the system properties
	 * @param env the environment variables
	 * @return whether to launch instance 1 now
	 */
	static boolean earlyLaunchWanted(String[] args, Properties systemProperties, Map<String, String> env) {
		return switchOn(args, systemProperties, env, "sam.enabled", "SAM_ENABLED")
				&& switchOn(args, systemProperties, env, EARLY_LAUNCH_PROPERTY, "SAM_SUPERVISOR_EARLY_LAUNCH",
						"sam.supervisor.earlyLaunch", "SAM_SUPERVISOR_EARLYLAUNCH");
	}

	/**
	 * Whether the command line, system properties and environment variables leave the
	 * lean supervisor on and name no quorum provider that needs the application's
	 * classes, so that this process can become the supervisor before its configuration is
	 * read.
	 * @param args the application's arguments
	 * @param systemProperties the system properties
	 * @param env the environment variables
	 * @return whether to supervise before the settings are known
	 */
	static boolean deferredWanted(String[] args, Properties systemProperties, Map<String, String> env) {
		String provider = value(args, systemProperties, env, "sam.quorum.provider", "SAM_QUORUM_PROVIDER");
		return switchOn(args, systemProperties, env, "sam.supervisor.lean", "SAM_SUPERVISOR_LEAN")
				&& (provider == null || !provider.trim().equalsIgnoreCase("zookeeper"));
	}

	/**
	 * Whether what is known before the configuration files leaves supervision, the early
	 * launch and the lean supervisor on, with no quorum provider that needs the
	 * application's classes: whether the process the user started becomes the supervisor
	 * before its configuration is read.
	 * @param args the application's arguments
	 * @param systemProperties the system properties
	 * @param env the environment variables
	 * @return whether to become the supervisor now
	 */
	static boolean supervisionWanted(String[] args, Properties systemProperties, Map<String, String> env) {
		return earlyLaunchWanted(args, systemProperties, env) && deferredWanted(args, systemProperties, env);
	}

	private static boolean switchOn(String[] args, Properties systemProperties, Map<String, String> env,
			String... names) {
		String value = value(args, systemProperties, env, names);
		return value == null || value.trim().equalsIgnoreCase("true");
	}

	private static String value(String[] args, Properties systemProperties, Map<String, String> env, String... names) {
		String value = null;
		for (int i = args.length - 1; i >= 0 && value == null; i--) {
			for (String name : names) {
				if (args[i].startsWith("--" + name + "=")) {
					value = args[i].substring(name.length() + 3);
				}
			}
		}
		for (int i = 0; i < names.length && value == null; i++) {
			value = systemProperties.getProperty(names[i]);
		}
		for (int i = 0; i < names.length && value == null; i++) {
			value = env.get(names[i]);
		}
		return value;
	}

}
