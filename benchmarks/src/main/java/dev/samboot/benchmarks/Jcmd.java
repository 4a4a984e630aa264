package dev.samboot.benchmarks;

import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Asks a running JVM about its memory with the JDK's {@code jcmd}. Attaching starts a
 * thread and opens a socket in the target, so this is done only after a figure has been
 * read from it.
 */
final class Jcmd {

	private final String jcmd;

	private final long pid;

	Jcmd(Jdk jdk, long pid) {
		this.jcmd = jdk.home().resolve("bin/jcmd").toString();
		this.pid = pid;
	}

	/**
	 * Describe the heap in use and the classes loaded.
	 * @return such as "heap 12.3 MB used of 256.0 MB committed, 5012 classes loaded"
	 */
	String memory() throws IOException, InterruptedException {
		String info = run("GC.heap_info");
		String heap = heapLine(info);
		String committed = megabytes(heap, "committed (\\d+)K");
		String counters = run("PerfCounter.print");
		return String.format(Locale.ROOT, "heap %s used of %s committed, %s classes loaded",
				megabytes(heap, "used (\\d+)K"), committed.equals("?") ? megabytes(heap, "total (\\d+)K") : committed,
				find(counters, "java.cls.loadedClasses=(\\d+)"));
	}

	/**
	 * The first line of GC.heap_info, which sums up the heap ("total" on JDK 17,
	 * "committed" later).
	 */
	private static String heapLine(String info) {
		return info.lines().filter((line) -> line.contains("heap")).findFirst().orElse("");
	}

	/**
	 * Return the heap in use.
	 * @return such as "12.3 MB"
	 */
	String heapUsed() throws IOException, InterruptedException {
		return megabytes(heapLine(run("GC.heap_info")), "used (\\d+)K");
	}

	void fullGc() throws IOException, InterruptedException {
		run("GC.run");
	}

	private static String megabytes(String text, String regex) {
		String kb = find(text, regex);
		return kb.equals("?") ? kb : String.format(Locale.ROOT, "%.1f MB", Long.parseLong(kb) / 1024.0);
	}

	private static String find(String text, String regex) {
		Matcher matcher = Pattern.compile(regex).matcher(text);
		return matcher.find() ? matcher.group(1) : "?";
	}

	private String run(String command) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(this.jcmd, Long.toString(this.pid), command).redirectErrorStream(true)
			.start();
		try {
			String output = new String(process.getInputStream().readAllBytes());
			process.waitFor(30, TimeUnit.SECONDS);
			return output;
		}
		finally {
			process.destroyForcibly();
		}
	}

}
