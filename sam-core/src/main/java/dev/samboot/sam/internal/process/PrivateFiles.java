package dev.samboot.sam.internal.process;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * Secrets and private directories without the JDK's security providers: their first use
 * (a {@link SecureRandom}, which {@link Files#createTempDirectory} also uses for its
 * names) loads and initializes some 30 ms of classes, on the path of a supervisor's start
 * and, in the interpreted lean supervisor, several times that. The bytes are read from
 * {@code /dev/urandom}, which is what {@link SecureRandom}'s default provider reads on
 * Linux; where it cannot be read, a {@link SecureRandom} gives them.
 */
public final class PrivateFiles {

	private static final Path URANDOM = Path.of("/dev/urandom");

	private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY = PosixFilePermissions
		.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

	/** Names taken by someone else before a directory of this process's own is made. */
	private static final int ATTEMPTS = 16;

	private static final int NAME_BYTES = 8;

	private PrivateFiles() {
	}

	/**
	 * Random bytes for a secret.
	 * @param count how many
	 * @return the bytes
	 */
	public static byte[] randomBytes(int count) {
		byte[] bytes = new byte[count];
		try (InputStream in = Files.newInputStream(URANDOM)) {
			if (in.readNBytes(bytes, 0, count) == count) {
				return bytes;
			}
		}
		catch (IOException | SecurityException | UnsupportedOperationException ex) {
			// no such device here: the providers
		}
		new SecureRandom().nextBytes(bytes);
		return bytes;
	}

	/**
	 * Create a new directory only this user can enter (mode 0700), named {@code prefix}
	 * and random characters, as {@link Files#createTempDirectory} does. The directory is
	 * made in one step that fails if the name exists (also as a link), so a name someone
	 * else took first is never used: another name is tried.
	 * @param parent where
	 * @param prefix the start of its name
	 * @return the directory
	 * @throws IOException if it cannot be created
	 */
	public static Path createDirectory(Path parent, String prefix) throws IOException {
		FileAlreadyExistsException taken = null;
		for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
			Path directory = parent.resolve(prefix + HexFormat.of().formatHex(randomBytes(NAME_BYTES)));
			try {
				return Files.createDirectory(directory, OWNER_ONLY);
			}
			catch (FileAlreadyExistsException ex) {
				taken = ex;
			}
		}
		throw taken;
	}

	/**
	 * As {@link #createDirectory(Path, String)}, in {@code java.io.tmpdir}.
	 * @param prefix the start of its name
	 * @return the directory
	 * @throws IOException if it cannot be created
	 */
	public static Path createTempDirectory(String prefix) throws IOException {
		return createDirectory(Path.of(System.getProperty("java.io.tmpdir")), prefix);
	}

}
