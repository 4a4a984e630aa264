package dev.samboot.autoconfigure;

import dev.samboot.sam.DeferredSettings;
import dev.samboot.sam.Sam;

/**
 * What the launcher of a jar built with samboot's layout ({@code sam-spring-boot-layout})
 * calls before Spring Boot loads: the decision {@link SamStartingListener} makes at
 * Spring Boot's first event, made a second or so sooner. The launcher loads this class in
 * a class loader of its own that holds only this jar, the core's and the native-access
 * jars the lean supervisor needs, so that the process the user started launches instance
 * 1 without opening the application's other jars first. Nothing here may therefore use
 * Spring: only the JDK, {@link EarlySwitches} and the core's API.
 */
public final class LauncherSupervision {

	private LauncherSupervision() {
	}

	/**
	 * Launch instance 1 and become the lean supervisor where the command line, system
	 * properties and environment variables leave supervision on and nothing keeps samboot
	 * off; never returns when this process becomes the supervisor.
	 * @param args the application's arguments
	 * @param devTools whether Spring Boot DevTools is among the jar's libraries
	 * @param copiedJars the private directory the jars were copied into, which the lean
	 * supervisor runs from (see {@link DeferredSettings#supervise(java.nio.file.Path)})
	 * @return why this process goes on as the application
	 */
	public static String superviseBeforeSpringBoot(String[] args, boolean devTools, java.nio.file.Path copiedJars) {
		if (Sam.isActiveProcess()) {
			return "this process is an active process";
		}
		if (!EarlySwitches.supervisionWanted(args, System.getProperties(), System.getenv())) {
			return "the command line, system properties or environment turn supervision, its early launch or the "
					+ "lean supervisor off, or name a quorum provider of the application's classes";
		}
		String stayOff = StayOffReasons.reason(new Throwable().getStackTrace(), devTools, false,
				StayOffReasons.aotProcessing(), Sam.isSupported());
		if (stayOff != null) {
			return stayOff;
		}
		// never returns when this process becomes the supervisor
		return DeferredSettings.supervise(copiedJars);
	}

}
