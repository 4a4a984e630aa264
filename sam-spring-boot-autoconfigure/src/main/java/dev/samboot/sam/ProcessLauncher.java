package dev.samboot.sam;

import java.io.IOException;
import java.util.Map;

/**
 * Starts an instance of the application. A seam: the real one relaunches this JVM.
 */
@FunctionalInterface
interface ProcessLauncher {

	/**
	 * Start an instance.
	 * @param environment variables to add to the inherited environment
	 * @return the started process
	 * @throws IOException if it could not be started
	 */
	ActiveProcess launch(Map<String, String> environment) throws IOException;

	/**
	 * An instance called {@code start()}.
	 * @param process the instance
	 */
	default void started(ActiveProcess process) {
	}

}
