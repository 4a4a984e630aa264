package dev.samboot.autoconfigure.metrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.samboot.sam.InProcessSupervisor;
import dev.samboot.sam.RecoveryPolicy;
import dev.samboot.sam.Sam;
import dev.samboot.sam.SwitchedQuorumSource;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The meter table of the README ({@code ### Metrics}) names the meters {@link SamMetrics}
 * registers, with their types and Prometheus names, and every meter has a description: a
 * meter added, renamed or retyped without its row fails here.
 */
@Timeout(30)
class ReadmeMeterTableTests {

	private static final Path README = Path.of("..", "README.md");

	/** A row: the meter, its (first) Prometheus name, its type. */
	private static final Pattern ROW = Pattern.compile("^\\| `(sam\\.[a-z.]+)` \\| `([a-z_]+)`[^|]*\\| ([^|]+)\\|");

	@Test
	void everyMeterHasItsRowWithTypeAndPrometheusNameAndADescription() throws Exception {
		SwitchedQuorumSource quorum = new SwitchedQuorumSource();
		quorum.set(true);
		try (InProcessSupervisor supervisor = InProcessSupervisor.startWithQuorum(Duration.ofSeconds(2),
				RecoveryPolicy.QUORUM_RESTART, quorum)) {
			Sam sam = supervisor.register();
			SimpleMeterRegistry registry = new SimpleMeterRegistry();
			new SamMetrics(sam).bindTo(registry);
			Map<String, Meter.Id> meters = new TreeMap<>();
			for (Meter meter : registry.getMeters()) {
				assertThat(meter.getId().getDescription()).as(meter.getId().getName()).isNotBlank();
				meters.put(meter.getId().getName(), meter.getId());
			}
			Map<String, String[]> rows = rows();
			assertThat(rows.keySet()).as("the README's meter table").containsExactlyElementsOf(meters.keySet());
			meters.forEach((name, id) -> {
				String[] row = rows.get(name);
				assertThat(row[1]).as("type of %s", name).startsWith(typeWord(id.getType()));
				assertThat(row[0]).as("Prometheus name of %s", name).isEqualTo(prometheusName(id));
			});
		}
	}

	private static String typeWord(Meter.Type type) {
		return switch (type) {
			case GAUGE -> "gauge";
			case COUNTER -> "counter";
			case TIMER -> "timer";
			default -> type.name().toLowerCase(Locale.ROOT);
		};
	}

	/** As Micrometer's Prometheus registry names it: the base unit, then the suffix. */
	private static String prometheusName(Meter.Id id) {
		String name = id.getName().replace('.', '_');
		String unit = (id.getType() == Meter.Type.TIMER) ? "seconds" : id.getBaseUnit();
		if (unit != null && !name.endsWith("_" + unit)) {
			name = name + "_" + unit;
		}
		return switch (id.getType()) {
			case COUNTER -> name + "_total";
			case TIMER -> name + "_count";
			default -> name;
		};
	}

	private static Map<String, String[]> rows() throws IOException {
		List<String> lines = Files.readAllLines(README, StandardCharsets.UTF_8);
		int start = lines.indexOf("### Metrics");
		assertThat(start).as("a ### Metrics section in the README").isNotNegative();
		Map<String, String[]> rows = new TreeMap<>();
		for (String line : lines.subList(start + 1, lines.size())) {
			if (line.startsWith("#")) {
				break;
			}
			Matcher row = ROW.matcher(line);
			if (row.find()) {
				rows.put(row.group(1), new String[] { row.group(2), row.group(3).trim() });
			}
		}
		return rows;
	}

}
