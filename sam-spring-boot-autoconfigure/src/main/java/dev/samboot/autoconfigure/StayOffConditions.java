package dev.samboot.autoconfigure;

import dev.samboot.sam.Sam;

import org.springframework.core.NativeDetector;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * Where samboot must not turn the JVM into a supervisor, because relaunching it would be
 * wrong or impossible: under tests, in DevTools restarts, during AOT processing, in a
 * native image, in a servlet container, or without POSIX signals. What needs no Spring to
 * tell is in {@link StayOffReasons}.
 */
final class StayOffConditions {

	private static final String DEVTOOLS_RESTARTER = "org.springframework.boot.devtools.restart.Restarter";

	private StayOffConditions() {
	}

	/**
	 * Return why supervision stays off here.
	 * @param environment the environment
	 * @return the reason, or {@code null} to supervise
	 */
	static String reason(Environment environment) {
		return StayOffReasons.reason(new Throwable().getStackTrace(), ClassUtils.isPresent(DEVTOOLS_RESTARTER, null),
				NativeDetector.inNativeImage(), StayOffReasons.aotProcessing(), Sam.isSupported());
	}

}
