package dev.samboot.sam.internal.cache;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.samboot.sam.internal.supervisor.ActiveProcess;

/**
 * An opt-in class-data cache that makes later instances start faster: the JVM's dynamic
 * AppCDS archive (JDK 13 to 23) or its AOT cache (JDK 24 and later), trained once by the
 * supervisor.
 *
 * <p>
 * Training is a separate run of the same command, started in the background when an
 * instance has called {@code start()} (so it never competes with an instance's own
 * start-up), with training options that make the application exit by itself once it has
 * loaded its classes (Spring: {@code -Dspring.context.exit=onRefresh}). The instances
 * themselves never train: a JVM killed by SIGKILL (the supervisor's kill at 2T, the OOM
 * killer) writes no archive, one that writes it at exit takes seconds longer to end and
 * so delays the restart, and on JDK 24 and later the one-step {@code -XX:AOTCacheOutput}
 * starts a JVM of its own at exit, which the supervisor would not know about. Every step
 * is bounded in time, runs at a low priority, writes only into the cache directory, and
 * publishes its result by an atomic rename; the supervisor kills what is still running
 * when it exits. A Spring Boot executable jar is extracted first ({@code -Djarmode=tools
 * extract}), because classes in nested jars cannot be archived.
 *
 * <p>
 * The cache is keyed to the {@code java} executable, its {@code release} file, the JVM
 * options and the jar or class path (size and modification time): any change and the
 * plain command is used until the cache has been trained again. A cached instance that
 * ends before {@code start()} turns the cache off for the rest of the supervisor's life,
 * so that a bad archive can never stop the application from starting.
 *
 * <p>
 * This class decides which command each instance gets and when to train; the rest is done
 * by {@link JavaCommand} (the command taken apart), {@link JdkRelease} (the launched
 * JDK), {@link CacheKind}, {@link CacheKey}, {@link CacheDirectory} (the files and when
 * they make a cache), {@link CacheCommands} (the commands that use and train it),
 * {@link Trainer} and {@link StepRunner} (the training in the background).
 */
public final class StartupCache implements AutoCloseable {

	private static final System.Logger logger = System.getLogger(StartupCache.class.getName());

	private final CacheDirectory directory;

	private final JavaCommand command;

	private final List<String> plain;

	private final Path javaHome;

	private final Trainer trainer;

	/**
	 * One training per key and supervisor: a key whose training failed would most likely
	 * fail again.
	 */
	private final Set<String> triedKeys = ConcurrentHashMap.newKeySet();

	private final Set<Long> cachedPids = ConcurrentHashMap.newKeySet();

	private final Set<Long> startedPids = ConcurrentHashMap.newKeySet();

	private volatile boolean off;

	private StartupCache(CacheDirectory directory, JavaCommand command, List<String> plain, Path javaHome,
			Trainer trainer) {
		this.directory = directory;
		this.command = command;
		this.plain = List.copyOf(plain);
		this.javaHome = javaHome;
		this.trainer = trainer;
	}

	/**
	 * Prepare the cache for a command, or say why there is none (logged once, at INFO).
	 * @param directory the cache directory
	 * @param trainingJvmOptions JVM options of the training run
	 * @param trainingArguments arguments appended to the training run's command
	 * @param plain the command that relaunches the application
	 * @param environment the supervisor's environment, inherited by the training run
	 * without the {@code SAM_*} and systemd variables
	 * @return the cache, or empty
	 */
	public static Optional<StartupCache> create(Path directory, List<String> trainingJvmOptions,
			List<String> trainingArguments, List<String> plain, Map<String, String> environment) {
		JavaCommand.Parsed parsed = JavaCommand.parse(plain);
		if (parsed.command() == null) {
			logger.log(Level.INFO, "No start-up cache: " + parsed.obstacle());
			return Optional.empty();
		}
		Path javaHome = JdkRelease.home(parsed.command().java());
		OptionalInt feature = JdkRelease.featureVersion(javaHome);
		Optional<CacheKind> kind = feature.isPresent() ? CacheKind.forFeature(feature.getAsInt()) : Optional.empty();
		if (kind.isEmpty()) {
			logger.log(Level.INFO,
					"No start-up cache: " + parsed.command().java() + " is "
							+ (feature.isPresent()
									? "JDK " + feature.getAsInt() + ", older than " + CacheKind.FIRST_DYNAMIC_CDS
									: "a JDK of unknown version (no release file)"));
			return Optional.empty();
		}
		CacheDirectory cacheDirectory = new CacheDirectory(directory.toAbsolutePath(), kind.get());
		Trainer trainer = new Trainer(parsed.command(), cacheDirectory, trainingJvmOptions, trainingArguments,
				new StepRunner(environment));
		return Optional.of(new StartupCache(cacheDirectory, parsed.command(), plain, javaHome, trainer));
	}

	CacheKind kind() {
		return this.directory.kind();
	}

	/**
	 * The command for the next instance: with the cache if it is ready for the current
	 * key, else the plain command. The key is computed anew each time, so that a new
	 * build of the application or a JDK update is never launched with the old archive.
	 * @return the command
	 */
	public List<String> command() {
		if (this.off) {
			return this.plain;
		}
		String key = CacheKey.of(this.command, kind(), this.javaHome);
		return ready(key) ? CacheCommands.cached(this.command, this.directory) : this.plain;
	}

	private boolean ready(String key) {
		return this.directory.holds(key, this.command);
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
	 * An instance ended before {@code start()}: if the cache launched it, turn the cache
	 * off for the rest of the supervisor's life, so that an archive the JVM cannot use
	 * never stops the application from starting.
	 * @param pid the instance's pid
	 * @param status its exit status
	 * @return whether the cache launched it, and the next instance should be launched
	 * without it
	 */
	public boolean endedBeforeStart(long pid, int status) {
		if (!this.cachedPids.remove(pid) || this.startedPids.remove(pid) || this.off) {
			return false;
		}
		this.off = true;
		// the next supervisor trains it again rather than trying it first
		CacheFiles.deleteQuietly(this.directory.keyFile());
		logger.log(Level.WARNING, "Start-up cache off until the supervisor restarts: the instance with pid " + pid
				+ " started with " + this.directory.archive() + " ended with status " + status + " before start()");
		return true;
	}

	/**
	 * An instance called {@code start()}: start training if the cache is not ready.
	 * @param pid the instance's pid
	 */
	public void started(long pid) {
		if (this.cachedPids.contains(pid)) {
			// it runs from the cache directory, which a training would empty first: the
			// next
			// instance, launched the plain way if the key has changed, trains
			this.startedPids.add(pid);
			return;
		}
		if (this.off || this.trainer.closed() || this.trainer.training()) {
			return;
		}
		String key = CacheKey.of(this.command, kind(), this.javaHome);
		if (ready(key) || !this.triedKeys.add(key)) {
			return;
		}
		this.trainer.start(key);
	}

	boolean training() {
		return this.trainer.training();
	}

	/**
	 * Stop a training in progress: its process is killed, by pid, and nothing is
	 * published.
	 */
	@Override
	public void close() {
		this.trainer.close();
	}

}
