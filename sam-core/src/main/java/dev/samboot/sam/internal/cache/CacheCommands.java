package dev.samboot.sam.internal.cache;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code java} commands of the cache: the one that starts an instance with it and the
 * ones that train it. Each keeps the plain command's JVM options and class path: the JVM
 * checks an archive against the class path and some of the options it was made with, and
 * an instance must run as it would without the cache.
 */
final class CacheCommands {

	private CacheCommands() {
	}

	/**
	 * The JVM option that uses an archive.
	 * @param kind the kind of cache
	 * @param archive the archive
	 * @return the option
	 */
	static String useOption(CacheKind kind, Path archive) {
		return (kind == CacheKind.AOT) ? "-XX:AOTCache=" + archive : "-XX:SharedArchiveFile=" + archive;
	}

	/**
	 * The command that starts an instance with the cache: the same JVM options, the
	 * option that uses the archive, and the extracted jar in place of an executable jar.
	 * @param command the plain command
	 * @param directory the cache directory
	 * @return the command
	 */
	static List<String> cached(JavaCommand command, CacheDirectory directory) {
		List<String> result = new ArrayList<>();
		result.add(command.java());
		result.add(useOption(directory.kind(), directory.archive()));
		result.addAll(jvmOptions(command, directory));
		addMain(result, command, directory);
		result.addAll(command.tail());
		return result;
	}

	/**
	 * The command that extracts an executable jar into the cache directory (Spring Boot's
	 * {@code jarmode=tools}), because classes in nested jars cannot be archived.
	 * @param command the plain command, with a jar
	 * @param directory the cache directory
	 * @return the command
	 */
	static List<String> extraction(JavaCommand command, CacheDirectory directory) {
		return List.of(command.java(), "-Djarmode=tools", "-jar", command.jar().toString(), "extract", "--destination",
				directory.extracted().toString());
	}

	/**
	 * The commands of a training: for the dynamic archive one run that writes it when it
	 * exits ({@code -XX:ArchiveClassesAtExit}); for the AOT cache a run that records the
	 * configuration ({@code -XX:AOTMode=record}) and one that creates the cache from it
	 * ({@code -XX:AOTMode=create}, which does not run the application). The archive is
	 * written to a temporary name, so that an instance never starts with half of one.
	 * @param command the plain command
	 * @param directory the cache directory
	 * @param trainingJvmOptions JVM options of the training run
	 * @param trainingArguments arguments appended to the training run
	 * @return the commands, run one after the other
	 */
	static List<List<String>> training(JavaCommand command, CacheDirectory directory, List<String> trainingJvmOptions,
			List<String> trainingArguments) {
		List<List<String>> steps = new ArrayList<>();
		List<String> run = new ArrayList<>();
		run.add(command.java());
		if (directory.kind() == CacheKind.AOT) {
			run.add("-XX:AOTMode=record");
			run.add("-XX:AOTConfiguration=" + directory.configuration());
		}
		else {
			run.add("-XX:ArchiveClassesAtExit=" + directory.temporaryArchive());
		}
		run.addAll(jvmOptions(command, directory));
		run.addAll(trainingJvmOptions);
		addMain(run, command, directory);
		run.addAll(command.tail());
		run.addAll(trainingArguments);
		steps.add(run);
		if (directory.kind() == CacheKind.AOT) {
			// the training options are left out: the creation step does not run the
			// application
			List<String> create = new ArrayList<>();
			create.add(command.java());
			create.add("-XX:AOTMode=create");
			create.add("-XX:AOTConfiguration=" + directory.configuration());
			create.add("-XX:AOTCache=" + directory.temporaryArchive());
			create.addAll(jvmOptions(command, directory));
			addMain(create, command, directory);
			steps.add(create);
		}
		return steps;
	}

	/**
	 * The command's JVM options beside the cache's. {@code -Xshare:auto}, the JVM's
	 * default, is left out of the AOT commands: JDK 24 and later refuse
	 * {@code -XX:AOTConfiguration} and {@code -XX:AOTCache} beside any {@code -Xshare}
	 * option ("cannot be used at the same time"), and without it the JVM behaves the
	 * same.
	 */
	private static List<String> jvmOptions(JavaCommand command, CacheDirectory directory) {
		if (directory.kind() != CacheKind.AOT) {
			return command.jvmOptions();
		}
		return command.jvmOptions().stream().filter((option) -> !option.equals("-Xshare:auto")).toList();
	}

	/** The extracted jar for an executable jar; a main class is in the command's tail. */
	private static void addMain(List<String> result, JavaCommand command, CacheDirectory directory) {
		if (command.jar() != null) {
			result.add("-jar");
			result.add(directory.extractedJar(command.jar()).toString());
		}
	}

}
