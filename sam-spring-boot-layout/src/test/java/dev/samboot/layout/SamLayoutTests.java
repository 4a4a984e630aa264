package dev.samboot.layout;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.loader.tools.Libraries;
import org.springframework.boot.loader.tools.Repackager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * A jar repackaged by Spring Boot's own tools with samboot's layout.
 */
class SamLayoutTests {

	@TempDir
	Path directory;

	@Test
	void repackagedJarStartsWithSambootsLauncherBesideSpringBootsLoader() throws IOException {
		File jar = plainJar(this.directory.resolve("app.jar"));
		Repackager repackager = new Repackager(jar);
		repackager.setLayoutFactory(new SamLayoutFactory());
		repackager.setMainClass("com.example.Main");
		repackager.setBackupSource(false);
		repackager.repackage(Libraries.NONE);
		try (JarFile repackaged = new JarFile(jar)) {
			Attributes manifest = repackaged.getManifest().getMainAttributes();
			assertThat(manifest.getValue("Main-Class")).isEqualTo("dev.samboot.launcher.SamJarLauncher");
			assertThat(manifest.getValue("Start-Class")).isEqualTo("com.example.Main");
			assertThat(manifest.getValue("Enable-Native-Access")).as("the project's own entries are kept")
				.isEqualTo("ALL-UNNAMED");
			assertThat(repackaged.getEntry("dev/samboot/launcher/SamJarLauncher.class")).isNotNull();
			assertThat(repackaged.getEntry("org/springframework/boot/loader/launch/JarLauncher.class")).isNotNull();
			assertThat(repackaged.getEntry("BOOT-INF/classes/com/example/Main.class")).isNotNull();
		}
	}

	@Test
	void everyClassOfTheLauncherIsWritten() throws IOException {
		Path compiled = Path.of("target", "classes", "dev", "samboot", "launcher");
		try (Stream<Path> files = Files.list(compiled)) {
			List<String> classes = files.map((file) -> "dev/samboot/launcher/" + file.getFileName())
				.filter((name) -> name.endsWith(".class"))
				.toList();
			assertThat(SamLayout.LAUNCHER_CLASSES).as("nested and anonymous classes too")
				.containsExactlyInAnyOrderElementsOf(classes);
		}
	}

	@Test
	void aWarIsRefusedWithTheReason() {
		assertThatIllegalStateException().isThrownBy(() -> new SamLayoutFactory().getLayout(new File("app.war")))
			.withMessageContaining("app.war")
			.withMessageContaining("layoutFactory");
	}

	private static File plainJar(Path file) throws IOException {
		Manifest manifest = new Manifest();
		manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
		manifest.getMainAttributes().putValue("Enable-Native-Access", "ALL-UNNAMED");
		try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out, manifest)) {
			jar.putNextEntry(new JarEntry("com/example/Main.class"));
			jar.write(new byte[] { (byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE });
			jar.closeEntry();
		}
		return file.toFile();
	}

}
