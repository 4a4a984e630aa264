package dev.samboot.sam.internal.cache;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A {@code java} command taken apart, so that the cache can put its own option among the
 * JVM options and swap an executable jar for the extracted one without touching anything
 * else.
 *
 * @param java the executable
 * @param jvmOptions the options before the jar or main class, class path included
 * @param jar the jar of {@code -jar}, or {@code null} for a main class
 * @param tail the arguments after the jar, or the main class and its arguments
 */
record JavaCommand(String java, List<String> jvmOptions, Path jar, List<String> tail) {

	/**
	 * Options that take the next word as their value (the {@code java} launcher's):
	 * without them the value, such as a class path, would be taken for the main class.
	 */
	private static final Set<String> OPTIONS_WITH_VALUE = Set.of("-cp", "-classpath", "--class-path", "-p",
			"--module-path", "--upgrade-module-path", "--add-modules", "--limit-modules", "--add-reads",
			"--add-exports", "--add-opens", "--patch-module", "--enable-native-access", "--source");

	/**
	 * Take a command apart. Commands whose class path the cache cannot know (a module, an
	 * argument file) or that choose their own class-data sharing are refused rather than
	 * guessed at: the cache must never change what the application runs.
	 * @param command the command
	 * @return the parts, or why the cache cannot be used with it
	 */
	static Parsed parse(List<String> command) {
		if (command.size() < 2) {
			return new Parsed(null, "the command has no main class or jar");
		}
		List<String> options = new ArrayList<>();
		for (int i = 1; i < command.size(); i++) {
			String word = command.get(i);
			if (word.equals("-jar")) {
				if (i + 1 >= command.size()) {
					return new Parsed(null, "-jar without a jar");
				}
				return new Parsed(new JavaCommand(command.get(0), options, Path.of(command.get(i + 1)).toAbsolutePath(),
						List.copyOf(command.subList(i + 2, command.size()))), null);
			}
			if (word.equals("-m") || word.equals("--module") || word.startsWith("--module=")) {
				return new Parsed(null, "a module is launched (" + word + ")");
			}
			if (word.startsWith("@")) {
				return new Parsed(null, "the command reads an argument file (" + word + ")");
			}
			if (word.startsWith("-XX:SharedArchiveFile") || word.startsWith("-XX:ArchiveClassesAtExit")
					|| word.startsWith("-XX:AOT") || word.equals("-Xshare:off") || word.equals("-Xshare:dump")) {
				return new Parsed(null, "the command sets its own class-data sharing (" + word + ")");
			}
			if (!word.startsWith("-")) {
				return new Parsed(
						new JavaCommand(command.get(0), options, null, List.copyOf(command.subList(i, command.size()))),
						null);
			}
			options.add(word);
			if (OPTIONS_WITH_VALUE.contains(word) && i + 1 < command.size()) {
				options.add(command.get(++i));
			}
		}
		return new Parsed(null, "the command has no main class or jar");
	}

	/**
	 * The class path of a main-class command, or the jar: the files the archive is built
	 * from, and so part of the cache key. The last class path option wins, as with the
	 * launcher.
	 * @return the entries
	 */
	List<Path> classPath() {
		if (this.jar != null) {
			return List.of(this.jar);
		}
		List<Path> entries = new ArrayList<>();
		for (int i = 0; i < this.jvmOptions.size() - 1; i++) {
			String option = this.jvmOptions.get(i);
			if (option.equals("-cp") || option.equals("-classpath") || option.equals("--class-path")) {
				entries.clear();
				for (String entry : this.jvmOptions.get(i + 1).split(File.pathSeparator)) {
					if (!entry.isEmpty()) {
						entries.add(Path.of(entry));
					}
				}
			}
		}
		return entries;
	}

	/**
	 * The result of {@link JavaCommand#parse}.
	 *
	 * @param command the parts, or {@code null}
	 * @param obstacle why there are none
	 */
	record Parsed(JavaCommand command, String obstacle) {
	}

}
