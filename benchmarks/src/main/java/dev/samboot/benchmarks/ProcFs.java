package dev.samboot.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads what a process uses from {@code /proc}: resident memory, open file descriptors,
 * threads and CPU time (in clock ticks of 10 ms, Linux's USER_HZ), and what it is: its
 * state, parent and command line.
 */
final class ProcFs {

	/** Linux reports CPU time in ticks of 1/100 s on every architecture (USER_HZ). */
	static final int TICKS_PER_SECOND = 100;

	private ProcFs() {
	}

	/**
	 * Return the resident set size.
	 * @param pid the process
	 * @return VmRSS in KiB, or -1 if the process is gone
	 */
	static long rssKb(long pid) {
		return statusField(pid, "VmRSS:");
	}

	private static long statusField(long pid, String field) {
		try {
			for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
				if (line.startsWith(field)) {
					return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
				}
			}
		}
		catch (IOException ex) {
			// gone
		}
		return -1;
	}

	/**
	 * Return the number of open file descriptors.
	 * @param pid the process
	 * @return the count, or -1 if the process is gone
	 */
	static int fdCount(long pid) {
		return countEntries(Path.of("/proc", Long.toString(pid), "fd"));
	}

	/**
	 * Return the number of threads.
	 * @param pid the process
	 * @return the count, or -1 if the process is gone
	 */
	static int threadCount(long pid) {
		return countEntries(Path.of("/proc", Long.toString(pid), "task"));
	}

	private static int countEntries(Path directory) {
		try (Stream<Path> entries = Files.list(directory)) {
			return (int) entries.count();
		}
		catch (IOException ex) {
			return -1;
		}
	}

	/**
	 * Return the CPU time of a whole process (every thread, dead ones included).
	 * @param pid the process
	 * @return utime + stime in ticks, or -1 if the process is gone
	 */
	static long cpuTicks(long pid) {
		return ticks(Path.of("/proc", Long.toString(pid), "stat"));
	}

	/**
	 * Return the CPU time of a whole process in milliseconds.
	 * @param pid the process
	 * @return utime + stime in milliseconds, negative if the process is gone
	 */
	static double cpuMillis(long pid) {
		return cpuTicks(pid) * 1000.0 / TICKS_PER_SECOND;
	}

	/**
	 * Return the CPU time of one thread.
	 * @param pid the process
	 * @param tid the thread
	 * @return utime + stime in ticks, or -1 if the thread is gone
	 */
	static long threadTicks(long pid, long tid) {
		return ticks(Path.of("/proc", Long.toString(pid), "task", Long.toString(tid), "stat"));
	}

	private static long ticks(Path stat) {
		try {
			String[] fields = afterCommand(Files.readString(stat));
			// fields 14 and 15 of stat(5), counted after the command's closing
			// parenthesis
			return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
		}
		catch (IOException ex) {
			return -1;
		}
	}

	private static String[] afterCommand(String stat) {
		return stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
	}

	/**
	 * Return the threads of a process by name ({@code comm}, at most 15 characters).
	 * @param pid the process
	 * @return thread name to thread id, the first of each name
	 */
	static Map<String, Long> threads(long pid) {
		Map<String, Long> byName = new LinkedHashMap<>();
		try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
			for (Path task : tasks.sorted().toList()) {
				try {
					byName.putIfAbsent(Files.readString(task.resolve("comm")).trim(),
							Long.parseLong(task.getFileName().toString()));
				}
				catch (IOException ex) {
					// the thread ended meanwhile
				}
			}
		}
		catch (IOException ex) {
			// gone
		}
		return byName;
	}

	/**
	 * Whether a process runs: it exists and is not a zombie waiting to be reaped.
	 * @param pid the process
	 * @return whether it runs
	 */
	static boolean running(long pid) {
		try {
			return afterCommand(Files.readString(Path.of("/proc", Long.toString(pid), "stat")))[0].charAt(0) != 'Z';
		}
		catch (IOException ex) {
			return false;
		}
	}

	/**
	 * Return the state of a process, the letter of {@code /proc/<pid>/stat}: R, S, D, T
	 * (stopped), Z (zombie) and so on.
	 * @param pid the process
	 * @return the letter, or 0 if the process is gone
	 */
	static char state(long pid) {
		try {
			return afterCommand(Files.readString(Path.of("/proc", Long.toString(pid), "stat")))[0].charAt(0);
		}
		catch (IOException ex) {
			return 0;
		}
	}

	/**
	 * Return the parent of a process.
	 * @param pid the process
	 * @return the parent's pid, or -1 if the process is gone
	 */
	static long parentPid(long pid) {
		try {
			return Long.parseLong(afterCommand(Files.readString(Path.of("/proc", Long.toString(pid), "stat")))[1]);
		}
		catch (IOException | RuntimeException ex) {
			return -1;
		}
	}

	/**
	 * Return the command line of a process, {@code /proc/<pid>/cmdline}.
	 * @param pid the process
	 * @return its arguments, empty if the process is gone or a zombie
	 */
	static List<String> commandLine(long pid) {
		try {
			String line = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"));
			return line.isEmpty() ? List.of() : List.of(line.split("\0"));
		}
		catch (IOException | RuntimeException ex) {
			return List.of();
		}
	}

	/**
	 * Return the pids of every process of the machine, from the entries of {@code /proc}.
	 * @return the pids
	 */
	static List<Long> pids() {
		try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
			return entries.map((entry) -> entry.getFileName().toString())
				.filter((name) -> !name.isEmpty() && name.chars().allMatch(Character::isDigit))
				.map(Long::parseLong)
				.toList();
		}
		catch (IOException ex) {
			return List.of();
		}
	}

	/**
	 * Return how long, in all, at least one runnable task has waited for a CPU: the
	 * {@code some} total of {@code /proc/pressure/cpu} (Linux pressure stall
	 * information).
	 * @return microseconds, or -1 where the kernel does not report it
	 */
	static long cpuStallMicros() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/pressure/cpu"))) {
				if (line.startsWith("some ")) {
					return Long.parseLong(line.substring(line.indexOf("total=") + 6).trim());
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			// not reported
		}
		return -1;
	}

	/**
	 * Return the machine's load average over 1, 5 and 15 minutes.
	 * @return the three figures as written in {@code /proc/loadavg}
	 */
	static String loadAverage() {
		try {
			String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
			return String.join(" ", List.of(fields).subList(0, 3));
		}
		catch (IOException ex) {
			return "?";
		}
	}

}
