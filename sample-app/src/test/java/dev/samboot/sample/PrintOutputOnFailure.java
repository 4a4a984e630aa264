package dev.samboot.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Prints the output of the processes a test started when it fails, so that a failure on
 * CI can be read without the files under {@code target/e2e/}.
 */
class PrintOutputOnFailure implements BeforeEachCallback, TestWatcher {

	private static final int MAX_LINES = 400;

	@Override
	public void beforeEach(ExtensionContext context) {
		SampleAppProcess.beginTest();
	}

	@Override
	public void testFailed(ExtensionContext context, Throwable cause) {
		for (Path output : SampleAppProcess.outputsOfThisTest()) {
			StringBuilder text = new StringBuilder();
			text.append("===== ")
				.append(context.getDisplayName())
				.append(" failed; output of ")
				.append(output)
				.append(" =====\n");
			try {
				List<String> lines = Files.readAllLines(output);
				if (lines.size() > MAX_LINES) {
					text.append("(first ").append(lines.size() - MAX_LINES).append(" lines left out)\n");
				}
				lines.subList(Math.max(0, lines.size() - MAX_LINES), lines.size())
					.forEach((line) -> text.append(line).append('\n'));
			}
			catch (IOException ex) {
				text.append("cannot read it: ").append(ex).append('\n');
			}
			System.out.print(text);
		}
	}

}
