package dev.samboot.benchmarks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What every measurement needs: where to write, what to run, and the processes and
 * reports it shares with the others.
 *
 * @param out the results directory (logs under {@code logs/})
 * @param appJar the sample application's executable jar
 * @param classPath the class path of the probe and sleeper programs
 * @param quick whether this is the short run
 * @param processes every process started or learned of
 * @param probes where probe instances report
 * @param results the figures
 */
record Context(Path out, Path appJar, String classPath, boolean quick, Processes processes, ProbeServer probes,
		Results results) {

	Path log(String name) {
		return this.out.resolve("logs").resolve(name + ".log");
	}

	/**
	 * The sample application's command on a JDK, on a loopback port.
	 * @param jdk the JDK
	 * @param port the HTTP port
	 * @param args further program arguments
	 * @return the command
	 */
	List<String> sampleApp(Jdk jdk, int port, String... args) {
		List<String> command = new ArrayList<>(List.of(jdk.java(), "-jar", this.appJar.toString(),
				"--server.port=" + port, "--server.address=127.0.0.1"));
		command.addAll(List.of(args));
		return command;
	}

	/**
	 * A program of this module's class path on a JDK, with default JVM options.
	 * @param jdk the JDK
	 * @param mainClass the main class
	 * @param args its arguments
	 * @return the command
	 */
	List<String> program(Jdk jdk, Class<?> mainClass, String... args) {
		List<String> command = new ArrayList<>(List.of(jdk.java(), "-cp", this.classPath, mainClass.getName()));
		command.addAll(List.of(args));
		return command;
	}

}
