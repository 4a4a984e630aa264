package dev.samboot.sam.internal.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.samboot.sam.SupervisedRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link NativeExec} in JVMs of its own, since jffi loads its stub library once per JVM.
 */
@Timeout(60)
class NativeExecTests {

	@Test
	void theStubIsUnpackedIntoTheGivenDirectoryAndJffisPropertiesArePutBack(@TempDir Path directory) throws Exception {
		String output = run(directory);
		assertThat(output).contains("jffi.extract.dir=null").contains("jffi.extract.name=null");
		assertThat(directory.resolve(NativeExec.STUB_NAME + ".so")).isRegularFile();
		assertThat(output).doesNotContain("failed");
	}

	@Test
	void anApplicationsOwnExtractDirectoryIsLeftAlone(@TempDir Path directory) throws Exception {
		Path own = Files.createDirectory(directory.resolve("own"));
		Path given = Files.createDirectory(directory.resolve("given"));
		String output = run(given, "-Djffi.extract.dir=" + own);
		assertThat(output).contains("jffi.extract.dir=" + own).contains("jffi.extract.name=null");
		assertThat(given).isEmptyDirectory();
		assertThat(output).doesNotContain("failed");
	}

	private static String run(Path directory, String... jvmOptions) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(SupervisedRun.javaCommand());
		command.addAll(List.of(jvmOptions));
		command.addAll(List.of("-cp", SupervisedRun.testClassPath(), Prepare.class.getName(), directory.toString()));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		try {
			assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			assertThat(process.exitValue()).as(output).isZero();
			return output;
		}
		finally {
			process.destroyForcibly();
		}
	}

	/** Prepares {@code execv} with the directory given, and prints jffi's properties. */
	static final class Prepare {

		public static void main(String[] args) {
			try {
				NativeExec.prepare(Path.of(args[0]));
			}
			catch (IOException | RuntimeException ex) {
				System.out.println("prepare failed: " + ex);
			}
			System.out.println(NativeExec.EXTRACT_DIR + "=" + System.getProperty(NativeExec.EXTRACT_DIR));
			System.out.println(NativeExec.EXTRACT_NAME + "=" + System.getProperty(NativeExec.EXTRACT_NAME));
		}

	}

}
