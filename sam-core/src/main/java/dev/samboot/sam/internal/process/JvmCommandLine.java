package dev.samboot.sam.internal.process;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The command that started this JVM, so the supervisor can start "the same program
 * again": the same {@code java}, JVM options, class path or jar, main class and
 * arguments. Options from {@code JDK_JAVA_OPTIONS} and {@code JAVA_TOOL_OPTIONS} are not
 * part of it: they reach the new JVM through the inherited environment.
 */
public final class JvmCommandLine {

	private static final Path PROC_CMDLINE = Path.of("/proc/self/cmdline");

	private JvmCommandLine() {
	}

	/**
	 * Return the command line of this JVM, with the first word replaced by the absolute
	 * path of its {@code java} executable.
	 * @return the command, never empty
	 */
	public static List<String> current() {
		String java = javaExecutable();
		if (Files.isReadable(PROC_CMDLINE)) {
			try {
				List<String> args = parseProcCmdline(Files.readAllBytes(PROC_CMDLINE), Charset.defaultCharset());
				if (!args.isEmpty()) {
					args.set(0, java);
					return args;
				}
			}
			catch (IOException ex) {
				// fall back to what the JVM reports
			}
		}
		return fromJvmProperties(java);
	}

	/**
	 * Split the NUL-separated contents of {@code /proc/<pid>/cmdline}. Read this rather
	 * than {@code ProcessHandle.info().arguments()}, which comes back empty for command
	 * lines longer than about 4 KB (long class paths).
	 * @param bytes the file's contents
	 * @param charset the platform charset the arguments were written in
	 * @return the arguments, the executable first
	 */
	static List<String> parseProcCmdline(byte[] bytes, Charset charset) {
		List<String> args = new ArrayList<>();
		int start = 0;
		for (int i = 0; i < bytes.length; i++) {
			if (bytes[i] == 0) {
				args.add(new String(bytes, start, i - start, charset));
				start = i + 1;
			}
		}
		if (start < bytes.length) {
			args.add(new String(bytes, start, bytes.length - start, charset));
		}
		return args;
	}

	private static List<String> fromJvmProperties(String java) {
		List<String> args = new ArrayList<>();
		args.add(java);
		args.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
		String command = System.getProperty("sun.java.command", "");
		List<String> words = new ArrayList<>(Arrays.asList(command.split(" ")));
		if (!words.isEmpty() && words.get(0).endsWith(".jar")) {
			args.add("-jar");
		}
		else {
			args.add("-cp");
			args.add(System.getProperty("java.class.path"));
		}
		args.addAll(words);
		return args;
	}

	private static String javaExecutable() {
		Optional<String> command = ProcessHandle.current().info().command();
		return command.isPresent() ? command.get() : Path.of(System.getProperty("java.home"), "bin", "java").toString();
	}

}
