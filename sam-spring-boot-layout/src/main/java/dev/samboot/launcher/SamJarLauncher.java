package dev.samboot.launcher;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import org.springframework.boot.loader.launch.JarLauncher;

/**
 * The {@code Main-Class} of an executable jar built with {@code SamLayoutFactory}: Spring
 * Boot's {@link JarLauncher}, which first lets samboot become the supervisor, before
 * Spring Boot's loader has read the application's jars. Where the command line, system
 * properties and environment variables leave supervision on, the process the user started
 * launches instance 1 here, about 0.1 s after {@code java} started, and is replaced by
 * the lean supervisor; elsewhere (supervision off, an instance, a {@code jarmode}) the
 * application starts as with {@link JarLauncher}.
 *
 * <p>
 * samboot's auto-configuration, core and native-access (jnr, jffi, asm) jars are copied
 * out of the executable jar with the JDK's own zip support into a private directory
 * ({@code samboot-handoff-<pid>-...} in the temporary directory), samboot's decision is
 * loaded from the copies in a class loader of its own, and the lean supervisor then runs
 * from them; the directory goes when it exits, or at once when this process goes on as
 * the application. This class sits at the root of the jar, beside the loader's classes,
 * and uses nothing but the JDK before it hands over to {@link JarLauncher}.
 */
public class SamJarLauncher extends JarLauncher {

	/** The class that decides, in samboot's auto-configuration. */
	static final String SUPERVISOR_ENTRY = "dev.samboot.autoconfigure.LauncherSupervision";

	/**
	 * Its static method, taking the application's arguments, whether DevTools is in the
	 * jar, and the directory of the copies.
	 */
	static final String SUPERVISOR_METHOD = "superviseBeforeSpringBoot";

	/** The jar that holds {@link #SUPERVISOR_ENTRY}. */
	static final String AUTOCONFIGURE_JAR = "sam-spring-boot-autoconfigure-";

	/** The jars the decision and the lean supervisor load classes from, by file name. */
	static final List<String> SUPERVISOR_JARS = List.of(AUTOCONFIGURE_JAR, "sam-core-", "jnr-", "jffi-", "asm-",
			"asm.jar");

	/** Where the layout puts the libraries. */
	static final String LIBRARIES = "BOOT-INF/lib/";

	/**
	 * The prefix of the private directory, the core's
	 * {@code LeanSupervisor.HANDOFF_PREFIX}: a later supervisor removes such a directory
	 * whose process is gone.
	 */
	static final String HANDOFF_PREFIX = "samboot-handoff-";

	/**
	 * The variable that names an active process's supervisor, which is its parent (the
	 * core's {@code SamEnvironment.SUPERVISOR_PID}).
	 */
	static final String SUPERVISOR_PID = "SAM_SUPERVISOR_PID";

	private static final String DEVTOOLS_JAR = "spring-boot-devtools-";

	/** What the try said, for samboot's first listener; {@code null} if none was made. */
	private static volatile String outcome;

	public SamJarLauncher() throws Exception {
	}

	public static void main(String[] args) throws Exception {
		Optional<ProcessHandle> parent = ProcessHandle.current().parent();
		// no lambda: the first one spun in a JVM costs some 10 ms, before instance 1
		if (isActiveProcess(System.getenv(SUPERVISOR_PID),
				parent.isPresent() ? Optional.of(parent.get().pid()) : Optional.empty())) {
			// every restarted instance starts here: straight to the application
			outcome = "this process is an active process";
		}
		else if (isEmpty(System.getProperty("jarmode"))) {
			if (switchedOff(args, System.getProperties(), System.getenv())) {
				outcome = "supervision, its early launch or the lean supervisor is switched off";
			}
			else {
				Path jar = executableJar();
				// an exploded archive, a platform without POSIX files: the listeners
				// decide
				if (jar != null && FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
					outcome = superviseFirst(jar, args);
				}
			}
		}
		new SamJarLauncher().launch(args);
	}

	/**
	 * Why the launcher did not make this process the supervisor, read by samboot's first
	 * listener so that it does not try again.
	 * @return the reason, or {@code null} if the launcher did not try
	 */
	public static String outcome() {
		return outcome;
	}

	/**
	 * Let samboot become the supervisor; does not return when it does. Any failure is
	 * said on standard error and the application starts as it would without this
	 * launcher, where samboot's listeners supervise it in the way that keeps this process
	 * until its configuration is read (the first listener does not try this again).
	 * @param jar the executable jar
	 * @param args the application's arguments
	 * @return why this process goes on as the application
	 */
	static String superviseFirst(Path jar, String[] args) {
		Path directory = null;
		try {
			Copies copies = copy(jar);
			directory = copies.directory();
			if (!hasAutoConfiguration(copies.jars())) {
				System.err.println("samboot: the jar is built with samboot's layout, but sam-spring-boot-starter is "
						+ "not in it: the application runs unsupervised");
				return "sam-spring-boot-starter is not in the jar";
			}
			return decide(copies, args);
		}
		catch (IOException | RuntimeException ex) {
			System.err.println("samboot: could not copy samboot's jars out of " + jar + " (" + ex
					+ "); its listeners supervise the application once Spring Boot runs");
			return "the launcher could not copy samboot's jars: " + ex;
		}
		finally {
			if (directory != null) {
				delete(directory);
			}
		}
	}

	private static String decide(Copies copies, String[] args) throws IOException {
		Thread thread = Thread.currentThread();
		ClassLoader previous = thread.getContextClassLoader();
		URL[] urls = new URL[copies.jars().size()];
		for (int i = 0; i < urls.length; i++) {
			urls[i] = copies.jars().get(i).toUri().toURL();
		}
		// above it only the JDK: a class of the application or of Spring Boot fails at
		// once
		try (URLClassLoader loader = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader())) {
			thread.setContextClassLoader(loader);
			Class<?> entry = Class.forName(SUPERVISOR_ENTRY, false, loader);
			Method method = entry.getMethod(SUPERVISOR_METHOD, String[].class, boolean.class, Path.class);
			return String.valueOf(method.invoke(null, args.clone(), copies.devTools(), copies.directory()));
		}
		catch (InvocationTargetException ex) {
			System.err.println("samboot: could not supervise before Spring Boot starts (" + ex.getCause()
					+ "); its listeners supervise the application once Spring Boot runs");
			return "the launcher failed: " + ex.getCause();
		}
		catch (ReflectiveOperationException | LinkageError ex) {
			System.err.println("samboot: this launcher does not match the samboot version in the jar (" + ex
					+ "); its listeners supervise the application once Spring Boot runs");
			return "the launcher does not match samboot: " + ex;
		}
		finally {
			thread.setContextClassLoader(previous);
		}
	}

	/**
	 * The jars samboot needs, copied out of the executable jar into a private directory.
	 *
	 * @param directory the directory
	 * @param jars the copies, in the executable jar's order
	 * @param devTools whether Spring Boot DevTools is among the jar's libraries
	 */
	record Copies(Path directory, List<Path> jars, boolean devTools) {
	}

	/**
	 * A new directory of mode 0700 in {@code java.io.tmpdir}, made in one step that fails
	 * on a name that exists, with random characters from {@code /dev/urandom} after the
	 * prefix. Not {@link Files#createTempDirectory}: its names come from a
	 * {@link java.security.SecureRandom}, whose providers take some 30 ms to load, right
	 * before instance 1 is launched.
	 */
	static Path privateDirectory(String prefix) throws IOException {
		Path parent = Path.of(System.getProperty("java.io.tmpdir"));
		FileAlreadyExistsException taken = null;
		try (InputStream random = Files.newInputStream(Path.of("/dev/urandom"))) {
			byte[] name = new byte[8];
			for (int attempt = 0; attempt < 16; attempt++) {
				if (random.readNBytes(name, 0, name.length) != name.length) {
					throw new IOException("/dev/urandom ended");
				}
				try {
					return Files.createDirectory(parent.resolve(prefix + HexFormat.of().formatHex(name)),
							PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
				}
				catch (FileAlreadyExistsException ex) {
					taken = ex;
				}
			}
		}
		throw taken;
	}

	static Copies copy(Path jar) throws IOException {
		Path directory = privateDirectory(HANDOFF_PREFIX + ProcessHandle.current().pid() + "-");
		List<Path> jars = new ArrayList<>();
		boolean devTools = false;
		boolean copied = false;
		try (JarFile file = new JarFile(jar.toFile(), false)) {
			Enumeration<JarEntry> entries = file.entries();
			while (entries.hasMoreElements()) {
				JarEntry entry = entries.nextElement();
				String name = entry.getName();
				if (!name.startsWith(LIBRARIES) || name.indexOf('/', LIBRARIES.length()) >= 0) {
					continue;
				}
				String fileName = name.substring(LIBRARIES.length());
				devTools |= fileName.startsWith(DEVTOOLS_JAR);
				if (isSupervisorJar(fileName)) {
					Path target = directory.resolve(fileName);
					try (InputStream in = file.getInputStream(entry)) {
						Files.copy(in, target);
					}
					jars.add(target);
				}
			}
			copied = true;
		}
		finally {
			if (!copied) {
				delete(directory);
			}
		}
		return new Copies(directory, jars, devTools);
	}

	/**
	 * Whether the command line, system properties or environment variables switch
	 * supervision, its early launch or the lean supervisor off (in Spring's order of
	 * precedence), so that a jar run unsupervised, or relaunched with the supervisor in
	 * its own JVM, copies nothing. The others (a quorum provider, DevTools) are left to
	 * samboot's own decision, which reads everything.
	 * @param args the application's arguments
	 * @param systemProperties the system properties
	 * @param env the environment variables
	 * @return whether supervision is off
	 */
	static boolean switchedOff(String[] args, Properties systemProperties, Map<String, String> env) {
		return isFalse(value(args, systemProperties, env, "sam.enabled", "SAM_ENABLED"))
				|| isFalse(value(args, systemProperties, env, "sam.supervisor.early-launch",
						"SAM_SUPERVISOR_EARLY_LAUNCH", "sam.supervisor.earlyLaunch", "SAM_SUPERVISOR_EARLYLAUNCH"))
				|| isFalse(value(args, systemProperties, env, "sam.supervisor.lean", "SAM_SUPERVISOR_LEAN"));
	}

	/**
	 * The first of the names found: in the arguments (the last wins), then as system
	 * properties, then as environment variables.
	 */
	private static String value(String[] args, Properties systemProperties, Map<String, String> env, String... names) {
		for (int i = args.length - 1; i >= 0; i--) {
			for (String name : names) {
				if (args[i].startsWith("--" + name + "=")) {
					return args[i].substring(name.length() + 3);
				}
			}
		}
		for (String name : names) {
			if (systemProperties.getProperty(name) != null) {
				return systemProperties.getProperty(name);
			}
		}
		for (String name : names) {
			if (env.get(name) != null) {
				return env.get(name);
			}
		}
		return null;
	}

	private static boolean isFalse(String value) {
		return value != null && value.trim().equalsIgnoreCase("false");
	}

	/**
	 * Whether this process is an instance its supervisor launched: the supervisor it was
	 * told of is its parent. A process an instance started itself inherits the variable
	 * but has another parent, and may become a supervisor.
	 * @param supervisorPid the variable's value, or {@code null}
	 * @param parentPid this process's parent
	 * @return whether it is an active process
	 */
	static boolean isActiveProcess(String supervisorPid, Optional<Long> parentPid) {
		return supervisorPid != null && parentPid.isPresent()
				&& supervisorPid.trim().equals(Long.toString(parentPid.get()));
	}

	/**
	 * Whether the jar of this file name is one samboot's decision or its lean supervisor
	 * loads classes from.
	 * @param fileName the jar's file name
	 * @return whether it is copied out
	 */
	static boolean isSupervisorJar(String fileName) {
		if (!fileName.endsWith(".jar")) {
			return false;
		}
		for (String prefix : SUPERVISOR_JARS) {
			if (fileName.startsWith(prefix)) {
				return true;
			}
		}
		return false;
	}

	private static Path executableJar() {
		CodeSource source = SamJarLauncher.class.getProtectionDomain().getCodeSource();
		try {
			Path path = (source != null && source.getLocation() != null) ? Path.of(source.getLocation().toURI()) : null;
			return (path != null && Files.isRegularFile(path)) ? path : null;
		}
		catch (URISyntaxException | IllegalArgumentException ex) {
			return null;
		}
	}

	private static boolean hasAutoConfiguration(List<Path> jars) {
		for (Path jar : jars) {
			if (fileName(jar).startsWith(AUTOCONFIGURE_JAR)) {
				return true;
			}
		}
		return false;
	}

	private static String fileName(Path path) {
		return path.getFileName().toString();
	}

	private static void delete(Path directory) {
		File[] files = directory.toFile().listFiles();
		if (files != null) {
			for (File file : files) {
				file.delete();
			}
		}
		directory.toFile().delete();
	}

	private static boolean isEmpty(String value) {
		return value == null || value.isEmpty();
	}

}
