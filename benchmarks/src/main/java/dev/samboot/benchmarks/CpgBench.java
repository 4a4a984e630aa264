package dev.samboot.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import dev.samboot.corosync.RunningCorosync;

/**
 * CPG messaging on the running corosync, through samboot's Java binding and, beside it in
 * the same run, through libcpg from C: {@link CpgClient} (on the primary JDK) and
 * {@code benchmarks/cpg/cpgbench.c} (built by {@code benchmarks/run.sh} with gcc) measure
 * the same things, agreed-order throughput with self-delivery and the round trip of one
 * message, for 64 B, 1 KiB and 64 KiB messages, one client after the other, each in
 * groups of its own. Their lines become the figures of two columns, the JDK's and
 * {@value #C_LABEL}. Without a corosync to reach the stage measures nothing and says why.
 */
final class CpgBench {

	/** The column of the C client's figures. */
	static final String C_LABEL = "c-libcpg";

	/** The column of the Java client run with its heap touched at start-up. */
	static final String PRETOUCH_LABEL = "%s-pretouch";

	/** The sizes as the figures name them. */
	static final List<String> SIZES = List.of("64b", "1kib", "64kib");

	private static final Pattern FIGURE = Pattern.compile("(cpg_\\S+) (\\S+) (\\S+)");

	private final Context context;

	private final Jdk jdk;

	CpgBench(Context context, Jdk jdk) {
		this.context = context;
		this.jdk = jdk;
	}

	/** A client and the column of its figures. */
	private record Client(String label, List<String> command) {
	}

	/**
	 * Measure the clients, in rounds that take turns, so that a busy spell of the machine
	 * does not fall on one client only; each figure is the median over the rounds.
	 * @param rounds how many times each client runs
	 * @param seconds how long each throughput figure sends, per round
	 * @param roundTrips round trips per size, per round
	 * @param cClient the C client, or {@code null}
	 * @param cMissing why there is no C client, when there is none
	 * @param required whether the stage fails, rather than notes it, without corosync
	 */
	void run(int rounds, double seconds, int roundTrips, Path cClient, String cMissing, boolean required)
			throws IOException, InterruptedException {
		Results results = this.context.results();
		String unreachable = RunningCorosync.cpgUnavailableReason();
		if (unreachable != null) {
			if (required) {
				throw new IllegalStateException("corosync cannot be reached: " + unreachable);
			}
			results.note("cpg: not measured, corosync cannot be reached (%s)", unreachable);
			return;
		}
		String group = "samboot-bench-" + ProcessHandle.current().pid() + "-"
				+ Integer.toHexString(ThreadLocalRandom.current().nextInt());
		String time = Double.toString(seconds);
		String count = Integer.toString(roundTrips);
		List<Client> clients = new ArrayList<>();
		clients.add(new Client(this.jdk.label(), List.of(this.jdk.java(), "-cp", this.context.classPath(),
				CpgClient.class.getName(), group + "-java", time, count)));
		clients
			.add(new Client(PRETOUCH_LABEL.formatted(this.jdk.label()), List.of(this.jdk.java(), "-XX:+AlwaysPreTouch",
					"-cp", this.context.classPath(), CpgClient.class.getName(), group + "-pretouch", time, count)));
		if (cClient != null) {
			clients.add(new Client(C_LABEL, List.of(cClient.toString(), group + "-c", time, count)));
		}
		else {
			results.note("cpg: the C client was not measured: %s", cMissing);
		}
		Map<String, Map<String, List<Results.Figure>>> measured = new LinkedHashMap<>();
		for (int round = 1; round <= rounds; round++) {
			for (Client client : clients) {
				String name = "cpg-" + client.label() + "-" + round;
				for (Results.Figure figure : measure(name, client.command(), seconds).values()) {
					measured.computeIfAbsent(client.label(), (key) -> new LinkedHashMap<>())
						.computeIfAbsent(figure.name(), (key) -> new ArrayList<>())
						.add(figure);
				}
			}
		}
		measured.forEach((label, figures) -> figures.forEach((name, values) -> {
			Results.Figure first = values.get(0);
			double median = Stats.median(values.stream().map(Results.Figure::value).toList());
			results.put(label, name, median, first.unit(), first.decimals());
		}));
		results.note("cpg: %d round(s) of each client taking turns, each figure the median over them; per round "
				+ "%.1f s of sending per throughput figure after 0.5 s of warm-up, %d round trips per size after %d "
				+ "of warm-up; Java on %s with the default options (%s: with -XX:+AlwaysPreTouch), C built with "
				+ "gcc -O2 against libcpg", rounds, seconds, roundTrips, roundTrips / 5, this.jdk.label(),
				PRETOUCH_LABEL.formatted(this.jdk.label()));
		for (String size : SIZES) {
			StringBuilder line = new StringBuilder("cpg " + size + ":");
			for (Client client : clients) {
				Map<String, List<Results.Figure>> figures = measured.getOrDefault(client.label(), Map.of());
				line.append(String.format(Locale.ROOT, " %s %s msgs/s, round trip p50 %s us;", client.label(),
						values(figures.get("cpg_" + size + "_msgs_per_s")),
						values(figures.get("cpg_" + size + "_rtt_p50_us"))));
			}
			results.note("%s", line.substring(0, line.length() - 1) + " (each round)");
		}
	}

	private static String values(List<Results.Figure> figures) {
		if (figures == null) {
			return "?";
		}
		return figures.stream().map(Results.Figure::formatted).collect(Collectors.joining("/"));
	}

	private Map<String, Results.Figure> measure(String name, List<String> command, double seconds)
			throws IOException, InterruptedException {
		Path log = this.context.log(name);
		Process process = this.context.processes().start(command, log);
		long timeout = (long) (SIZES.size() * (seconds + 0.5) + 180);
		try {
			if (!process.waitFor(timeout, TimeUnit.SECONDS)) {
				throw new IllegalStateException(name + " did not finish within " + timeout + " s; see " + log);
			}
		}
		finally {
			this.context.processes().kill(process.toHandle());
		}
		if (process.exitValue() != 0) {
			throw new IllegalStateException(name + " exited with status " + process.exitValue() + "; see " + log);
		}
		Map<String, Results.Figure> figures = new LinkedHashMap<>();
		for (String line : Files.readAllLines(log)) {
			Matcher matcher = FIGURE.matcher(line.trim());
			if (matcher.matches()) {
				String unit = matcher.group(3);
				int decimals = switch (unit) {
					case "us", "MB/s" -> 1;
					default -> 0;
				};
				figures.put(matcher.group(1),
						new Results.Figure(matcher.group(1), Double.parseDouble(matcher.group(2)), unit, decimals));
			}
		}
		if (figures.isEmpty()) {
			throw new IllegalStateException(name + " printed no figure; see " + log);
		}
		return figures;
	}

}
