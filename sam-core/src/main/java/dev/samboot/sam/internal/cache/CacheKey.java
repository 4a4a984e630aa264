package dev.samboot.sam.internal.cache;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The key a trained cache is valid for. Everything the archive was built from is part of
 * it, so that a new build, JDK or option means the plain command until the cache has been
 * trained again, rather than an instance launched with an archive that does not match.
 */
final class CacheKey {

	/**
	 * Changed when what a cache directory holds changes, so that old directories are
	 * retrained.
	 */
	private static final String FORMAT = "samboot-startup-cache-1";

	private CacheKey() {
	}

	/**
	 * The cache key: the cache format, the {@code java} executable and its
	 * {@code release} file, the JVM options and the path, size and modification time of
	 * the jar or of each class path entry. Sizes and times rather than contents: the key
	 * is computed before every launch, and reading the application's jars each time would
	 * slow the restart down.
	 * @param command the command
	 * @param kind the kind of cache
	 * @param javaHome the JDK's home
	 * @return the key, in hex
	 */
	static String of(JavaCommand command, CacheKind kind, Path javaHome) {
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			List<String> parts = new ArrayList<>();
			parts.add(FORMAT);
			parts.add(kind.name());
			parts.add(command.java());
			parts.add(javaHome.toString());
			parts.add(JdkRelease.contents(javaHome).orElse("no release file"));
			parts.addAll(command.jvmOptions());
			parts.add((command.jar() != null) ? "-jar" : "-cp");
			for (Path entry : command.classPath()) {
				parts.add(entry.toAbsolutePath().toString());
				parts.add(stamp(entry));
			}
			for (String part : parts) {
				digest.update(part.getBytes(StandardCharsets.UTF_8));
				// a separator, so that moving text from one part to the next changes the
				// key
				digest.update((byte) 0);
			}
			return HexFormat.of().formatHex(digest.digest());
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String stamp(Path file) {
		try {
			BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
			return attributes.size() + "@" + attributes.lastModifiedTime().toMillis();
		}
		catch (IOException ex) {
			return "missing";
		}
	}

}
