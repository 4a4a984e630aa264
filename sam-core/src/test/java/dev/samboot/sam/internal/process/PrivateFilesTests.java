package dev.samboot.sam.internal.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * Secrets and private directories made without the JDK's security providers.
 */
class PrivateFilesTests {

	@TempDir
	Path parent;

	@Test
	void randomBytesAreAsManyAsAskedAndNeverRepeat() {
		Set<String> seen = new HashSet<>();
		for (int i = 0; i < 200; i++) {
			byte[] bytes = PrivateFiles.randomBytes(32);
			assertThat(bytes).hasSize(32);
			assertThat(seen.add(HexFormat.of().formatHex(bytes))).isTrue();
		}
		assertThat(PrivateFiles.randomBytes(0)).isEmpty();
	}

	@Test
	void directoriesAreNewOnlyTheOwnersAndNamedAfterThePrefix() throws IOException {
		Set<Path> made = new HashSet<>();
		for (int i = 0; i < 50; i++) {
			Path directory = PrivateFiles.createDirectory(this.parent, "samboot-test-");
			assertThat(directory.getParent()).isEqualTo(this.parent);
			assertThat(directory.getFileName().toString()).matches("samboot-test-[0-9a-f]{16}");
			assertThat(Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)).isTrue();
			assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory))).isEqualTo("rwx------");
			assertThat(made.add(directory)).isTrue();
		}
	}

	@Test
	void aParentThatIsNotThereIsAnError() {
		Path missing = this.parent.resolve("missing");
		assertThatIOException().isThrownBy(() -> PrivateFiles.createDirectory(missing, "x-"));
		assertThat(missing).doesNotExist();
	}

}
