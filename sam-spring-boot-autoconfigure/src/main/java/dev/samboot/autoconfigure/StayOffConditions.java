package dev.samboot.autoconfigure;

import java.util.List;

import dev.samboot.sam.Sam;

import org.springframework.context.aot.AbstractAotProcessor;
import org.springframework.core.NativeDetector;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * Where samboot must not turn the JVM into a supervisor, because relaunching it would be
 * wrong or impossible: under tests, in DevTools restarts, during AOT processing, in a
 * native image, in a servlet container, or without POSIX signals.
 */
final class StayOffConditions {

	/** Stack frames of test runners and of Spring's test support. */
	private static final List<String> TEST_FRAMES = List.of("org.junit.", "org.springframework.test.",
			"org.springframework.boot.test.", "org.testng.");

	private static final String SERVLET_INITIALIZER = "org.springframework.boot.web.servlet.support.SpringBootServletInitializer";

	private static final String DEVTOOLS_RESTARTER = "org.springframework.boot.devtools.restart.Restarter";

	private StayOffConditions() {
	}

	/**
	 * Return why supervision stays off here.
	 * @param environment the environment
	 * @return the reason, or {@code null} to supervise
	 */
	static String reason(Environment environment) {
		return reason(new Throwable().getStackTrace(), ClassUtils.isPresent(DEVTOOLS_RESTARTER, null),
				NativeDetector.inNativeImage(), aotProcessing(), Sam.isSupported());
	}

	/**
	 * Whether this JVM is processing the application ahead of time
	 * ({@code spring-boot:process-aot}, {@code processAot}): Spring's AOT processors set
	 * {@code spring.aot.processing} while they run.
	 * @return whether AOT processing is running
	 */
	static boolean aotProcessing() {
		return Boolean.getBoolean(AbstractAotProcessor.AOT_PROCESSING);
	}

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
			if (TEST_FRAMES.stream().anyMatch(className::startsWith)) {
				return "running under tests (" + className + ")";
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
