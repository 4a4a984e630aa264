package dev.samboot.sam.internal.cache;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the start-up cache's tests share: commands that must parse, and fake JDKs (a
 * {@code bin/java} and a {@code release} file) in a temporary directory.
 */
final class CacheFixtures {

	private CacheFixtures() {
	}

	static JavaCommand parse(String... command) {
		JavaCommand.Parsed parsed = JavaCommand.parse(List.of(command));
		assertThat(parsed.obstacle()).isNull();
		return parsed.command();
	}

	static Path jdk(Path home, String version) throws IOException {
		Files.createDirectories(home.resolve("bin"));
		if (!Files.exists(home.resolve("bin/java"))) {
			Files.writeString(home.resolve("bin/java"), "");
		}
		Files.writeString(home.resolve("release"), "JAVA_VERSION=\"" + version + "\"\n");
		return home;
	}

	/**
	 * A fake JDK whose {@code java} is a shell script: it writes the archive a training
	 * step names ({@code -XX:ArchiveClassesAtExit=} or {@code -XX:AOTCache=}), extracts a
	 * jar into {@code --destination} as an empty file of the same name, and fails with
	 * {@code status} if that is not 0.
	 */
	static Path scriptedJdk(Path home, String version, int status) throws IOException {
		jdk(home, version);
		Path java = home.resolve("bin/java");
		Files.writeString(java, """
				#!/bin/sh
				echo "java $*"
				[ %d -eq 0 ] || exit %d
				jar=
				while [ $# -gt 0 ]; do
				  case "$1" in
				    -XX:ArchiveClassesAtExit=*) printf archive > "${1#-XX:ArchiveClassesAtExit=}" ;;
				    -XX:AOTCache=*) printf archive > "${1#-XX:AOTCache=}" ;;
				    -jar) jar="$2" ;;
				    --destination) mkdir -p "$2" && : > "$2/${jar##*/}" ;;
				  esac
				  shift
				done
				""".formatted(status, status));
		java.toFile().setExecutable(true);
		return home;
	}

}
