package dev.samboot.autoconfigure;

import java.util.List;

/**
 * The reasons of {@link StayOffConditions} that need no Spring to tell, so that
 * {@link LauncherSupervision} can give them in a class loader that has only samboot's
 * jars.
 */
final class StayOffReasons {

	/**
	 * The system property Spring's AOT processors set while they run (Spring's
	 * {@code AbstractAotProcessor.AOT_PROCESSING}).
	 */
	static final String AOT_PROCESSING = "spring.aot.processing";

	/** Stack frames of test runners and of Spring's test support. */
	private static final List<String> TEST_FRAMES = List.of("org.junit.", "org.springframework.test.",
			"org.springframework.boot.test.", "org.testng.");

	private static final String SERVLET_INITIALIZER = "org.springframework.boot.web.servlet.support.SpringBootServletInitializer";

	private StayOffReasons() {
	}

	/**
	 * Whether this JVM is processing the application ahead of time
	 * ({@code spring-boot:process-aot}, {@code processAot}).
	 * @return whether AOT processing is running
	 */
	static boolean aotProcessing() {
		return Boolean.getBoolean(AOT_PROCESSING);
	}

	/**
	 * Return why supervision stays off.
	 * @param stack the calling thread's stack
	 * @param devTools whether Spring Boot DevTools is on the class path
	 * @param nativeImage whether this is a native image
	 * @param aotProcessing whether AOT processing is running
	 * @param supported whether this platform has what samboot needs
	 * @return the reason, or {@code null} to supervise
	 */
	static String reason(StackTraceElement[] stack, boolean devTools, boolean nativeImage, boolean aotProcessing,
			boolean supported) {
		if (!supported) {
			return "this platform (" + System.getProperty("os.name") + ") has no POSIX signals";
		}
		if (nativeImage) {
			return "running in a native image, which cannot be relaunched as the same JVM command";
		}
		if (aotProcessing) {
			return "AOT processing is running";
		}
		for (StackTraceElement frame : stack) {
			String className = frame.getClassName();
			for (String testFrame : TEST_FRAMES) {
				if (className.startsWith(testFrame)) {
					return "running under tests (" + className + ")";
				}
			}
			if (className.equals(SERVLET_INITIALIZER)) {
				return "deployed in a servlet container, which samboot cannot relaunch";
			}
		}
		if (devTools) {
			return "Spring Boot DevTools is on the class path, and its restarts would fight the supervisor's";
		}
		return null;
	}

}
