package dev.samboot.sam.internal.lean;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;

import dev.samboot.sam.Backoff;
import dev.samboot.sam.EarlyLaunch;
import dev.samboot.sam.RecoveryPolicy;
import dev.samboot.sam.SamOptions;
import dev.samboot.sam.SupervisorLog;

/**
 * What the JVM that calls {@code register()} hands over to the lean supervisor that
 * replaces it: the options, the warn signal and the data set before {@code register()},
 * and the command that relaunches the application. Each option is written and read back
 * by one constant of {@link Option}, so that the two sides sit together.
 *
 * <p>
 * Not handed over, by design: the quorum source and the state publisher, which are the
 * application's classes (with either the lean supervisor is not used, see
 * {@link LeanSupervisor#obstacle}), and the lean supervisor's JVM options (the new JVM
 * supervises itself rather than being replaced again).
 *
 * @param options the options
 * @param warnSignal the warn signal set before {@code register()}
 * @param data the data stored before {@code register()}, or {@code null}
 * @param command the command that relaunches the application
 */
record Handoff(SamOptions options, int warnSignal, byte[] data, List<String> command) {

	private static final Format<Integer> INTEGER = new Format<>(Kind.INTEGER);

	private static final Format<Long> LONG = new Format<>(Kind.LONG);

	private static final Format<String> STRING = new Format<>(Kind.STRING);

	private static final Format<Duration> DURATION = new Format<>(Kind.DURATION);

	private static final Format<RecoveryPolicy> POLICY = new Format<>(Kind.POLICY);

	private static final Format<Backoff> BACKOFF = new Format<>(Kind.BACKOFF);

	private static final Format<Set<Integer>> CODES = new Format<>(Kind.CODES);

	private static final Format<Path> PATH = new Format<>(Kind.PATH);

	private static final Format<byte[]> HEX = new Format<>(Kind.HEX);

	private static final Format<byte[]> BASE64 = new Format<>(Kind.BASE64);

	/**
	 * The options after libsam's two arguments: each one, or each pair that the builder
	 * sets together, written and read back. The early launch comes last, so that the rest
	 * of the handoff has been read before the instance is adopted. Constants rather than
	 * lambdas: each lambda is spun at the first use, in the launcher's JVM, the lean
	 * supervisor's interpreted one and instance 1, while instance 1 starts.
	 */
	private enum Option {

		DATA_MAX_SIZE {
			@Override
			void write(SamOptions options, Out out) {
				out.put("data-max-size", INTEGER, options.dataMaxSize());
			}

			@Override
			void read(In in, SamOptions.Builder builder) {
				builder.dataMaxSize(in.required("data-max-size", INTEGER));
			}
		},

		SHUTDOWN_TIMEOUT {
			@Override
			void write(SamOptions options, Out out) {
				out.put("shutdown-timeout", DURATION, options.shutdownTimeout());
			}

			@Override
			void read(In in, SamOptions.Builder builder) {
				builder.shutdownTimeout(in.required("shutdown-timeout", DURATION));
			}
		},

		RESTART_INTENSITY {
			@Override
			void write(SamOptions options, Out out) {
				out.put("max-restarts", INTEGER, options.maxRestarts());
				out.put("restart-window", DURATION, options.restartWindow());
			}

			@Override
			void read(In in, SamOptions.Builder builder) {
				builder.restartIntensity(in.required("max-restarts", INTEGER), in.required("restart-window", DURATION));
			}
		},

		RESTART_BACKOFF {
			@Override
			void write(SamOptions options, Out out) {
				out.put("backoff", BACKOFF, options.backoff());
			}

			@Override
			void read(In in, SamOptions.Builder builder) {
				builder.backoff(in.required("backoff", BACKOFF));
			}
		},

		START_RETRY {
			@Override
			void write(SamOptions options, Out out) {
				out.put("start-retry", BACKOFF, options.startRetry());
			}

			@Override
			void read(In in, SamOptions.Builder builder) {
				builder.retryFailedStarts(in.optional("start-retry", BACKOFF));
			}
		},

		EXIT_CODES {
			@Override
			void write(SamOptions options, Out out) {
				out.put("restart-exit-codes", CODES, options.restartExitCodes());
				out.put("quit-exit-codes", CODES, options.quitExitCodes());
			}

			@Override
			void read(In in, SamOptions.Builder builder) {
				builder.exitCodes(in.required("restart-exit-codes", CODES), in.required("quit-exit-codes", CODES));
			}
		},

		STARTUP_TIMEOUT {
			@Override
			void write(SamOptions options, Out out) {
				out.put("startup-timeout", DURATION, options.startupTimeout());
			}

			@Override
			void read(In in, SamOptions.Builder builder) {
				builder.startupTimeout(in.required("startup-timeout", DURATION));
			}
		},

		THREAD_DUMPS {
			@Override
			void write(SamOptions options, Out out) {
				out.put("thread-dumps", PATH, options.threadDumpDirectory());
			}

			@Override
			void read(In in, SamOptions.Builder builder) {
				builder.threadDumps(in.optional("thread-dumps", PATH));
			}
		},

		THREAD_DUMP_LIMITS {
			@Override
			void write(SamOptions options, Out out) {
				out.put("thread-dumps.max-count", INTEGER, options.threadDumpMaxCount());
				out.put("thread-dumps.max-age", DURATION, options.threadDumpMaxAge());
			}

			@Override
			void read(In in, SamOptions.Builder builder) {
				builder.threadDumpLimits(in.required("thread-dumps.max-count", INTEGER),
						in.required("thread-dumps.max-age", DURATION));
			}
		},

		SUPERVISOR_LOG {
			@Override
			void write(SamOptions options, Out out) {
				writeLog(options.supervisorLog(), out);
			}

			@Override
			void read(In in, SamOptions.Builder builder) {
				builder.supervisorLog(readLog(in));
			}
		},

		STARTUP_CACHE {
			@Override
			void write(SamOptions options, Out out) {
				out.put("startup-cache", PATH, options.startupCacheDirectory());
			}

			@Override
			void read(In in, SamOptions.Builder builder) {
				builder.startupCache(in.optional("startup-cache", PATH));
			}
		},

		STARTUP_CACHE_TRAINING {
			@Override
			void write(SamOptions options, Out out) {
				out.list("startup-cache.jvm-options", options.startupCacheTrainingJvmOptions());
				out.list("startup-cache.arguments", options.startupCacheTrainingArguments());
			}

			@Override
			void read(In in, SamOptions.Builder builder) {
				builder.startupCacheTraining(in.list("startup-cache.jvm-options"), in.list("startup-cache.arguments"));
			}
		},

		EARLY_LAUNCH {
			@Override
			void write(SamOptions options, Out out) {
				EarlyLaunch early = options.earlyLaunch();
				if (early != null) {
					out.put("early.pid", LONG, early.pid());
					out.put("early.directory", PATH, early.directory().path());
					out.put("early.token", HEX, early.token());
				}
			}

			@Override
			void read(In in, SamOptions.Builder builder) {
				// the instance is a child of this process, which the JVM this one
				// replaced launched
				if (in.optional("early.pid", LONG) != null) {
					builder.earlyLaunch(EarlyLaunch.adopt(in.required("early.pid", LONG),
							in.required("early.directory", PATH), in.required("early.token", HEX)));
				}
			}
		};

		abstract void write(SamOptions options, Out out);

		abstract void read(In in, SamOptions.Builder builder);

	}

	/**
	 * Check what can be handed over.
	 * @throws IllegalArgumentException for a quorum source or state publisher of the
	 * application's own, which a new JVM would not have
	 */
	Handoff {
		Objects.requireNonNull(options, "options");
		if (options.quorumSource() != null || options.statePublisher() != null) {
			throw new IllegalArgumentException("A quorum source or state publisher cannot be handed over");
		}
		command = List.copyOf(command);
	}

	/**
	 * Return the handoff as properties.
	 * @return the properties
	 */
	Properties write() {
		Out out = new Out(new Properties());
		out.put("interval", DURATION, this.options.interval());
		out.put("policy", POLICY, this.options.policy());
		for (Option option : Option.values()) {
			option.write(this.options, out);
		}
		out.put("warn-signal", INTEGER, this.warnSignal);
		out.put("data", BASE64, this.data);
		out.list("command", this.command);
		return out.properties();
	}

	/**
	 * Read a handoff back; an instance launched early is adopted, as a child of this
	 * process.
	 * @param properties what {@link #write()} returned
	 * @return the handoff
	 * @throws IllegalArgumentException if a key is missing or has a value that cannot be
	 * read
	 */
	static Handoff read(Properties properties) {
		In in = new In(properties);
		int warnSignal = in.required("warn-signal", INTEGER);
		byte[] data = in.optional("data", BASE64);
		List<String> command = in.list("command");
		SamOptions.Builder builder = SamOptions.builder(in.required("interval", DURATION),
				in.required("policy", POLICY));
		for (Option option : Option.values()) {
			option.read(in, builder);
		}
		return new Handoff(builder.build(), warnSignal, data, command);
	}

	/**
	 * Read a handoff back with instance 1 already adopted (the supervisor that waited for
	 * the settings took it over before they came).
	 * @param properties what {@link #write()} returned, without the early launch
	 * @param adopted instance 1
	 * @return the handoff
	 * @throws IllegalArgumentException if a key is missing or has a value that cannot be
	 * read
	 */
	static Handoff read(Properties properties, EarlyLaunch adopted) {
		Properties without = new Properties();
		for (String key : properties.stringPropertyNames()) {
			if (!key.startsWith(EARLY_PREFIX)) {
				without.setProperty(key, properties.getProperty(key));
			}
		}
		Handoff handoff = read(without);
		return new Handoff(handoff.options().withEarlyLaunch(adopted), handoff.warnSignal(), handoff.data(),
				handoff.command());
	}

	/**
	 * Marks the handoff of a supervisor that waits for instance 1 to send the settings.
	 */
	private static final String DEFERRED = "deferred";

	/** The JVM options the waiting supervisor was started with. */
	private static final String DEFERRED_JVM_OPTIONS = "deferred.jvm-options";

	/** In the settings: the lean supervisor JVM options the configuration asks for. */
	private static final String WANTED_JVM_OPTIONS = "wanted.jvm-options";

	/**
	 * In the settings: why the configuration needs the supervisor in the application's
	 * JVM.
	 */
	private static final String RELAUNCH = "relaunch";

	private static final String EARLY_PREFIX = "early.";

	private static final String COMMAND_PREFIX = "command.";

	/**
	 * The handoff of a supervisor started before the settings are known: instance 1,
	 * launched early, will send them.
	 * @param command the command that relaunches the application
	 * @param early instance 1
	 * @param jvmOptions the options the supervisor's JVM is started with
	 * @return the properties
	 */
	static Properties deferred(List<String> command, EarlyLaunch early, List<String> jvmOptions) {
		Out out = new Out(new Properties());
		out.put(DEFERRED, STRING, "true");
		out.list("command", command);
		out.list(DEFERRED_JVM_OPTIONS, jvmOptions);
		out.put("early.pid", LONG, early.pid());
		out.put("early.directory", PATH, early.directory().path());
		out.put("early.token", HEX, early.token());
		return out.properties();
	}

	/**
	 * Whether these are the properties of a supervisor that waits for the settings.
	 * @param properties the handoff file's properties
	 * @return whether the settings are to come from instance 1
	 */
	static boolean isDeferred(Properties properties) {
		return "true".equals(properties.getProperty(DEFERRED));
	}

	/**
	 * Return the JVM options a waiting supervisor was started with.
	 * @param deferred what {@link #deferred} returned
	 * @return the options
	 */
	static List<String> deferredJvmOptions(Properties deferred) {
		return new In(deferred).list(DEFERRED_JVM_OPTIONS);
	}

	/**
	 * Return the pid, channel directory and token of the instance a waiting supervisor
	 * takes over.
	 * @param deferred what {@link #deferred} returned
	 * @return the instance, adopted as a child of this process
	 */
	static EarlyLaunch adoptEarly(Properties deferred) {
		In in = new In(deferred);
		return EarlyLaunch.adopt(in.required("early.pid", LONG), in.required("early.directory", PATH),
				in.required("early.token", HEX));
	}

	/**
	 * Return the command of a handoff.
	 * @param properties the properties
	 * @return the command that relaunches the application
	 */
	static List<String> command(Properties properties) {
		return new In(properties).list("command");
	}

	/**
	 * The settings instance 1 sends: what the handoff carries, and the lean supervisor's
	 * JVM options the configuration asks for.
	 * @param options the options bound from the configuration
	 * @param warnSignal the warn signal
	 * @return the properties
	 */
	static Properties settings(SamOptions options, int warnSignal) {
		Properties properties = new Handoff(options.withEarlyLaunch(null), warnSignal, null, List.of()).write();
		new Out(properties).list(WANTED_JVM_OPTIONS, options.supervisorJvmOptions());
		return properties;
	}

	/**
	 * The settings instance 1 sends when the supervisor must run in the application's own
	 * JVM.
	 * @param reason why
	 * @return the properties
	 */
	static Properties relaunch(String reason) {
		Properties properties = new Properties();
		properties.setProperty(RELAUNCH, reason);
		return properties;
	}

	/**
	 * Return why the settings need the supervisor in the application's JVM.
	 * @param settings the settings instance 1 sent
	 * @return the reason, or {@code null}
	 */
	static String relaunchReason(Properties settings) {
		return settings.getProperty(RELAUNCH);
	}

	/**
	 * Return the lean supervisor JVM options the settings ask for.
	 * @param settings the settings instance 1 sent
	 * @return the options
	 */
	static List<String> wantedJvmOptions(Properties settings) {
		return new In(settings).list(WANTED_JVM_OPTIONS);
	}

	/**
	 * Return the full handoff: the settings instance 1 sent, with the command and
	 * instance 1 of the waiting supervisor's handoff.
	 * @param deferred what {@link #deferred} returned
	 * @param settings the settings instance 1 sent
	 * @return the properties, as {@link #write()} would have returned them
	 */
	static Properties merge(Properties deferred, Properties settings) {
		Properties merged = new Properties();
		for (String name : settings.stringPropertyNames()) {
			if (!name.startsWith(COMMAND_PREFIX) && !name.startsWith(EARLY_PREFIX)
					&& !name.startsWith(WANTED_JVM_OPTIONS)) {
				merged.setProperty(name, settings.getProperty(name));
			}
		}
		for (String name : deferred.stringPropertyNames()) {
			if (name.startsWith(COMMAND_PREFIX) || name.startsWith(EARLY_PREFIX)) {
				merged.setProperty(name, deferred.getProperty(name));
			}
		}
		return merged;
	}

	/**
	 * Turn properties into bytes, for the channel.
	 * @param properties the properties
	 * @return their text, in UTF-8
	 */
	static byte[] toBytes(Properties properties) {
		java.io.StringWriter writer = new java.io.StringWriter();
		try {
			write(properties, writer);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		return writer.toString().getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * Read properties from the channel.
	 * @param bytes what {@link #toBytes} returned
	 * @return the properties
	 * @throws IllegalArgumentException if they cannot be read
	 */
	static Properties fromBytes(byte[] bytes) {
		Properties properties = new Properties();
		try {
			properties.load(new java.io.StringReader(new String(bytes, StandardCharsets.UTF_8)));
		}
		catch (IOException | RuntimeException ex) {
			throw new IllegalArgumentException("The settings cannot be read: " + ex.getMessage(), ex);
		}
		return properties;
	}

	/**
	 * Write the handoff to a file.
	 * @param file the file
	 * @throws IOException if it cannot be written
	 */
	void writeTo(Path file) throws IOException {
		store(write(), file);
	}

	/**
	 * Write handoff properties to a file.
	 * @param properties the properties
	 * @param file the file
	 * @throws IOException if it cannot be written
	 */
	static void store(Properties properties, Path file) throws IOException {
		try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
			write(properties, writer);
		}
	}

	/**
	 * Write properties as {@link Properties#store(Writer, String)} does, in the order of
	 * their keys and without its date comment: formatting the date loads the JDK's time
	 * zone names, a quarter of a second of CPU in a fresh JVM, at the moment instance 1
	 * starts beside it. {@link Properties#load(Reader)} reads it back.
	 * @param properties the properties
	 * @param writer where to
	 * @throws IOException if it cannot be written
	 */
	static void write(Properties properties, Writer writer) throws IOException {
		StringBuilder text = new StringBuilder();
		for (String key : new java.util.TreeSet<>(properties.stringPropertyNames())) {
			escape(key, true, text);
			text.append('=');
			escape(properties.getProperty(key), false, text);
			text.append('\n');
		}
		writer.write(text.toString());
	}

	private static void escape(String value, boolean key, StringBuilder text) {
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			switch (c) {
				case ' ' -> text.append((key || i == 0) ? "\\ " : " ");
				case '\\' -> text.append("\\\\");
				case '\t' -> text.append("\\t");
				case '\n' -> text.append("\\n");
				case '\r' -> text.append("\\r");
				case '\f' -> text.append("\\f");
				case '=', ':', '#', '!' -> text.append('\\').append(c);
				default -> text.append(c);
			}
		}
	}

	/**
	 * Read a handoff from a file.
	 * @param file the file
	 * @return the handoff
	 * @throws IOException if it cannot be read
	 * @throws IllegalArgumentException if a key is missing or has a value that cannot be
	 * read
	 */
	static Handoff readFrom(Path file) throws IOException {
		return read(load(file));
	}

	/**
	 * Read only how the lean supervisor logs, so that it logs so while it reads the rest.
	 * @param properties what {@link #write()} returned
	 * @return the format and levels
	 * @throws IllegalArgumentException if a key is missing or has a value that cannot be
	 * read
	 */
	static SupervisorLog supervisorLog(Properties properties) {
		return readLog(new In(properties));
	}

	/**
	 * Read the properties of a handoff file.
	 * @param file the file
	 * @return the properties
	 * @throws IOException if it cannot be read
	 */
	static Properties load(Path file) throws IOException {
		Properties properties = new Properties();
		try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
			properties.load(reader);
		}
		return properties;
	}

	private static void writeLog(SupervisorLog log, Out out) {
		out.put("log.format", STRING, log.format());
		List<String> levels = new ArrayList<>();
		for (Map.Entry<String, Level> level : log.levels().entrySet()) {
			levels.add(level.getKey() + "=" + level.getValue().name());
		}
		out.list("log.levels", levels);
		out.put("log.service.name", STRING, log.service().name());
		out.put("log.service.version", STRING, log.service().version());
		out.put("log.service.environment", STRING, log.service().environment());
		out.put("log.service.node-name", STRING, log.service().nodeName());
	}

	private static SupervisorLog readLog(In in) {
		Map<String, Level> levels = new LinkedHashMap<>();
		for (String entry : in.list("log.levels")) {
			// a level's name has no '=', a logger's name might
			int separator = entry.lastIndexOf('=');
			try {
				levels.put(entry.substring(0, separator), Level.valueOf(entry.substring(separator + 1)));
			}
			catch (RuntimeException ex) {
				throw new IllegalArgumentException(
						"The lean supervisor's handoff has a log level that cannot be read: \"" + entry + "\"", ex);
			}
		}
		return new SupervisorLog(in.optional("log.format", STRING), levels,
				new SupervisorLog.Service(in.optional("log.service.name", STRING),
						in.optional("log.service.version", STRING), in.optional("log.service.environment", STRING),
						in.optional("log.service.node-name", STRING)));
	}

	private static Backoff parseBackoff(String text) {
		String[] parts = text.split(",");
		if (parts.length != 5) {
			throw new IllegalArgumentException("expected 5 values, not " + parts.length);
		}
		return new Backoff(Duration.ofNanos(Long.parseLong(parts[0])), Duration.ofNanos(Long.parseLong(parts[1])),
				Double.parseDouble(parts[2]), Double.parseDouble(parts[3]), Duration.ofNanos(Long.parseLong(parts[4])));
	}

	private static String formatCodes(Set<Integer> codes) {
		StringBuilder text = new StringBuilder();
		for (Integer code : codes) {
			text.append((text.length() > 0) ? "," : "").append(code);
		}
		return text.toString();
	}

	private static Set<Integer> parseCodes(String text) {
		if (text.isEmpty()) {
			return Set.of();
		}
		Set<Integer> codes = new LinkedHashSet<>();
		for (String code : text.split(",")) {
			codes.add(Integer.valueOf(code));
		}
		return Collections.unmodifiableSet(codes);
	}

	/** The kinds of value a handoff holds. */
	private enum Kind {

		INTEGER, LONG, STRING, DURATION, POLICY, BACKOFF, CODES, PATH, HEX, BASE64

	}

	/**
	 * How a value of one kind is written as a property and read back.
	 *
	 * @param <T> the type of the values
	 * @param kind the kind
	 */
	private record Format<T>(Kind kind) {

		String format(T value) {
			Object v = value;
			return switch (this.kind) {
				case INTEGER, LONG, STRING, PATH -> v.toString();
				case DURATION -> Long.toString(((Duration) v).toNanos());
				case POLICY -> Integer.toString(((RecoveryPolicy) v).bits());
				case BACKOFF -> {
					Backoff backoff = (Backoff) v;
					yield backoff.initial().toNanos() + "," + backoff.max().toNanos() + "," + backoff.multiplier() + ","
							+ backoff.jitter() + "," + backoff.resetAfter().toNanos();
				}
				case CODES -> formatCodes(codes(v));
				case HEX -> HexFormat.of().formatHex((byte[]) v);
				case BASE64 -> Base64.getEncoder().encodeToString((byte[]) v);
			};
		}

		@SuppressWarnings("unchecked")
		T parse(String text) {
			Object value = switch (this.kind) {
				case INTEGER -> Integer.valueOf(text);
				case LONG -> Long.valueOf(text);
				case STRING -> text;
				case DURATION -> Duration.ofNanos(Long.parseLong(text));
				case POLICY -> RecoveryPolicy.fromBits(Integer.parseInt(text));
				case BACKOFF -> parseBackoff(text);
				case CODES -> parseCodes(text);
				case PATH -> Path.of(text);
				case HEX -> HexFormat.of().parseHex(text);
				case BASE64 -> Base64.getDecoder().decode(text);
			};
			return (T) value;
		}

		@SuppressWarnings("unchecked")
		private static Set<Integer> codes(Object value) {
			return (Set<Integer>) value;
		}

	}

	/** The properties being written; a {@code null} value is left out. */
	private record Out(Properties properties) {

		<T> void put(String key, Format<T> format, T value) {
			if (value != null) {
				this.properties.setProperty(key, format.format(value));
			}
		}

		void list(String key, List<String> values) {
			put(key + ".size", INTEGER, values.size());
			for (int i = 0; i < values.size(); i++) {
				put(key + "." + i, STRING, values.get(i));
			}
		}

	}

	/** The properties being read, each key named when it is missing or cannot be read. */
	private record In(Properties properties) {

		<T> T required(String key, Format<T> format) {
			T value = optional(key, format);
			if (value == null) {
				throw new IllegalArgumentException("The lean supervisor's handoff has no \"" + key + "\"");
			}
			return value;
		}

		<T> T optional(String key, Format<T> format) {
			String text = this.properties.getProperty(key);
			if (text == null) {
				return null;
			}
			try {
				return format.parse(text);
			}
			catch (RuntimeException ex) {
				throw new IllegalArgumentException(
						"The lean supervisor's handoff has a \"" + key + "\" that cannot be read: " + ex.getMessage(),
						ex);
			}
		}

		List<String> list(String key) {
			int size = required(key + ".size", INTEGER);
			List<String> values = new ArrayList<>(size);
			for (int i = 0; i < size; i++) {
				values.add(required(key + "." + i, STRING));
			}
			return values;
		}

	}

}
