package dev.samboot.sam;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * When the supervisor can replace its JVM with a lean one, and how it finds the core's classes.
 */
class LeanSupervisorTests {

	@Test
	void leanSupervisorIsUsedOnlyWhenRequestedAndWithoutCorosync() {
		assertThat(LeanSupervisor.obstacle(options(RecoveryPolicy.RESTART, null))).contains("no lean supervisor requested");
		assertThat(LeanSupervisor.obstacle(options(RecoveryPolicy.RESTART, SamOptions.LEAN_SUPERVISOR_JVM_OPTIONS)))
			.isEmpty();
		assertThat(LeanSupervisor.obstacle(options(RecoveryPolicy.QUORUM_QUIT, SamOptions.LEAN_SUPERVISOR_JVM_OPTIONS)))
			.hasValueSatisfying((reason) -> assertThat(reason).contains("quorum and cmap"));
		assertThat(LeanSupervisor.obstacle(options(RecoveryPolicy.QUIT.withCmap(), List.of("-Xmx16m"))))
			.hasValueSatisfying((reason) -> assertThat(reason).contains("quorum and cmap"));
	}

	@Test
	void coreClassPathInTestsIsTheClassesDirectory() throws IOException {
		Path classPath = Path.of(LeanSupervisor.coreClassPath(Path.of("/nonexistent")));
		assertThat(classPath.resolve("dev/samboot/sam/LeanSupervisor.class")).exists();
	}

	@Test
	void jarNestedInABootJarIsCopiedOut(@TempDir Path temp) throws IOException {
		Path app = temp.resolve("app.jar");
		try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(app))) {
			zip.putNextEntry(new ZipEntry("BOOT-INF/lib/sam-core.jar"));
			zip.write(new byte[] { 'P', 'K', 3, 4, 42 });
			zip.closeEntry();
		}
		Path copy = LeanSupervisor.extractNested("jar:nested:" + app + "/!BOOT-INF/lib/sam-core.jar!/",
				temp.resolve("copy.jar"));
		assertThat(copy).hasBinaryContent(new byte[] { 'P', 'K', 3, 4, 42 });
		assertThatIOException()
			.isThrownBy(() -> LeanSupervisor.extractNested("jar:nested:" + app + "/!BOOT-INF/lib/missing.jar!/",
					temp.resolve("missing.jar")))
			.withMessageContaining("missing.jar not found");
	}

	@Test
	void heapLimitGrowsWithTheDataLimit() {
		assertThat(LeanSupervisor.heapLimit(SamOptions.DEFAULT_DATA_MAX_SIZE)).isEqualTo("-Xmx20m");
		assertThat(LeanSupervisor.heapLimit(SamOptions.MAX_DATA_MAX_SIZE)).isEqualTo("-Xmx272m");
		assertThat(LeanSupervisor.heapLimit(0)).isEqualTo("-Xmx16m");
	}

	private static SamOptions options(RecoveryPolicy policy, List<String> jvmOptions) {
		return SamOptions.builder(Duration.ofSeconds(1), policy).leanSupervisor(jvmOptions).build();
	}

}
