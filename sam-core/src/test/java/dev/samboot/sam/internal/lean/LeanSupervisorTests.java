package dev.samboot.sam.internal.lean;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import dev.samboot.sam.RecoveryPolicy;
import dev.samboot.sam.SamOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * When the supervisor can replace its JVM with a lean one, and how it finds the core's
 * classes.
 */
class LeanSupervisorTests {

	@Test
	void onlyThisProcesssOwnCopiesOfTheCoreAreTakenAsTheHandoffDirectory() throws Exception {
		Path named = Files.createTempDirectory(LeanSupervisor.HANDOFF_PREFIX + ProcessHandle.current().pid() + "-",
				java.nio.file.attribute.PosixFilePermissions
					.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
		try {
			assertThat(LeanSupervisor.isOwnCopies(named)).as("the core was not loaded from it").isFalse();
			assertThat(LeanSupervisor.isOwnCopies(Path.of("/"))).isFalse();
			assertThat(LeanSupervisor.isOwnCopies(named.resolveSibling("samboot-handoff-1-x"))).isFalse();
		}
		finally {
			Files.delete(named);
		}
	}

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

	@Test
	void commandLineEnablesNativeAccessOnJdk24AndLaterOnly() {
		SamOptions options = options(RecoveryPolicy.RESTART, SamOptions.LEAN_SUPERVISOR_JVM_OPTIONS);
		Path handoff = Path.of("/tmp/handoff.properties");
		List<String> on17 = LeanSupervisor.command("/jdk17/bin/java", 17, options, "core.jar", handoff);
		assertThat(on17).doesNotContain(LeanSupervisor.ENABLE_NATIVE_ACCESS)
			.noneMatch((word) -> word.startsWith("--enable-native-access"));
		assertThat(LeanSupervisor.command("/jdk23/bin/java", 23, options, "core.jar", handoff))
			.doesNotContain(LeanSupervisor.ENABLE_NATIVE_ACCESS);
		for (int release : new int[] { 24, 25 }) {
			List<String> command = LeanSupervisor.command("/jdk/bin/java", release, options, "core.jar", handoff);
			assertThat(command).containsOnlyOnce(LeanSupervisor.ENABLE_NATIVE_ACCESS)
				.endsWith("-cp", "core.jar", LeanSupervisor.class.getName(), handoff.toString());
			assertThat(command.indexOf(LeanSupervisor.ENABLE_NATIVE_ACCESS)).isLessThan(command.indexOf("-cp"));
			// otherwise the same command as on 17
			assertThat(command).filteredOn((word) -> !word.equals(LeanSupervisor.ENABLE_NATIVE_ACCESS))
				.isEqualTo(
						on17.stream().map((word) -> word.equals("/jdk17/bin/java") ? "/jdk/bin/java" : word).toList());
		}
	}

	@Test
	void nativeAccessGivenInTheSupervisorsOwnOptionsIsNotRepeated() {
		SamOptions options = options(RecoveryPolicy.RESTART, List.of("-Xint", "--enable-native-access=ALL-UNNAMED"));
		assertThat(LeanSupervisor.command("/jdk/bin/java", 25, options, "core.jar", Path.of("handoff")))
			.filteredOn((word) -> word.startsWith("--enable-native-access"))
			.containsExactly("--enable-native-access=ALL-UNNAMED");
	}

	@Test
	void releaseOfTheJavaThatRunsTheSupervisorIsReadFromItsJdk() {
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		assertThat(LeanSupervisor.javaRelease(java)).isEqualTo(Runtime.version().feature());
		assertThat(LeanSupervisor.javaRelease("/nonexistent/bin/java")).isEqualTo(Runtime.version().feature());
	}

	@Test
	@Timeout(60)
	void eachInstalledJdkAcceptsItsLeanCommandLine() throws Exception {
		List<String> javas = new ArrayList<>();
		javas.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		try (DirectoryStream<Path> jdks = Files.newDirectoryStream(Path.of("/usr/lib/jvm"))) {
			for (Path jdk : jdks) {
				if (Files.isExecutable(jdk.resolve("bin/java")) && Files.isRegularFile(jdk.resolve("release"))) {
					javas.add(jdk.resolve("bin/java").toString());
				}
			}
		}
		catch (IOException ex) {
			// only this JVM's java
		}
		SamOptions options = options(RecoveryPolicy.RESTART, SamOptions.LEAN_SUPERVISOR_JVM_OPTIONS);
		for (String java : javas) {
			int release = LeanSupervisor.javaRelease(java);
			List<String> command = new ArrayList<>(
					LeanSupervisor.command(java, release, options, "core.jar", Path.of("handoff")));
			// the JVM options and class path as the supervisor gets them, then -version
			// instead of the main class
			command.subList(command.size() - 2, command.size()).clear();
			command.add("-version");
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			String output = new String(process.getInputStream().readAllBytes());
			assertThat(process.waitFor()).as(java + " (" + release + "): " + output).isZero();
			assertThat(command.contains(LeanSupervisor.ENABLE_NATIVE_ACCESS)).as(java).isEqualTo(release >= 24);
		}
	}

	private static SamOptions options(RecoveryPolicy policy, List<String> jvmOptions) {
		return SamOptions.builder(Duration.ofSeconds(1), policy).leanSupervisor(jvmOptions).build();
	}

	@Test
	void handoffDirectoriesOfSupervisorsThatAreGoneAreRemovedAndNoOthers(@TempDir Path temp) throws Exception {
		Process ended = new ProcessBuilder("true").start();
		ended.waitFor();
		Path abandoned = Files.createDirectories(temp.resolve("samboot-handoff-" + ended.pid() + "-123"));
		Files.writeString(abandoned.resolve("sam-core.jar"), "jar");
		Path running = Files.createDirectories(temp.resolve("samboot-handoff-" + ProcessHandle.current().pid() + "-4"));
		Path unnamed = Files.createDirectories(temp.resolve("samboot-handoff-notapid-5"));
		Path other = Files.createDirectories(temp.resolve("elsewhere-" + ended.pid() + "-6"));
		LeanSupervisor.removeAbandoned(temp);
		assertThat(abandoned).doesNotExist();
		assertThat(running).isDirectory();
		assertThat(unnamed).isDirectory();
		assertThat(other).isDirectory();
	}

	@Test
	void jvmOptionsOfAWaitingSupervisorAreThoseTheDefaultSettingsAskFor() {
		SamOptions defaults = SamOptions.builder(Duration.ofSeconds(2), RecoveryPolicy.RESTART)
			.leanSupervisor(SamOptions.LEAN_SUPERVISOR_JVM_OPTIONS)
			.build();
		assertThat(LeanSupervisor.jvmOptions(LeanSupervisor.DEFAULT_JVM_OPTIONS, SamOptions.DEFAULT_DATA_MAX_SIZE, true,
				17))
			.as("no second JVM for the defaults")
			.isEqualTo(LeanSupervisor.jvmOptions(defaults.supervisorJvmOptions(), defaults.dataMaxSize(), true, 17))
			.contains("-Xmx20m", dev.samboot.sam.internal.process.AdoptedProcess.ADD_OPENS)
			.doesNotContain(LeanSupervisor.ENABLE_NATIVE_ACCESS);
		assertThat(LeanSupervisor.jvmOptions(List.of("-Xmx64m"), 8 * 1024 * 1024, false, 25)).containsExactly("-Xmx64m",
				LeanSupervisor.ENABLE_NATIVE_ACCESS);
	}

}
