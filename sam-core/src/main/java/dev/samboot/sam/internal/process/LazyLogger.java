package dev.samboot.sam.internal.process;

import java.util.ResourceBundle;

/**
 * A {@link System.Logger} that asks {@link System#getLogger} for the real one at its
 * first use rather than when the class that holds it is initialized. For a class outside
 * the JDK, {@code System.getLogger} starts the logging backend at once
 * ({@code java.util.logging} reads its configuration, some 10 ms in a fresh JVM); the
 * classes the launcher uses before instance 1 is launched hold their loggers this way, so
 * that the backend starts after the launch, when something is logged.
 */
public final class LazyLogger implements System.Logger {

	private final String name;

	private volatile System.Logger logger;

	private LazyLogger(String name) {
		this.name = name;
	}

	/**
	 * A logger named after a class, looked up at its first use.
	 * @param type the class
	 * @return the logger
	 */
	public static System.Logger of(Class<?> type) {
		return new LazyLogger(type.getName());
	}

	private System.Logger logger() {
		System.Logger resolved = this.logger;
		if (resolved == null) {
			resolved = System.getLogger(this.name);
			this.logger = resolved;
		}
		return resolved;
	}

	@Override
	public String getName() {
		return this.name;
	}

	@Override
	public boolean isLoggable(Level level) {
		return logger().isLoggable(level);
	}

	@Override
	public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
		logger().log(level, bundle, message, thrown);
	}

	@Override
	public void log(Level level, ResourceBundle bundle, String format, Object... params) {
		logger().log(level, bundle, format, params);
	}

}
