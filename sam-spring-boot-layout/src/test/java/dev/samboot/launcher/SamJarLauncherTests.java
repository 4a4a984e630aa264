package dev.samboot.launcher;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import dev.samboot.sam.internal.lean.LeanSupervisor;
import dev.samboot.sam.internal.process.SamEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the launcher decides and copies before Spring Boot's loader runs.
 */
class SamJarLauncherTests {

	@TempDir
	Path temp;

	@Test
	void theLaunchersNamesAreTheCores() {
		assertThat(SamJarLauncher.SUPERVISOR_PID).isEqualTo(SamEnvironment.SUPERVISOR_PID);
		assertThat(SamJarLauncher.HANDOFF_PREFIX).isEqualTo(LeanSupervisor.HANDOFF_PREFIX);
	}

	@Test
	void anInstanceIsKnownByItsSupervisorBeingItsParent() {
		assertThat(SamJarLauncher.isActiveProcess("4242", Optional.of(4242L))).isTrue();
		assertThat(SamJarLauncher.isActiveProcess("4242", Optional.of(17L))).as("started by an instance").isFalse();
		assertThat(SamJarLauncher.isActiveProcess(null, Optional.of(4242L))).isFalse();
		assertThat(SamJarLauncher.isActiveProcess("4242", Optional.empty())).isFalse();
	}

	@Test
	void supervisionSwitchedOffIsReadInSpringsOrderOfPrecedence() {
		Properties none = new Properties();
		Properties off = new Properties();
		off.setProperty("sam.enabled", "false");
		assertThat(SamJarLauncher.switchedOff(new String[0], none, Map.of())).isFalse();
		assertThat(SamJarLauncher.switchedOff(new String[] { "--sam.enabled=false" }, none, Map.of())).isTrue();
		assertThat(SamJarLauncher.switchedOff(new String[] { "--sam.enabled=false", "--sam.enabled=true" }, none,
				Map.of()))
			.as("the last argument wins")
			.isFalse();
		assertThat(SamJarLauncher.switchedOff(new String[0], off, Map.of())).isTrue();
		assertThat(SamJarLauncher.switchedOff(new String[] { "--sam.enabled=true" }, off, Map.of())).isFalse();
		assertThat(SamJarLauncher.switchedOff(new String[0], none, Map.of("SAM_ENABLED", " FALSE "))).isTrue();
		Properties on = new Properties();
		on.setProperty("sam.enabled", "true");
		assertThat(SamJarLauncher.switchedOff(new String[0], on, Map.of("SAM_ENABLED", "false"))).isFalse();
		assertThat(SamJarLauncher.switchedOff(new String[] { "--sam.supervisor.early-launch=false" }, none, Map.of()))
			.as("the relaunch with the supervisor in the application's JVM")
			.isTrue();
		Properties earlyOff = new Properties();
		earlyOff.setProperty("sam.supervisor.earlyLaunch", "false");
		assertThat(SamJarLauncher.switchedOff(new String[0], earlyOff, Map.of())).isTrue();
		assertThat(SamJarLauncher.switchedOff(new String[0], none, Map.of("SAM_SUPERVISOR_LEAN", "false"))).isTrue();
		assertThat(SamJarLauncher.switchedOff(new String[] { "--sam.supervisor.lean=true" }, none,
				Map.of("SAM_SUPERVISOR_LEAN", "false")))
			.isFalse();
		assertThat(SamJarLauncher.switchedOff(new String[] { "--sam.enabled=maybe" }, none, Map.of()))
			.as("left to samboot's own check, which names the property")
			.isFalse();
	}

	@Test
	void onlySambootsAndTheNativeAccessJarsAreCopiedIntoAPrivateDirectory() throws IOException {
		Path jar = executableJar(List.of("BOOT-INF/lib/sam-spring-boot-autoconfigure-0.1.0.jar",
				"BOOT-INF/lib/sam-core-0.1.0.jar", "BOOT-INF/lib/jnr-ffi-2.2.17.jar", "BOOT-INF/lib/jffi-1.3.13.jar",
				"BOOT-INF/lib/jffi-1.3.13-native.jar", "BOOT-INF/lib/asm-9.7.1.jar", "BOOT-INF/lib/asm-tree-9.7.1.jar",
				"BOOT-INF/lib/spring-boot-4.1.2.jar", "BOOT-INF/lib/sam-spring-boot-starter-0.1.0.jar",
				"BOOT-INF/lib/nested/sam-core-0.0.1.jar", "BOOT-INF/classes/sam-core-0.1.0.jar",
				"BOOT-INF/lib/spring-boot-devtools-4.1.2.jar"));
		SamJarLauncher.Copies copies = SamJarLauncher.copy(jar);
		try {
			assertThat(copies.directory().getFileName().toString())
				.startsWith(SamJarLauncher.HANDOFF_PREFIX + ProcessHandle.current().pid() + "-");
			assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(copies.directory())))
				.isEqualTo("rwx------");
			assertThat(copies.jars()).extracting((path) -> path.getFileName().toString())
				.containsExactly("sam-spring-boot-autoconfigure-0.1.0.jar", "sam-core-0.1.0.jar", "jnr-ffi-2.2.17.jar",
						"jffi-1.3.13.jar", "jffi-1.3.13-native.jar", "asm-9.7.1.jar", "asm-tree-9.7.1.jar");
			assertThat(copies.jars()).allMatch((path) -> path.getParent().equals(copies.directory()));
			assertThat(Files.readString(copies.jars().get(1))).isEqualTo("BOOT-INF/lib/sam-core-0.1.0.jar");
			assertThat(copies.devTools()).isTrue();
		}
		finally {
			try (var files = Files.list(copies.directory())) {
				files.forEach((file) -> file.toFile().delete());
			}
			Files.delete(copies.directory());
		}
	}

	@Test
	void aJarWithoutTheStarterRunsUnsupervisedAndLeavesNothingBehind() throws IOException {
		Path jar = executableJar(List.of("BOOT-INF/lib/sam-core-0.1.0.jar", "BOOT-INF/lib/spring-boot-4.1.2.jar"));
		List<Path> before = handoffDirectories();
		assertThat(SamJarLauncher.superviseFirst(jar, new String[0])).contains("sam-spring-boot-starter");
		assertThat(handoffDirectories()).isEqualTo(before);
	}

	@Test
	void onlySambootsAndTheNativeAccessJarsAreLoadedBeforeSpringBoot() {
		assertThat(List.of("sam-spring-boot-autoconfigure-0.1.0.jar", "sam-core-0.1.0.jar", "jnr-ffi-2.2.17.jar",
				"jnr-posix-3.1.20.jar", "jnr-unixsocket-0.38.23.jar", "jffi-1.3.13-native.jar", "asm-9.7.1.jar",
				"asm-tree-9.7.1.jar", "asm.jar"))
			.allMatch(SamJarLauncher::isSupervisorJar);
		assertThat(List.of("spring-boot-4.1.2.jar", "sam-spring-boot-starter-0.1.0.jar", "sample-app.jar",
				"sam-core-0.1.0.pom", "classes", "jackson-core-2.19.jar", "micrometer-core-1.16.jar"))
			.noneMatch(SamJarLauncher::isSupervisorJar);
	}

	/** A jar whose entries each hold their own name. */
	private Path executableJar(List<String> entries) throws IOException {
		Path jar = this.temp.resolve("app.jar");
		try (OutputStream out = Files.newOutputStream(jar); JarOutputStream stream = new JarOutputStream(out)) {
			for (String entry : entries) {
				stream.putNextEntry(new JarEntry(entry));
				stream.write(entry.getBytes(java.nio.charset.StandardCharsets.UTF_8));
				stream.closeEntry();
			}
		}
		return jar;
	}

	private static List<Path> handoffDirectories() throws IOException {
		try (var entries = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
			return entries
				.filter((path) -> path.getFileName()
					.toString()
					.startsWith(SamJarLauncher.HANDOFF_PREFIX + ProcessHandle.current().pid() + "-"))
				.sorted()
				.toList();
		}
	}

}
