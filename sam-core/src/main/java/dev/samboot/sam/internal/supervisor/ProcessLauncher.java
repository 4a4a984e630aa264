package dev.samboot.sam.internal.supervisor;

import java.io.IOException;
import java.util.Map;

/**
 * Starts an instance of the application. A seam: the real one relaunches this JVM.
 */
@FunctionalInterface
public interface ProcessLauncher {

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

	/**
	 * An instance ended before {@code start()}, which makes libsam quit. Whether it was
	 * launched in a way this launcher has now given up (the start-up cache), so that it
	 * should be launched again the plain way instead.
	 * @param process the instance
	 * @param status its exit status
	 * @return whether to launch it again
	 */
	default boolean relaunchPlain(ActiveProcess process, int status) {
		return false;
	}

	/**
	 * Return this launcher with another way of launching; what an instance does after its
	 * launch ({@link #started}, {@link #relaunchPlain}) is still this launcher's
	 * business.
	 * @param launch launches instead
	 * @return the launcher
	 */
	default ProcessLauncher launchingBy(ProcessLauncher launch) {
		ProcessLauncher self = this;
		return new ProcessLauncher() {

			@Override
			public ActiveProcess launch(Map<String, String> environment) throws IOException {
				return launch.launch(environment);
			}

			@Override
			public void started(ActiveProcess process) {
				self.started(process);
			}

			@Override
			public boolean relaunchPlain(ActiveProcess process, int status) {
				return self.relaunchPlain(process, status);
			}

		};
	}

}
