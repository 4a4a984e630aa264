package dev.samboot.launcher;

import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.util.List;
import java.util.Optional;

import dev.samboot.sam.internal.process.SamEnvironment;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.loader.net.protocol.Handlers;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which of an executable jar's libraries go into the launcher's own class loader.
 */
class SamJarLauncherTests {

	@BeforeAll
	static void nestedUrls() {
		Handlers.register();
	}

	@Test
	void anInstanceIsKnownByItsSupervisorBeingItsParent() {
		assertThat(SamJarLauncher.SUPERVISOR_PID).isEqualTo(SamEnvironment.SUPERVISOR_PID);
		assertThat(SamJarLauncher.isActiveProcess("4242", Optional.of(4242L))).isTrue();
		assertThat(SamJarLauncher.isActiveProcess("4242", Optional.of(17L))).as("started by an instance").isFalse();
		assertThat(SamJarLauncher.isActiveProcess(null, Optional.of(4242L))).isFalse();
		assertThat(SamJarLauncher.isActiveProcess("4242", Optional.empty())).isFalse();
	}

	@Test
	void aNestedJarIsNamedByItsFileName() throws MalformedURLException {
		assertThat(SamJarLauncher.fileName(new URL("jar:nested:/srv/app.jar/!BOOT-INF/lib/sam-core-1.0.jar!/")))
			.isEqualTo("sam-core-1.0.jar");
		assertThat(SamJarLauncher.fileName(URI.create("file:/srv/app/lib/jnr-ffi-2.2.17.jar").toURL()))
			.isEqualTo("jnr-ffi-2.2.17.jar");
		assertThat(SamJarLauncher.fileName(new URL("jar:nested:/srv/app.jar/!BOOT-INF/classes/!/")))
			.isEqualTo("classes");
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

}
