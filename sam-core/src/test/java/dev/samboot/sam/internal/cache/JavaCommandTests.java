package dev.samboot.sam.internal.cache;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import static dev.samboot.sam.internal.cache.CacheFixtures.parse;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a {@code java} command is taken apart, and which commands the cache leaves alone.
 */
class JavaCommandTests {

	@Test
	void commandsTheCacheCannotRewriteAreLeftAlone() {
		assertThat(JavaCommand.parse(List.of("/jdk/bin/java", "-m", "app/com.example.Main")).obstacle())
			.contains("module");
		assertThat(JavaCommand.parse(List.of("/jdk/bin/java", "@args", "Main")).obstacle()).contains("argument file");
		assertThat(JavaCommand.parse(List.of("/jdk/bin/java", "-Xshare:off", "-jar", "a.jar")).obstacle())
			.contains("-Xshare:off");
		assertThat(
				JavaCommand.parse(List.of("/jdk/bin/java", "-XX:SharedArchiveFile=x.jsa", "-jar", "a.jar")).obstacle())
			.contains("class-data sharing");
		assertThat(JavaCommand.parse(List.of("/jdk/bin/java", "-Xmx1g")).obstacle()).contains("no main class");
	}

	@Test
	void otherCommandsTheCacheLeavesAlone() {
		assertThat(JavaCommand.parse(List.of("/jdk/bin/java")).obstacle()).contains("no main class");
		assertThat(JavaCommand.parse(List.of("/jdk/bin/java", "-Xmx1g", "-jar")).obstacle())
			.isEqualTo("-jar without a jar");
		assertThat(JavaCommand.parse(List.of("/jdk/bin/java", "--module=app/com.example.Main")).obstacle())
			.isEqualTo("a module is launched (--module=app/com.example.Main)");
		assertThat(JavaCommand.parse(List.of("/jdk/bin/java", "-XX:AOTCache=x.aot", "Main")).obstacle())
			.isEqualTo("the command sets its own class-data sharing (-XX:AOTCache=x.aot)");
		assertThat(JavaCommand.parse(List.of("/jdk/bin/java", "-XX:ArchiveClassesAtExit=x.jsa", "Main")).obstacle())
			.contains("class-data sharing");
		assertThat(JavaCommand.parse(List.of("/jdk/bin/java", "-Xshare:dump")).obstacle())
			.contains("class-data sharing");
	}

	@Test
	void anExecutableJarIsMadeAbsoluteAndKeepsItsArguments() {
		JavaCommand command = parse("/jdk/bin/java", "-Xmx256m", "-jar", "app.jar", "--a=1", "-jar", "b");
		assertThat(command.java()).isEqualTo("/jdk/bin/java");
		assertThat(command.jvmOptions()).containsExactly("-Xmx256m");
		assertThat(command.jar()).isEqualTo(Path.of("app.jar").toAbsolutePath());
		assertThat(command.tail()).containsExactly("--a=1", "-jar", "b");
		assertThat(command.classPath()).containsExactly(Path.of("app.jar").toAbsolutePath());
	}

	@Test
	void theValueOfAnOptionIsNotTakenForTheMainClass() {
		JavaCommand command = parse("/jdk/bin/java", "--add-modules", "java.sql", "-p", "mods", "-Dx=1",
				"com.example.Main", "arg");
		assertThat(command.jar()).isNull();
		assertThat(command.jvmOptions()).containsExactly("--add-modules", "java.sql", "-p", "mods", "-Dx=1");
		assertThat(command.tail()).containsExactly("com.example.Main", "arg");
		assertThat(command.classPath()).as("no class path option").isEmpty();
	}

	@Test
	void theLastClassPathOptionWinsAndEmptyEntriesAreDropped() {
		JavaCommand command = parse("/jdk/bin/java", "-cp", "/old.jar", "--class-path", "/a.jar::/b.jar", "Main");
		assertThat(command.classPath()).containsExactly(Path.of("/a.jar"), Path.of("/b.jar"));
		assertThat(parse("/jdk/bin/java", "-classpath", "/c.jar", "Main").classPath())
			.containsExactly(Path.of("/c.jar"));
	}

}
