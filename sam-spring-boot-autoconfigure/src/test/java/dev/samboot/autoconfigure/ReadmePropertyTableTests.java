package dev.samboot.autoconfigure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The property table of the README ({@code ### Properties}) and the configuration
 * metadata name the same {@code sam.*} properties: a property added to the code without a
 * row, or a row left for a property that went, fails here.
 */
class ReadmePropertyTableTests {

	/** The README at the repository's root, from this module's directory. */
	private static final Path README = Path.of("..", "README.md");

	private static final Pattern CODE = Pattern.compile("`([^`]+)`");

	@Test
	void theTableNamesEveryPropertyOfTheMetadataAndNoOther() throws IOException {
		assertThat(README).as("the README beside this module").isRegularFile();
		Set<String> table = tableProperties(Files.readAllLines(README, StandardCharsets.UTF_8));
		Set<String> metadata = ConfigurationMetadata.load().samPropertyNames();
		Set<String> missing = new TreeSet<>(metadata);
		missing.removeAll(table);
		Set<String> extra = new TreeSet<>(table);
		extra.removeAll(metadata);
		assertThat(missing).as("properties of the metadata without a row in the README's table").isEmpty();
		assertThat(extra).as("rows of the README's table for properties the metadata does not have").isEmpty();
	}

	@Test
	void readsRowsThatNameSeveralProperties() {
		List<String> lines = List.of("### Properties", "", "| property | default | what |", "|---|---|---|",
				"| `sam.interval` | `5s` | T. |", "| `sam.restart.backoff.max` / `multiplier` / `jitter` | | |",
				"| `sam.restart.exit-codes` / `sam.quit.exit-codes` | | |", "", "Text with `sam.elsewhere`.",
				"### Beans", "| `sam.not-a-property` | | |");
		assertThat(tableProperties(lines)).containsExactlyInAnyOrder("sam.interval", "sam.restart.backoff.max",
				"sam.restart.backoff.multiplier", "sam.restart.backoff.jitter", "sam.restart.exit-codes",
				"sam.quit.exit-codes");
	}

	/**
	 * The properties the table's first column names. A row may name several:
	 * {@code `sam.restart.backoff.max` / `multiplier`} is {@code sam.restart.backoff.max}
	 * and {@code sam.restart.backoff.multiplier}; a name that starts with {@code sam.} is
	 * a full one.
	 * @param lines the README
	 * @return the names
	 */
	static Set<String> tableProperties(List<String> lines) {
		int start = lines.indexOf("### Properties");
		assertThat(start).as("the README's ### Properties section").isNotNegative();
		Set<String> names = new TreeSet<>();
		for (int i = start + 1; i < lines.size() && !lines.get(i).startsWith("#"); i++) {
			String line = lines.get(i);
			if (!line.startsWith("| `sam.")) {
				continue;
			}
			String cell = line.substring(1, line.indexOf('|', 1));
			List<String> words = new ArrayList<>();
			Matcher matcher = CODE.matcher(cell);
			while (matcher.find()) {
				words.add(matcher.group(1).trim());
			}
			String first = words.get(0);
			String parent = first.substring(0, first.lastIndexOf('.') + 1);
			for (String word : words) {
				names.add(word.startsWith("sam.") ? word : parent + word);
			}
		}
		return names;
	}

}
