package dev.samboot.sam.internal.lean;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import dev.samboot.sam.RecoveryPolicy;
import dev.samboot.sam.SamOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * When the supervisor can replace its JVM with a lean one, and how it finds the core's
 * classes.
 */
class LeanSupervisorTests {

	@Test
	void leanSupervisorIsUsedWhenRequestedUnlessTheApplicationGaveItsOwnQuorumSource() {
		assertThat(LeanSupervisor.obstacle(options(RecoveryPolicy.RESTART, null)))
			.contains("no lean supervisor requested");
		assertThat(LeanSupervisor.obstacle(options(RecoveryPolicy.RESTART, SamOptions.LEAN_SUPERVISOR_JVM_OPTIONS)))
			.isEmpty();
		assertThat(LeanSupervisor.obstacle(options(RecoveryPolicy.QUORUM_QUIT, SamOptions.LEAN_SUPERVISOR_JVM_OPTIONS)))
			.isEmpty();
		SamOptions ownQuorum = SamOptions.builder(Duration.ofSeconds(1), RecoveryPolicy.QUORUM_RESTART)
			.leanSupervisor(List.of("-Xint"))
			.quorumSource(() -> null)
			.build();
		assertThat(LeanSupervisor.obstacle(ownQuorum))
			.hasValueSatisfying((reason) -> assertThat(reason).contains("own"));
	}

	@Test
	void corosyncAndSystemdNeedTheNativeAccessJars() {
		SamOptions plain = options(RecoveryPolicy.RESTART, List.of());
		assertThat(LeanSupervisor.needsNativeAccess(plain, Map.of())).isFalse();
		assertThat(LeanSupervisor.needsNativeAccess(plain, Map.of("NOTIFY_SOCKET", "/run/systemd/notify"))).isTrue();
		assertThat(LeanSupervisor.needsNativeAccess(options(RecoveryPolicy.QUIT.withCmap(), List.of()), Map.of()))
			.isTrue();
		assertThat(LeanSupervisor.isNativeAccessJar("jnr-ffi-2.2.19.jar")).isTrue();
		assertThat(LeanSupervisor.isNativeAccessJar("jffi-1.3.15-native.jar")).isTrue();
		assertThat(LeanSupervisor.isNativeAccessJar("asm-commons-9.7.1.jar")).isTrue();
		assertThat(LeanSupervisor.isNativeAccessJar("spring-core-7.0.jar")).isFalse();
	}

	@Test
	void classPathInTestsIsTheClassesDirectoryAndTheJnrJars() throws IOException {
		String[] core = LeanSupervisor.supervisorClassPath(Path.of("/nonexistent"), false).split(File.pathSeparator);
		assertThat(core).hasSize(1);
		assertThat(Path.of(core[0]).resolve("dev/samboot/sam/internal/lean/LeanSupervisor.class")).exists();
		String[] withNative = LeanSupervisor.supervisorClassPath(Path.of("/nonexistent"), true)
			.split(File.pathSeparator);
		assertThat(withNative).anyMatch((entry) -> entry.contains("jnr-posix"))
			.anyMatch((entry) -> entry.contains("jffi") && entry.contains("native"))
			.anyMatch((entry) -> entry.contains("jnr-unixsocket"))
			.noneMatch((entry) -> entry.contains("/org/springframework/"));
	}

	@Test
	void jarsNestedInABootJarAreCopiedOut(@TempDir Path temp) throws IOException {
		Path app = temp.resolve("app.jar");
		try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(app))) {
			for (String name : List.of("sam-core.jar", "jnr-ffi-2.2.19.jar", "spring-core-7.0.jar")) {
				zip.putNextEntry(new ZipEntry("BOOT-INF/lib/" + name));
				zip.write(name.getBytes());
				zip.closeEntry();
			}
		}
		LeanSupervisor.NestedJar core = LeanSupervisor.NestedJar
			.parse("jar:nested:" + app + "/!BOOT-INF/lib/sam-core.jar!/");
		Path out = Files.createDirectory(temp.resolve("out"));
		assertThat(core.extract(out)).hasContent("sam-core.jar");
		assertThat(core.siblings(LeanSupervisor::isNativeAccessJar)).extracting(LeanSupervisor.NestedJar::entry)
			.containsExactly("BOOT-INF/lib/jnr-ffi-2.2.19.jar");
		assertThatIOException().isThrownBy(
				() -> LeanSupervisor.NestedJar.parse("jar:nested:" + app + "/!BOOT-INF/lib/missing.jar!/").extract(out))
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
