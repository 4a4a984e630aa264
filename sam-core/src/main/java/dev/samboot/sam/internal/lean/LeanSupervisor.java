package dev.samboot.sam.internal.lean;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import dev.samboot.corosync.Cmap;
import dev.samboot.corosync.CorosyncQuorum;
import dev.samboot.sam.CsError;
import dev.samboot.sam.EarlyLaunch;
import dev.samboot.sam.Sam;
import dev.samboot.sam.SamException;
import dev.samboot.sam.SamOptions;
import dev.samboot.sam.internal.cache.JdkRelease;
import dev.samboot.sam.internal.process.AdoptedProcess;
import dev.samboot.sam.internal.process.NativeExec;
import dev.samboot.sam.internal.process.PrivateFiles;
import dev.samboot.sam.internal.process.SamPlatform;
import dev.samboot.sam.internal.systemd.SystemdNotifier;

/**
 * The supervisor needs little once the active process runs, but the JVM that became the
 * supervisor may have loaded a whole application framework before {@code register()}.
 * This replaces that JVM, keeping its pid (so systemd, docker and shells see no change),
 * with a small one that loads only samboot's core: {@code execv} of the same {@code java}
 * with lean options and the core's class path, handing over the settings, the stored data
 * and the command to relaunch in a file of a private directory ({@link Handoff}).
 */
public final class LeanSupervisor {

	private static final System.Logger logger = System.getLogger(LeanSupervisor.class.getName());

	/**
	 * Interpreter only, serial GC, no attach listener: an event loop that handles a few
	 * messages per interval needs no compiler, and these keep the resident size near a
	 * bare JVM's. Idle monitors are deflated once a minute rather than looked for four
	 * times a second (a quarter of the idle supervisor's CPU otherwise); that option is
	 * diagnostic, so an unknown one is ignored rather than stopping the new JVM. The heap
	 * limit is added from the data limit unless given.
	 */
	public static final List<String> DEFAULT_JVM_OPTIONS = List.of("-Xms4m", "-Xss256k", "-XX:+UseSerialGC", "-Xint",
			"-XX:MaxMetaspaceSize=32m", "-XX:-UsePerfData", "-XX:+DisableAttachMechanism", "-Xshare:auto",
			"-XX:+IgnoreUnrecognizedVMOptions", "-XX:+UnlockDiagnosticVMOptions", "-XX:AsyncDeflationInterval=60000");

	private static final String HANDOFF_FILE = "handoff.properties";

	/**
	 * Native access for the class path, where jffi is: without it JDK 24 and later warn
	 * when jffi loads its library (JEP 472), and a later JDK will refuse.
	 */
	static final String ENABLE_NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";

	/** The first JDK that warns about native access not enabled. */
	static final int NATIVE_ACCESS_WARNING_RELEASE = 24;

	/** The jars of jnr-posix, jnr-ffi, jnr-unixsocket and what they need. */
	private static final List<String> NATIVE_ACCESS_JARS = List.of("jnr-", "jffi-", "asm-", "asm.jar");

	private LeanSupervisor() {
	}

	/**
	 * Replace this JVM with a lean supervisor. Returns only if that is not possible here,
	 * having said why; the caller then supervises in this JVM.
	 * @param options the options
	 * @param warnSignal the warn signal set before {@code register()}
	 * @param data the data stored before {@code register()}, or {@code null}
	 * @param command the command that relaunches the application
	 */
	public static void exec(SamOptions options, int warnSignal, byte[] data, List<String> command) {
		if (options.supervisorJvmOptions() == null) {
			return;
		}
		Optional<String> obstacle = obstacle(options);
		if (obstacle.isPresent()) {
			logger.log(Level.INFO, "Supervising in this JVM: " + obstacle.get());
			return;
		}
		EarlyLaunch early = options.earlyLaunch();
		if (early != null && !AdoptedProcess.supported()) {
			logger.log(Level.INFO,
					"Supervising in this JVM: this JDK cannot hand instance 1, launched early, over " + "to a new JVM");
			return;
		}
		preflight(options);
		Path directory = null;
		try {
			directory = handoffDirectory();
			String classPath = supervisorClassPath(directory, needsNativeAccess(options, System.getenv()));
			Path handoff = directory.resolve(HANDOFF_FILE);
			new Handoff(options, warnSignal, data, command).writeTo(handoff);
			List<String> argv = command(command.get(0), javaRelease(command.get(0)), options, classPath, handoff);
			logger.log(Level.DEBUG, "Replacing this JVM with a lean supervisor: " + String.join(" ", argv));
			System.out.flush();
			System.err.flush();
			if (early != null && !early.isAlive()) {
				// this JVM has its exit status; the new one could not learn it
				throw new IOException("instance 1, launched early, has already ended");
			}
			NativeExec.execv(command.get(0), argv);
		}
		catch (IOException | RuntimeException | LinkageError ex) {
			logger.log(Level.WARNING, "Supervising in this JVM: cannot start a lean supervisor (" + ex + ")");
			if (directory != null) {
				deleteQuietly(directory);
			}
		}
	}

	/** The handoff directories' names: the prefix, the supervisor's pid, a dash. */
	public static final String HANDOFF_PREFIX = "samboot-handoff-";

	/**
	 * Create a private handoff directory named after this process, and remove those of
	 * supervisors that are gone: a supervisor ended by SIGKILL cannot remove its own.
	 * @return the directory
	 * @throws IOException if it cannot be created
	 */
	static Path handoffDirectory() throws IOException {
		Path directory = PrivateFiles.createTempDirectory(ownHandoffPrefix());
		removeAbandoned(directory.getParent());
		return directory;
	}

	/** The start of the name of this process's handoff directory. */
	private static String ownHandoffPrefix() {
		return HANDOFF_PREFIX + ProcessHandle.current().pid() + "-";
	}

	/**
	 * Whether a directory said to hold the copies of the core and the native-access jars
	 * is one this process made for them: named after it, a directory of mode 0700 (not a
	 * link), and the one this class was loaded from. Anything else is left alone: the
	 * directory is deleted when supervision ends.
	 * @param directory the directory
	 * @return whether it is this process's copies
	 */
	static boolean isOwnCopies(Path directory) {
		try {
			Path name = directory.getFileName();
			CodeSource source = LeanSupervisor.class.getProtectionDomain().getCodeSource();
			if (name == null || !name.toString().startsWith(ownHandoffPrefix())
					|| !Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS) || source == null
					|| source.getLocation() == null || !"rwx------".equals(PosixFilePermissions
						.toString(Files.getPosixFilePermissions(directory, LinkOption.NOFOLLOW_LINKS)))) {
				return false;
			}
			Path core = Path.of(source.getLocation().toURI()).toRealPath();
			return directory.toRealPath().equals(core.getParent());
		}
		catch (IOException | URISyntaxException | RuntimeException ex) {
			return false;
		}
	}

	/**
	 * Remove the handoff directories in a directory whose supervisor is no longer
	 * running; those of running processes, and names samboot does not make, are left.
	 * @param parent the temporary directory
	 */
	static void removeAbandoned(Path parent) {
		// not a glob, which compiles a regular expression while instance 1 starts
		try (var entries = Files.newDirectoryStream(parent)) {
			for (Path entry : entries) {
				String name = entry.getFileName().toString();
				if (!name.startsWith(HANDOFF_PREFIX)) {
					continue;
				}
				String rest = name.substring(HANDOFF_PREFIX.length());
				int dash = rest.indexOf('-');
				if (dash <= 0 || !Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
					continue;
				}
				try {
					long pid = Long.parseLong(rest.substring(0, dash));
					Optional<ProcessHandle> owner = ProcessHandle.of(pid);
					if (owner.isPresent() && owner.get().isAlive()) {
						continue;
					}
				}
				catch (NumberFormatException ex) {
					continue;
				}
				deleteQuietly(entry);
			}
		}
		catch (IOException | RuntimeException ex) {
			logger.log(Level.DEBUG, "Cannot look for abandoned handoff directories: " + ex.getMessage());
		}
	}

	/**
	 * Return the lean supervisor's command line.
	 * @param java the {@code java} executable, the one that runs this JVM
	 * @param javaRelease its feature release, such as 17 or 25
	 * @param options the options
	 * @param classPath the supervisor's class path
	 * @param handoff the handoff file
	 * @return the command, the executable first
	 */
	static List<String> command(String java, int javaRelease, SamOptions options, String classPath, Path handoff) {
		List<String> argv = new ArrayList<>();
		argv.add(java);
		argv.addAll(jvmOptions(options.supervisorJvmOptions(), options.dataMaxSize(), options.earlyLaunch() != null,
				javaRelease));
		argv.add("-cp");
		argv.add(classPath);
		argv.add(LeanSupervisor.class.getName());
		argv.add(handoff.toString());
		return argv;
	}

	/**
	 * Return the lean supervisor's JVM options.
	 * @param jvmOptions the options asked for
	 * @param dataMaxSize the data limit, which sets the heap limit unless one is asked
	 * for
	 * @param early whether the supervisor takes over instance 1, launched early
	 * @param javaRelease the feature release of the {@code java} executable
	 * @return the options
	 */
	static List<String> jvmOptions(List<String> jvmOptions, int dataMaxSize, boolean early, int javaRelease) {
		List<String> options = new ArrayList<>(jvmOptions);
		if (!anyStartsWith(jvmOptions, "-Xmx")) {
			options.add(heapLimit(dataMaxSize));
		}
		if (early) {
			options.add(AdoptedProcess.ADD_OPENS);
		}
		// jffi's System.load would print the JDK's four-line restricted-method warning;
		// the JDKs before 24 print none, and their command line stays as it was
		if (javaRelease >= NATIVE_ACCESS_WARNING_RELEASE && !anyStartsWith(jvmOptions, "--enable-native-access")) {
			options.add(ENABLE_NATIVE_ACCESS);
		}
		return options;
	}

	/**
	 * Replace this JVM, at the very start of the application and before its settings are
	 * known, with a lean supervisor that takes over instance 1, launched early, and waits
	 * for it to send the settings ({@link DeferredStart}). Returns only if that is not
	 * possible, having said why at DEBUG; the caller then cancels the instance.
	 * @param early instance 1, launched to hand over the settings
	 * @param command the command that relaunches the application
	 */
	public static void execDeferred(EarlyLaunch early, List<String> command) {
		execDeferred(early, command, null);
	}

	/**
	 * As {@link #execDeferred(EarlyLaunch, List)}, in a handoff directory that holds the
	 * core's and the native-access jars already.
	 * @param early instance 1, launched to hand over the settings
	 * @param command the command that relaunches the application
	 * @param copied a private directory named as {@link #HANDOFF_PREFIX} and this
	 * process's pid, into which the jars were copied and from which this class was
	 * loaded, or {@code null} to make one
	 */
	public static void execDeferred(EarlyLaunch early, List<String> command, Path copied) {
		Path directory = null;
		try {
			if (copied != null && isOwnCopies(copied)) {
				directory = copied;
				removeAbandoned(copied.getParent());
			}
			else {
				if (copied != null) {
					logger.log(Level.DEBUG, copied + " is not this process's copy of the core: copying again");
				}
				directory = handoffDirectory();
			}
			// the settings decide whether corosync or systemd are needed: the jars go on
			// the class path in any case, and are only opened if they are
			String classPath = supervisorClassPath(directory, true);
			List<String> jvmOptions = jvmOptions(DEFAULT_JVM_OPTIONS, SamOptions.DEFAULT_DATA_MAX_SIZE, true,
					javaRelease(command.get(0)));
			Path handoff = directory.resolve(HANDOFF_FILE);
			Handoff.store(Handoff.deferred(command, early, jvmOptions), handoff);
			List<String> argv = new ArrayList<>();
			argv.add(command.get(0));
			argv.addAll(jvmOptions);
			argv.addAll(List.of("-cp", classPath, LeanSupervisor.class.getName(), handoff.toString()));
			logger.log(Level.DEBUG,
					"Replacing this JVM with a lean supervisor that waits for the settings: " + String.join(" ", argv));
			System.out.flush();
			System.err.flush();
			NativeExec.prepare(directory);
			if (!early.isAlive()) {
				throw new IOException("instance 1 has already ended");
			}
			NativeExec.execv(command.get(0), argv);
		}
		catch (IOException | RuntimeException | LinkageError ex) {
			logger.log(Level.DEBUG, "No lean supervisor before the settings are known: " + ex);
			if (directory != null) {
				deleteQuietly(directory);
			}
		}
	}

	/**
	 * Return the settings instance 1 hands to a supervisor that waits for them: the
	 * handoff of these options, or, when the lean supervisor cannot run them, why the
	 * supervisor must run in the application's JVM.
	 * @param options the options bound from the configuration
	 * @param warnSignal the warn signal
	 * @return the settings, as sent on the channel
	 */
	public static byte[] settings(SamOptions options, int warnSignal) {
		if (options.supervisorJvmOptions() == null) {
			return Handoff.toBytes(Handoff.relaunch("the configuration turns the lean supervisor off"));
		}
		Optional<String> obstacle = obstacle(options);
		if (obstacle.isPresent()) {
			return Handoff.toBytes(Handoff.relaunch(obstacle.get()));
		}
		return Handoff.toBytes(Handoff.settings(options, warnSignal));
	}

	/**
	 * Replace this JVM with a lean supervisor started with other JVM options than the
	 * waiting one's, handing over the full settings and instance 1.
	 * @param properties the full handoff
	 * @param jvmOptions the JVM options
	 * @param directory the handoff directory, with the class path's jars
	 * @throws IOException if the JVM cannot be replaced
	 */
	static void execAgain(java.util.Properties properties, List<String> jvmOptions, Path directory) throws IOException {
		List<String> command = Handoff.command(properties);
		Path handoff = directory.resolve(HANDOFF_FILE);
		Handoff.store(properties, handoff);
		List<String> argv = new ArrayList<>();
		argv.add(command.get(0));
		argv.addAll(jvmOptions);
		argv.addAll(List.of("-cp", System.getProperty("java.class.path"), LeanSupervisor.class.getName(),
				handoff.toString()));
		logger.log(Level.DEBUG, "Starting the lean supervisor again with the JVM options the configuration asks for: "
				+ String.join(" ", argv));
		NativeExec.execv(command.get(0), argv);
	}

	/**
	 * The feature release of a {@code java} executable, from its JDK's {@code release}
	 * file; this JVM's own when the file cannot be read (the executable is this JVM's).
	 * @param java the executable
	 * @return the release
	 */
	static int javaRelease(String java) {
		return JdkRelease.featureVersion(JdkRelease.home(java)).orElse(Runtime.version().feature());
	}

	/**
	 * Return the heap limit for a data limit: the stored data, a frame being decoded and
	 * the copy sent to each new instance may all be in memory at once.
	 * @param dataMaxSize the data limit in bytes
	 * @return an {@code -Xmx} option
	 */
	static String heapLimit(int dataMaxSize) {
		long megabytes = 16 + 4L * dataMaxSize / (1024 * 1024);
		return "-Xmx" + megabytes + "m";
	}

	/**
	 * Reach corosync before this JVM is replaced, so that a missing or stopped corosync
	 * is reported where the application can still explain it (a Spring failure analysis),
	 * not in the new JVM.
	 * @param options the options
	 * @throws SamException with {@link CsError#LIBRARY} when corosync cannot be reached
	 */
	static void preflight(SamOptions options) {
		if (options.policy().quorum() && options.quorumSource() == null) {
			try (CorosyncQuorum quorum = new CorosyncQuorum()) {
				quorum.start((quorate) -> {
				});
			}
		}
		if (options.policy().cmap() && options.statePublisher() == null) {
			Cmap.connect().close();
		}
	}

	/**
	 * Why the lean supervisor cannot be used with these options.
	 * @param options the options
	 * @return the reason, or empty
	 */
	static Optional<String> obstacle(SamOptions options) {
		if (options.supervisorJvmOptions() == null) {
			return Optional.of("no lean supervisor requested");
		}
		if (options.quorumSource() != null || options.statePublisher() != null) {
			return Optional.of("a quorum source or state publisher of the application's own needs its classes");
		}
		return Optional.empty();
	}

	/**
	 * Whether the lean supervisor needs jnr on its class path: for corosync's libraries
	 * (quorum and cmap flags) and for systemd's notify socket.
	 * @param options the options
	 * @param env the environment
	 * @return whether to add the native-access jars
	 */
	static boolean needsNativeAccess(SamOptions options, java.util.Map<String, String> env) {
		return options.policy().quorum() || options.policy().cmap() || env.containsKey(SystemdNotifier.NOTIFY_SOCKET);
	}

	/**
	 * Return the lean supervisor's class path: the core, and with {@code withNative} the
	 * jnr, jffi and asm jars that corosync's bindings and systemd notification need,
	 * found on this JVM's class path or in its Spring Boot executable jar.
	 * @param directory where copies may be written
	 * @param withNative whether to add the native-access jars
	 * @return the class path
	 * @throws IOException if it cannot be determined
	 */
	static String supervisorClassPath(Path directory, boolean withNative) throws IOException {
		CodeSource source = LeanSupervisor.class.getProtectionDomain().getCodeSource();
		if (source == null || source.getLocation() == null) {
			throw new IOException("the core's code source is unknown");
		}
		URL location = source.getLocation();
		String url = location.toString();
		List<String> classPath = new ArrayList<>();
		if (url.startsWith("file:")) {
			try {
				classPath.add(Path.of(location.toURI()).toString());
			}
			catch (URISyntaxException | IllegalArgumentException ex) {
				throw new IOException("cannot read " + url, ex);
			}
			if (withNative) {
				for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
					if (isNativeAccessJar(Path.of(entry).getFileName().toString())) {
						classPath.add(entry);
					}
				}
				if (classPath.size() == 1) {
					// copied out of the executable jar by samboot's launcher, beside the
					// core
					classPath.addAll(nativeAccessJarsBeside(Path.of(classPath.get(0))));
				}
			}
		}
		else if (url.startsWith("jar:nested:")) {
			NestedJar core = NestedJar.parse(url);
			// the executable jar's directory is read once for all the jars
			try (ZipFile zip = new ZipFile(core.outer().toFile())) {
				classPath.add(core.extract(zip, directory).toString());
				if (withNative) {
					for (NestedJar jar : core.siblings(zip, LeanSupervisor::isNativeAccessJar)) {
						classPath.add(jar.extract(zip, directory).toString());
					}
				}
			}
		}
		else {
			throw new IOException("the core was loaded from " + url + ", which a new JVM cannot use");
		}
		return String.join(File.pathSeparator, classPath);
	}

	private static List<String> nativeAccessJarsBeside(Path core) throws IOException {
		Path folder = core.getParent();
		if (folder == null) {
			return List.of();
		}
		try (var entries = Files.newDirectoryStream(folder)) {
			List<String> jars = new ArrayList<>();
			for (Path entry : entries) {
				if (isNativeAccessJar(entry.getFileName().toString())) {
					jars.add(entry.toString());
				}
			}
			java.util.Collections.sort(jars);
			return jars;
		}
	}

	/** Without a lambda: this runs in the launcher's JVM while instance 1 starts. */
	private static boolean anyStartsWith(List<String> values, String prefix) {
		for (String value : values) {
			if (value.startsWith(prefix)) {
				return true;
			}
		}
		return false;
	}

	static boolean isNativeAccessJar(String fileName) {
		if (fileName.endsWith(".jar")) {
			for (String prefix : NATIVE_ACCESS_JARS) {
				if (fileName.startsWith(prefix)) {
					return true;
				}
			}
		}
		return false;
	}

	/**
	 * A jar inside a Spring Boot executable jar, named by a loader URL such as
	 * {@code jar:nested:/app.jar/!BOOT-INF/lib/sam.jar!/}.
	 *
	 * @param outer the executable jar
	 * @param entry the nested jar's entry name
	 */
	record NestedJar(Path outer, String entry) {

		static NestedJar parse(String url) throws IOException {
			String nested = url.substring("jar:nested:".length());
			int separator = nested.indexOf("/!");
			if (separator < 0) {
				throw new IOException("unexpected nested jar URL " + url);
			}
			String entry = nested.substring(separator + 2);
			int end = entry.indexOf("!/");
			return new NestedJar(Path.of(nested.substring(0, separator)), (end >= 0) ? entry.substring(0, end) : entry);
		}

		/** The jars beside this one whose file names pass the filter. */
		List<NestedJar> siblings(java.util.function.Predicate<String> fileName) throws IOException {
			try (ZipFile zip = new ZipFile(this.outer.toFile())) {
				return siblings(zip, fileName);
			}
		}

		List<NestedJar> siblings(ZipFile zip, java.util.function.Predicate<String> fileName) {
			String folder = this.entry.substring(0, this.entry.lastIndexOf('/') + 1);
			List<NestedJar> jars = new ArrayList<>();
			zip.stream()
				.map(ZipEntry::getName)
				.filter((name) -> name.startsWith(folder) && name.indexOf('/', folder.length()) < 0)
				.filter((name) -> fileName.test(name.substring(folder.length())))
				.forEach((name) -> jars.add(new NestedJar(this.outer, name)));
			return jars;
		}

		Path extract(Path directory) throws IOException {
			try (ZipFile zip = new ZipFile(this.outer.toFile())) {
				return extract(zip, directory);
			}
		}

		Path extract(ZipFile zip, Path directory) throws IOException {
			Path target = directory.resolve(this.entry.substring(this.entry.lastIndexOf('/') + 1));
			ZipEntry found = zip.getEntry(this.entry);
			if (found == null) {
				throw new IOException(this.entry + " not found in " + this.outer);
			}
			try (InputStream in = zip.getInputStream(found); OutputStream out = Files.newOutputStream(target)) {
				in.transferTo(out);
			}
			return target;
		}

	}

	/**
	 * The lean supervisor's entry point: read the handoff, delete it, and register, which
	 * supervises until the policy says quit and exits.
	 * @param args the handoff file
	 * @throws IOException if the handoff cannot be read
	 */
	public static void main(String[] args) throws IOException {
		SupervisorLogFormat.install();
		Path file = Path.of(args[0]);
		Path directory = file.getParent();
		// the jars beside the handoff are this JVM's class path, opened as classes are
		// first needed:
		// they go when the supervisor exits
		Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(directory), "sam-handoff-cleanup"));
		SamPlatform system = SamPlatform.system();
		Properties properties;
		try {
			properties = Handoff.load(file);
		}
		finally {
			Files.deleteIfExists(file);
		}
		Handoff handoff = null;
		if (Handoff.isDeferred(properties)) {
			// read already, instance 1 adopted while the settings were awaited
			DeferredStart.Settled settled = DeferredStart.await(properties, directory, system);
			properties = settled.properties();
			handoff = settled.handoff();
		}
		// in the application's format before anything else is said, adopting instance 1
		// included
		SupervisorLogFormat.install(Handoff.supervisorLog(properties));
		logger.log(Level.DEBUG, "Supervising in a lean JVM: "
				+ ProcessHandle.current().info().commandLine().orElse("(command unknown)"));
		if (handoff == null) {
			handoff = Handoff.read(properties);
		}
		Sam sam = Sam.create(handoff.options(),
				new SamPlatform(system.environment(), system.parentPid(), handoff.command(), system.exit()));
		sam.warnSignalSet(handoff.warnSignal());
		if (handoff.data() != null) {
			sam.dataStore(handoff.data());
		}
		try {
			sam.register();
		}
		catch (SamException ex) {
			logger.log(Level.ERROR, "Cannot supervise: " + ex.getMessage());
			system.exit().accept(1);
		}
	}

	static void deleteQuietly(Path directory) {
		try (var paths = Files.walk(directory)) {
			paths.sorted(java.util.Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
		}
		catch (IOException ex) {
			logger.log(Level.DEBUG, "Cannot delete " + directory + ": " + ex.getMessage());
		}
	}

}
