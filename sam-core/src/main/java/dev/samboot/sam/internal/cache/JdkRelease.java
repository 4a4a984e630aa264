package dev.samboot.sam.internal.cache;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The release of the JDK that launches the instances, which need not be the one the
 * supervisor runs on: its {@code release} file is read rather than starting
 * {@code java -version}, which would cost a JVM start-up on every supervisor start.
 */
public final class JdkRelease {

	private JdkRelease() {
	}

	/**
	 * The home of a {@code java} executable: two levels above it, symbolic links followed
	 * (so that {@code /usr/bin/java} leads to the JDK it points to).
	 * @param java the executable
	 * @return the home
	 */
	public static Path home(String java) {
		Path executable = Path.of(java);
		try {
			executable = executable.toRealPath();
		}
		catch (IOException ex) {
			executable = executable.toAbsolutePath();
		}
		Path bin = executable.getParent();
		return (bin != null && bin.getParent() != null) ? bin.getParent() : executable;
	}

	/**
	 * The contents of the {@code release} file of the JDK at a home.
	 * @param home the home
	 * @return the contents, or empty if it cannot be read
	 */
	static Optional<String> contents(Path home) {
		try {
			return Optional.of(Files.readString(home.resolve("release"), StandardCharsets.UTF_8));
		}
		catch (IOException ex) {
			return Optional.empty();
		}
	}

	/**
	 * The feature version of the JDK at a home, from its {@code release} file.
	 * @param home the home
	 * @return the version, or empty if unknown
	 */
	public static OptionalInt featureVersion(Path home) {
		Optional<String> release = contents(home);
		return release.isPresent() ? featureVersion(release.get()) : OptionalInt.empty();
	}

	/**
	 * The feature version in the contents of a JDK's {@code release} file:
	 * {@code JAVA_VERSION="17.0.15"} is 17, {@code "1.8.0_402"} is 8.
	 * @param release the contents
	 * @return the version, or empty if there is none
	 */
	static OptionalInt featureVersion(String release) {
		for (String line : release.split("\n")) {
			if (line.startsWith("JAVA_VERSION=")) {
				String version = line.substring("JAVA_VERSION=".length()).replace("\"", "").trim();
				try {
					int first = Integer.parseInt(number(version, 0));
					int end = first == 1 ? version.indexOf('.') : -1;
					return OptionalInt.of((end > 0) ? Integer.parseInt(number(version, end + 1)) : first);
				}
				catch (NumberFormatException ex) {
					return OptionalInt.empty();
				}
			}
		}
		return OptionalInt.empty();
	}

	/**
	 * The digits of a version from an index to the next separator ({@code . - + _}), with
	 * no regular expression: this runs in the launcher's JVM while instance 1 starts.
	 */
	private static String number(String version, int start) {
		int end = start;
		while (end < version.length() && ".-+_".indexOf(version.charAt(end)) < 0) {
			end++;
		}
		return version.substring(start, end);
	}

}
