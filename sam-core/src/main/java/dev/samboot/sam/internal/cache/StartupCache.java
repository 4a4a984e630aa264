package dev.samboot.sam.internal.cache;

import java.io.File;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.samboot.sam.internal.process.SamEnvironment;
import dev.samboot.sam.internal.supervisor.ActiveProcess;

/**
 * An opt-in class-data cache that makes later instances start faster: the JVM's dynamic AppCDS
 * archive (JDK 13 to 23) or its AOT cache (JDK 24 and later), trained once by the supervisor.
 *
 * <p>Training is a separate run of the same command, started in the background when an instance
 * has called {@code start()} (so it never competes with an instance's own start-up), with
 * training options that make the application exit by itself once it has loaded its classes
 * (Spring: {@code -Dspring.context.exit=onRefresh}). The instances themselves never train: a JVM
 * killed by SIGKILL (the supervisor's kill at 2T, the OOM killer) writes no archive, one that
 * writes it at exit takes seconds longer to end and so delays the restart, and on JDK 24 and
 * later the one-step {@code -XX:AOTCacheOutput} starts a JVM of its own at exit, which the
 * supervisor would not know about. Every step is bounded in time, runs at a low priority, writes
 * only into the cache directory, and publishes its result by an atomic rename; the supervisor
 * kills what is still running when it exits. A Spring Boot executable jar is extracted first ({@code -Djarmode=tools
 * extract}), because classes in nested jars cannot be archived.
 *
 * <p>The cache is keyed to the {@code java} executable, its {@code release} file, the JVM options
 * and the jar or class path (size and modification time): any change and the plain command is
 * used until the cache has been trained again. A cached instance that ends before {@code start()}
 * turns the cache off for the rest of the supervisor's life, so that a bad archive can never
 * stop the application from starting.
 */
public final class StartupCache implements AutoCloseable {

	private static final System.Logger logger = System.getLogger(StartupCache.class.getName());

	/** The oldest JDK with {@code -XX:ArchiveClassesAtExit}. */
	static final int FIRST_DYNAMIC_CDS = 13;

	/** The oldest JDK with {@code -XX:AOTMode} and {@code -XX:AOTCache} (JEP 483). */
	static final int FIRST_AOT_CACHE = 24;

	/** Longest time a training step may take before it is stopped. */
	static final long STEP_TIMEOUT_SECONDS = 300;

	private static final String KEY_FILE = "key";

	private static final String LOCK_FILE = ".lock";

	private static final String LOG_FILE = "training.log";

	private static final String EXTRACTED = "app";

	private static final String FORMAT = "samboot-startup-cache-1";

	/** Options that take the next word as their value (the {@code java} launcher's). */
	private static final Set<String> OPTIONS_WITH_VALUE = Set.of("-cp", "-classpath", "--class-path", "-p",
			"--module-path", "--upgrade-module-path", "--add-modules", "--limit-modules", "--add-reads",
			"--add-exports", "--add-opens", "--patch-module", "--enable-native-access", "--source");

	/** Which cache a JDK gets. */
	enum Kind {

		/** Dynamic AppCDS archive. */
		CDS("app.jsa"),

		/** AOT cache (JEP 483, 514, 515). */
		AOT("app.aot");

		private final String fileName;

		Kind(String fileName) {
			this.fileName = fileName;
		}

		String fileName() {
			return this.fileName;
		}

		/**
		 * The cache for a JDK feature version.
		 * @param feature the version, such as 17 or 25
		 * @return the kind, or empty when the JDK has neither
		 */
		static Optional<Kind> forFeature(int feature) {
			if (feature >= FIRST_AOT_CACHE) {
				return Optional.of(AOT);
			}
			return (feature >= FIRST_DYNAMIC_CDS) ? Optional.of(CDS) : Optional.empty();
		}

	}

	/**
	 * A {@code java} command taken apart.
	 *
	 * @param java the executable
	 * @param jvmOptions the options before the jar or main class, class path included
	 * @param jar the jar of {@code -jar}, or {@code null} for a main class
	 * @param tail the arguments after the jar, or the main class and its arguments
	 */
	record Command(String java, List<String> jvmOptions, Path jar, List<String> tail) {

		/**
		 * Take a command apart.
		 * @param command the command
		 * @return the parts, or why the cache cannot be used with it
		 */
		static Parsed parse(List<String> command) {
			if (command.size() < 2) {
				return new Parsed(null, "the command has no main class or jar");
			}
			List<String> options = new ArrayList<>();
			for (int i = 1; i < command.size(); i++) {
				String word = command.get(i);
				if (word.equals("-jar")) {
					if (i + 1 >= command.size()) {
						return new Parsed(null, "-jar without a jar");
					}
					return new Parsed(new Command(command.get(0), options, Path.of(command.get(i + 1)).toAbsolutePath(),
							List.copyOf(command.subList(i + 2, command.size()))), null);
				}
				if (word.equals("-m") || word.equals("--module") || word.startsWith("--module=")) {
					return new Parsed(null, "a module is launched (" + word + ")");
				}
				if (word.startsWith("@")) {
					return new Parsed(null, "the command reads an argument file (" + word + ")");
				}
				if (word.startsWith("-XX:SharedArchiveFile") || word.startsWith("-XX:ArchiveClassesAtExit")
						|| word.startsWith("-XX:AOT") || word.equals("-Xshare:off") || word.equals("-Xshare:dump")) {
					return new Parsed(null, "the command sets its own class-data sharing (" + word + ")");
				}
				if (!word.startsWith("-")) {
					return new Parsed(new Command(command.get(0), options, null,
							List.copyOf(command.subList(i, command.size()))), null);
				}
				options.add(word);
				if (OPTIONS_WITH_VALUE.contains(word) && i + 1 < command.size()) {
					options.add(command.get(++i));
				}
			}
			return new Parsed(null, "the command has no main class or jar");
		}

		/** The class path of a main-class command, or the jar. */
		List<Path> classPath() {
			if (this.jar != null) {
				return List.of(this.jar);
			}
			List<Path> entries = new ArrayList<>();
			for (int i = 0; i < this.jvmOptions.size() - 1; i++) {
				String option = this.jvmOptions.get(i);
				if (option.equals("-cp") || option.equals("-classpath") || option.equals("--class-path")) {
					entries.clear();
					for (String entry : this.jvmOptions.get(i + 1).split(File.pathSeparator)) {
						if (!entry.isEmpty()) {
							entries.add(Path.of(entry));
						}
					}
				}
			}
			return entries;
		}

	}

	/**
	 * The result of {@link Command#parse}.
	 *
	 * @param command the parts, or {@code null}
	 * @param obstacle why there are none
	 */
	record Parsed(Command command, String obstacle) {
	}

	private final Path directory;

	private final Command command;

	private final List<String> plain;

	private final Kind kind;

	private final Path javaHome;

	private final List<String> trainingJvmOptions;

	private final List<String> trainingArguments;

	private final Map<String, String> trainingEnvironment;

	private final Set<String> triedKeys = ConcurrentHashMap.newKeySet();

	private final Set<Long> cachedPids = ConcurrentHashMap.newKeySet();

	private final Set<Long> startedPids = ConcurrentHashMap.newKeySet();

	private volatile boolean off;

	private volatile boolean closed;

	private volatile Thread training;

	private volatile Process step;

	private StartupCache(Path directory, Command command, List<String> plain, Kind kind, Path javaHome,
			List<String> trainingJvmOptions, List<String> trainingArguments, Map<String, String> trainingEnvironment) {
		this.directory = directory;
		this.command = command;
		this.plain = List.copyOf(plain);
		this.kind = kind;
		this.javaHome = javaHome;
		this.trainingJvmOptions = List.copyOf(trainingJvmOptions);
		this.trainingArguments = List.copyOf(trainingArguments);
		this.trainingEnvironment = trainingEnvironment;
	}

	/**
	 * Prepare the cache for a command, or say why there is none (logged once, at INFO).
	 * @param directory the cache directory
	 * @param trainingJvmOptions JVM options of the training run
	 * @param trainingArguments arguments appended to the training run's command
	 * @param plain the command that relaunches the application
	 * @param environment the supervisor's environment, inherited by the training run without the
	 * {@code SAM_*} and systemd variables
	 * @return the cache, or empty
	 */
	public static Optional<StartupCache> create(Path directory, List<String> trainingJvmOptions,
			List<String> trainingArguments, List<String> plain, Map<String, String> environment) {
		Parsed parsed = Command.parse(plain);
		if (parsed.command() == null) {
			logger.log(Level.INFO, "No start-up cache: " + parsed.obstacle());
			return Optional.empty();
		}
		Path javaHome = javaHome(parsed.command().java());
		OptionalInt feature = featureVersion(javaHome);
		Optional<Kind> kind = feature.isPresent() ? Kind.forFeature(feature.getAsInt()) : Optional.empty();
		if (kind.isEmpty()) {
			logger.log(Level.INFO, "No start-up cache: " + parsed.command().java() + " is "
					+ (feature.isPresent() ? "JDK " + feature.getAsInt() + ", older than " + FIRST_DYNAMIC_CDS
							: "a JDK of unknown version (no release file)"));
			return Optional.empty();
		}
		Map<String, String> env = new java.util.HashMap<>(environment);
		java.util.Arrays.stream(SamEnvironment.ALL).forEach(env::remove);
		java.util.Arrays.stream(SamEnvironment.SYSTEMD).forEach(env::remove);
		return Optional.of(new StartupCache(directory.toAbsolutePath(), parsed.command(), plain, kind.get(), javaHome,
				trainingJvmOptions, trainingArguments, Map.copyOf(env)));
	}

	/**
	 * The home of a {@code java} executable: two levels above it, symbolic links followed.
	 * @param java the executable
	 * @return the home
	 */
	static Path javaHome(String java) {
		Path executable = Path.of(java);
		try {
			executable = executable.toRealPath();
		}
		catch (IOException ex) {
			executable = executable.toAbsolutePath();
		}
		Path bin = executable.getParent();
		return (bin != null && bin.getParent() != null) ? bin.getParent() : executable;
	}

	/**
	 * The feature version of the JDK at a home, from its {@code release} file.
	 * @param javaHome the home
	 * @return the version, or empty if unknown
	 */
	static OptionalInt featureVersion(Path javaHome) {
		try {
			return featureVersion(Files.readString(javaHome.resolve("release"), StandardCharsets.UTF_8));
		}
		catch (IOException ex) {
			return OptionalInt.empty();
		}
	}

	/**
	 * The feature version in the contents of a JDK's {@code release} file:
	 * {@code JAVA_VERSION="17.0.15"} is 17, {@code "1.8.0_402"} is 8.
	 * @param release the contents
	 * @return the version, or empty if there is none
	 */
	static OptionalInt featureVersion(String release) {
		for (String line : release.split("\n")) {
			if (line.startsWith("JAVA_VERSION=")) {
				String version = line.substring("JAVA_VERSION=".length()).replace("\"", "").trim();
				String[] parts = version.split("[.\\-+_]");
				try {
					int first = Integer.parseInt(parts[0]);
					return OptionalInt.of((first == 1 && parts.length > 1) ? Integer.parseInt(parts[1]) : first);
				}
				catch (NumberFormatException ex) {
					return OptionalInt.empty();
				}
			}
		}
		return OptionalInt.empty();
	}

	Kind kind() {
		return this.kind;
	}

	/**
	 * The archive's path in a cache directory.
	 * @param directory the directory
	 * @param kind the kind of cache
	 * @return the path
	 */
	static Path archive(Path directory, Kind kind) {
		return directory.resolve(kind.fileName());
	}

	/**
	 * The JVM option that uses an archive.
	 * @param kind the kind of cache
	 * @param archive the archive
	 * @return the option
	 */
	static String useOption(Kind kind, Path archive) {
		return (kind == Kind.AOT) ? "-XX:AOTCache=" + archive : "-XX:SharedArchiveFile=" + archive;
	}

	/**
	 * The command that starts an instance with the cache: the same JVM options, the option that
	 * uses the archive, and the extracted jar in place of an executable jar.
	 * @param command the plain command
	 * @param kind the kind of cache
	 * @param directory the cache directory
	 * @return the command
	 */
	static List<String> cachedCommand(Command command, Kind kind, Path directory) {
		List<String> result = new ArrayList<>();
		result.add(command.java());
		result.add(useOption(kind, archive(directory, kind)));
		result.addAll(command.jvmOptions());
		addMain(result, command, directory);
		result.addAll(command.tail());
		return result;
	}

	/**
	 * The commands of a training: for the dynamic archive one run that writes it when it exits
	 * ({@code -XX:ArchiveClassesAtExit}); for the AOT cache a run that records the configuration
	 * ({@code -XX:AOTMode=record}) and one that creates the cache from it ({@code -XX:AOTMode=create},
	 * which does not run the application). The archive is written to a temporary name.
	 * @param command the plain command
	 * @param kind the kind of cache
	 * @param directory the cache directory
	 * @param trainingJvmOptions JVM options of the training run
	 * @param trainingArguments arguments appended to the training run
	 * @return the commands, run one after the other
	 */
	static List<List<String>> trainingCommands(Command command, Kind kind, Path directory,
			List<String> trainingJvmOptions, List<String> trainingArguments) {
		Path temporary = temporaryArchive(directory, kind);
		List<List<String>> steps = new ArrayList<>();
		List<String> run = new ArrayList<>();
		run.add(command.java());
		if (kind == Kind.AOT) {
			run.add("-XX:AOTMode=record");
			run.add("-XX:AOTConfiguration=" + configuration(directory));
		}
		else {
			run.add("-XX:ArchiveClassesAtExit=" + temporary);
		}
		run.addAll(command.jvmOptions());
		run.addAll(trainingJvmOptions);
		addMain(run, command, directory);
		run.addAll(command.tail());
		run.addAll(trainingArguments);
		steps.add(run);
		if (kind == Kind.AOT) {
			List<String> create = new ArrayList<>();
			create.add(command.java());
			create.add("-XX:AOTMode=create");
			create.add("-XX:AOTConfiguration=" + configuration(directory));
			create.add("-XX:AOTCache=" + temporary);
			create.addAll(command.jvmOptions());
			addMain(create, command, directory);
			steps.add(create);
		}
		return steps;
	}

	private static void addMain(List<String> result, Command command, Path directory) {
		if (command.jar() != null) {
			result.add("-jar");
			result.add(extractedJar(command, directory).toString());
		}
	}

	static Path extractedJar(Command command, Path directory) {
		return directory.resolve(EXTRACTED).resolve(command.jar().getFileName());
	}

	static Path temporaryArchive(Path directory, Kind kind) {
		return directory.resolve(kind.fileName() + ".tmp");
	}

	private static Path configuration(Path directory) {
		return directory.resolve("app.aotconf");
	}

	/**
	 * The cache key: the cache format, the {@code java} executable and its {@code release} file,
	 * the JVM options and the path, size and modification time of the jar or of each class path
	 * entry. A new build, JDK or option gives a new key.
	 * @param command the command
	 * @param kind the kind of cache
	 * @param javaHome the JDK's home
	 * @return the key, in hex
	 */
	static String key(Command command, Kind kind, Path javaHome) {
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			List<String> parts = new ArrayList<>();
			parts.add(FORMAT);
			parts.add(kind.name());
			parts.add(command.java());
			parts.add(javaHome.toString());
			try {
				parts.add(Files.readString(javaHome.resolve("release"), StandardCharsets.UTF_8));
			}
			catch (IOException ex) {
				parts.add("no release file");
			}
			parts.addAll(command.jvmOptions());
			parts.add((command.jar() != null) ? "-jar" : "-cp");
			for (Path entry : command.classPath()) {
				parts.add(entry.toAbsolutePath().toString());
				parts.add(stamp(entry));
			}
			for (String part : parts) {
				digest.update(part.getBytes(StandardCharsets.UTF_8));
				digest.update((byte) 0);
			}
			return HexFormat.of().formatHex(digest.digest());
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String stamp(Path file) {
		try {
			BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
			return attributes.size() + "@" + attributes.lastModifiedTime().toMillis();
		}
		catch (IOException ex) {
			return "missing";
		}
	}

	/**
	 * The command for the next instance: with the cache if it is ready for the current key, else
	 * the plain command.
	 * @return the command
	 */
	public List<String> command() {
		if (this.off) {
			return this.plain;
		}
		String key = key(this.command, this.kind, this.javaHome);
		return ready(key) ? cachedCommand(this.command, this.kind, this.directory) : this.plain;
	}

	/**
	 * Whether the directory holds a complete cache for a key: the key file names it and the
	 * archive's size, the archive has that size, and the extracted jar is there.
	 */
	boolean ready(String key) {
		try {
			List<String> lines = Files.readAllLines(this.directory.resolve(KEY_FILE), StandardCharsets.UTF_8);
			if (lines.size() < 2 || !lines.get(0).equals(key)) {
				return false;
			}
			Path archive = archive(this.directory, this.kind);
			if (Files.size(archive) != Long.parseLong(lines.get(1))) {
				return false;
			}
			return this.command.jar() == null || Files.isRegularFile(extractedJar(this.command, this.directory));
		}
		catch (IOException | NumberFormatException ex) {
			return false;
		}
	}

	/**
	 * An instance was launched with a command.
	 * @param process the instance
	 * @param launched the command it was launched with
	 */
	public void launched(ActiveProcess process, List<String> launched) {
		// one instance at a time: what is known about the last one is not needed any more
		this.cachedPids.clear();
		this.startedPids.clear();
		if (launched != this.plain) {
			this.cachedPids.add(process.pid());
		}
	}

	/**
	 * An instance ended before {@code start()}: if the cache launched it, turn the cache off for
	 * the rest of the supervisor's life, so that an archive the JVM cannot use never stops the
	 * application from starting.
	 * @param pid the instance's pid
	 * @param status its exit status
	 * @return whether the cache launched it, and the next instance should be launched without it
	 */
	public boolean endedBeforeStart(long pid, int status) {
		if (!this.cachedPids.remove(pid) || this.startedPids.remove(pid) || this.off) {
			return false;
		}
		this.off = true;
		// the next supervisor trains it again rather than trying it first
		deleteQuietly(this.directory.resolve(KEY_FILE));
		logger.log(Level.WARNING, "Start-up cache off until the supervisor restarts: the instance with pid " + pid
				+ " started with " + archive(this.directory, this.kind) + " ended with status " + status
				+ " before start()");
		return true;
	}

	/**
	 * An instance called {@code start()}: start training if the cache is not ready.
	 * @param pid the instance's pid
	 */
	public void started(long pid) {
		if (this.cachedPids.contains(pid)) {
			// it runs from the cache directory, which a training would empty first: the next
			// instance, launched the plain way if the key has changed, trains
			this.startedPids.add(pid);
			return;
		}
		if (this.off || this.closed || this.training != null) {
			return;
		}
		String key = key(this.command, this.kind, this.javaHome);
		if (ready(key) || !this.triedKeys.add(key)) {
			return;
		}
		Thread thread = new Thread(() -> train(key), "sam-startup-cache");
		thread.setDaemon(true);
		this.training = thread;
		thread.start();
	}

	boolean training() {
		return this.training != null;
	}

	private void train(String key) {
		long begin = System.nanoTime();
		try {
			Files.createDirectories(this.directory);
			try (FileChannel lockChannel = FileChannel.open(this.directory.resolve(LOCK_FILE),
					StandardOpenOption.CREATE, StandardOpenOption.WRITE); FileLock lock = tryLock(lockChannel)) {
				if (lock == null) {
					logger.log(Level.INFO, "Start-up cache: another process trains in " + this.directory);
					return;
				}
				if (ready(key)) {
					return;
				}
				clean();
				Path log = this.directory.resolve(LOG_FILE);
				logger.log(Level.INFO, "Start-up cache: training " + this.kind + " in " + this.directory
						+ " in the background (output in " + log + ")");
				if (this.command.jar() != null) {
					run("the extraction of " + this.command.jar().getFileName(),
							List.of(this.command.java(), "-Djarmode=tools", "-jar", this.command.jar().toString(),
									"extract", "--destination", this.directory.resolve(EXTRACTED).toString()),
							log);
				}
				List<List<String>> steps = trainingCommands(this.command, this.kind, this.directory,
						this.trainingJvmOptions, this.trainingArguments);
				for (int i = 0; i < steps.size(); i++) {
					run((i == 0) ? "the training run" : "the creation of the AOT cache", steps.get(i), log);
				}
				Path temporary = temporaryArchive(this.directory, this.kind);
				if (!Files.isRegularFile(temporary) || Files.size(temporary) == 0) {
					throw new IOException("the training wrote no archive");
				}
				Path archive = archive(this.directory, this.kind);
				move(temporary, archive);
				Files.deleteIfExists(configuration(this.directory));
				Path keyFile = this.directory.resolve(KEY_FILE + ".tmp");
				Files.writeString(keyFile, key + "\n" + Files.size(archive) + "\n", StandardCharsets.UTF_8);
				move(keyFile, this.directory.resolve(KEY_FILE));
				logger.log(Level.INFO, "Start-up cache ready in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin)
						+ " ms: " + archive + " (" + Files.size(archive) / (1024 * 1024) + " MB); later instances use it");
			}
		}
		catch (IOException | RuntimeException ex) {
			if (!this.closed) {
				logger.log(Level.WARNING, "Start-up cache not trained, instances start without it: " + ex.getMessage());
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		finally {
			deleteQuietly(temporaryArchive(this.directory, this.kind));
			deleteQuietly(configuration(this.directory));
			this.training = null;
		}
	}

	private static FileLock tryLock(FileChannel channel) throws IOException {
		try {
			return channel.tryLock();
		}
		catch (OverlappingFileLockException ex) {
			return null;
		}
	}

	/** Remove what an older key left, except the lock. */
	private void clean() throws IOException {
		try (Stream<Path> children = Files.list(this.directory)) {
			for (Path child : children.toList()) {
				if (!child.getFileName().toString().equals(LOCK_FILE)) {
					deleteRecursively(child);
				}
			}
		}
	}

	private void run(String what, List<String> command, Path log) throws IOException, InterruptedException {
		if (this.closed) {
			throw new InterruptedException();
		}
		Files.writeString(log, "$ " + String.join(" ", command) + "\n", StandardCharsets.UTF_8,
				StandardOpenOption.CREATE, StandardOpenOption.APPEND);
		List<String> argv = new ArrayList<>();
		if (Files.isExecutable(Path.of("/usr/bin/nice"))) {
			argv.addAll(List.of("/usr/bin/nice", "-n", "10"));
		}
		argv.addAll(command);
		ProcessBuilder builder = new ProcessBuilder(argv).directory(new File(System.getProperty("user.dir")))
			.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
			.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
		builder.environment().clear();
		builder.environment().putAll(this.trainingEnvironment);
		Process process = builder.start();
		this.step = process;
		try {
			if (!process.waitFor(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
				stop(process);
				throw new IOException(what + " took longer than " + STEP_TIMEOUT_SECONDS + " s");
			}
			if (process.exitValue() != 0) {
				throw new IOException(what + " exited with status " + process.exitValue() + " (see " + log + ")");
			}
		}
		finally {
			this.step = null;
			if (process.isAlive()) {
				stop(process);
			}
		}
	}

	private static void stop(Process process) throws InterruptedException {
		process.destroy();
		if (!process.waitFor(5, TimeUnit.SECONDS)) {
			process.destroyForcibly();
			process.waitFor(5, TimeUnit.SECONDS);
		}
	}

	private static void move(Path from, Path to) throws IOException {
		try {
			Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		}
		catch (AtomicMoveNotSupportedException ex) {
			Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
		}
	}

	private static void deleteQuietly(Path path) {
		try {
			Files.deleteIfExists(path);
		}
		catch (IOException ex) {
			logger.log(Level.DEBUG, "Cannot delete " + path + ": " + ex.getMessage());
		}
	}

	private static void deleteRecursively(Path path) throws IOException {
		if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(path)) {
			for (Path each : paths.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(each);
			}
		}
	}

	/**
	 * Stop a training in progress: its process is killed, by pid, and nothing is published.
	 */
	@Override
	public void close() {
		this.closed = true;
		Process process = this.step;
		if (process != null) {
			process.descendants().forEach(ProcessHandle::destroyForcibly);
			process.destroyForcibly();
		}
		Thread thread = this.training;
		if (thread != null) {
			thread.interrupt();
			try {
				thread.join(2000);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

}
