package dev.samboot.sam;

import java.util.Locale;
import java.util.Map;

/**
 * POSIX signal numbers and names as Linux defines them, and parsing of the forms users
 * write ({@code TERM}, {@code SIGUSR1}, {@code 10}).
 */
public final class Signals {

	public static final int SIGHUP = 1;

	public static final int SIGINT = 2;

	public static final int SIGQUIT = 3;

	public static final int SIGKILL = 9;

	public static final int SIGUSR1 = 10;

	public static final int SIGUSR2 = 12;

	public static final int SIGTERM = 15;

	/** The highest real-time signal on Linux; valid signals are 1 to this. */
	public static final int MAX_SIGNAL = 64;

	private static final Map<String, Integer> BY_NAME = Map.ofEntries(Map.entry("HUP", 1), Map.entry("INT", 2),
			Map.entry("QUIT", 3), Map.entry("ILL", 4), Map.entry("TRAP", 5), Map.entry("ABRT", 6), Map.entry("BUS", 7),
			Map.entry("FPE", 8), Map.entry("KILL", 9), Map.entry("USR1", 10), Map.entry("SEGV", 11),
			Map.entry("USR2", 12), Map.entry("PIPE", 13), Map.entry("ALRM", 14), Map.entry("TERM", 15),
			Map.entry("STKFLT", 16), Map.entry("CHLD", 17), Map.entry("CONT", 18), Map.entry("STOP", 19),
			Map.entry("TSTP", 20), Map.entry("TTIN", 21), Map.entry("TTOU", 22), Map.entry("URG", 23),
			Map.entry("XCPU", 24), Map.entry("XFSZ", 25), Map.entry("VTALRM", 26), Map.entry("PROF", 27),
			Map.entry("WINCH", 28), Map.entry("IO", 29), Map.entry("PWR", 30), Map.entry("SYS", 31));

	private Signals() {
	}

	/**
	 * Whether the number is a signal that can be sent (1 to 64).
	 * @param signal a signal number
	 * @return whether it is valid
	 */
	public static boolean isValid(int signal) {
		return signal >= 1 && signal <= MAX_SIGNAL;
	}

	/**
	 * Parse a signal written as a name ({@code TERM}, {@code SIGTERM}, any case) or a
	 * number.
	 * @param text the signal
	 * @return its number
	 * @throws IllegalArgumentException if it is neither a known name nor a number from 1
	 * to 64
	 */
	public static int parse(String text) {
		String trimmed = (text != null) ? text.trim().toUpperCase(Locale.ROOT) : "";
		if (!trimmed.isEmpty() && trimmed.chars().allMatch(Character::isDigit)) {
			int number = (trimmed.length() <= 3) ? Integer.parseInt(trimmed) : -1;
			if (isValid(number)) {
				return number;
			}
			throw new IllegalArgumentException("Signal number " + text + " is outside 1-" + MAX_SIGNAL);
		}
		String name = trimmed.startsWith("SIG") ? trimmed.substring(3) : trimmed;
		Integer number = BY_NAME.get(name);
		if (number == null) {
			throw new IllegalArgumentException("Unknown signal '" + text + "'; use a name such as TERM, SIGUSR1 "
					+ "or a number from 1 to " + MAX_SIGNAL);
		}
		return number;
	}

	/**
	 * Return the usual name of a signal, such as {@code SIGTERM}, or {@code SIG<n>} for
	 * numbers without one.
	 * @param signal the signal number
	 * @return its name
	 */
	public static String name(int signal) {
		for (Map.Entry<String, Integer> entry : BY_NAME.entrySet()) {
			if (entry.getValue() == signal) {
				return "SIG" + entry.getKey();
			}
		}
		return "SIG" + signal;
	}

}
