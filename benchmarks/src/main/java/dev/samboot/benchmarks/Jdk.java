package dev.samboot.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * A JDK the process figures are measured on, named from its {@code release} file.
 *
 * @param home the JDK's directory
 * @param version {@code JAVA_VERSION}, such as 17.0.15
 * @param implementor {@code IMPLEMENTOR}, such as Eclipse Adoptium
 */
record Jdk(Path home, String version, String implementor) {

	static Jdk of(Path home) throws IOException {
		Path real = home.toRealPath();
		if (!Files.isExecutable(real.resolve("bin/java"))) {
			throw new IOException("No bin/java in " + home);
		}
		Properties release = new Properties();
		Path file = real.resolve("release");
		if (Files.isReadable(file)) {
			try (var in = Files.newBufferedReader(file)) {
				release.load(in);
			}
		}
		return new Jdk(real, unquote(release.getProperty("JAVA_VERSION", "unknown")),
				unquote(release.getProperty("IMPLEMENTOR", "unknown")));
	}

	private static String unquote(String value) {
		return value.replace("\"", "").trim();
	}

	String java() {
		return this.home.resolve("bin/java").toString();
	}

	/** A short name for tables and file names: {@code jdk17}, {@code jdk25}. */
	String label() {
		String feature = this.version.split("[.+-]")[0];
		return "jdk" + feature;
	}

	String describe() {
		return this.implementor + " " + this.version + " (" + this.home + ")";
	}

}
