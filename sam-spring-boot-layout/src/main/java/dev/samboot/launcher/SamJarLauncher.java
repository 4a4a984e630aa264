package dev.samboot.launcher;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.springframework.boot.loader.launch.JarLauncher;
import org.springframework.boot.loader.launch.LaunchedClassLoader;

/**
 * The {@code Main-Class} of an executable jar built with {@code SamLayoutFactory}: Spring
 * Boot's {@link JarLauncher}, which first lets samboot become the supervisor, before the
 * application's class loader exists. Where the command line, system properties and
 * environment variables leave supervision on, the process the user started launches
 * instance 1 here, a fraction of a second after {@code java} started, and is replaced by
 * the lean supervisor; elsewhere (supervision off, an instance, a {@code jarmode}) the
 * application starts as with {@link JarLauncher}.
 *
 * <p>
 * samboot's decision is loaded in a class loader of its own that holds only the
 * auto-configuration's, the core's and the native-access (jnr, jffi, asm) jars: a class
 * found through the application's class loader would be searched for in every jar before
 * it, and the supervisor needs none of them. This class sits at the root of the jar,
 * beside the loader's classes, and uses nothing but them and the JDK.
 */
public class SamJarLauncher extends JarLauncher {

	/** The class that decides, in samboot's auto-configuration. */
	static final String SUPERVISOR_ENTRY = "dev.samboot.autoconfigure.LauncherSupervision";

	/**
	 * Its static method, taking the application's arguments and whether DevTools is in
	 * the jar.
	 */
	static final String SUPERVISOR_METHOD = "superviseBeforeSpringBoot";

	/** The jar that holds {@link #SUPERVISOR_ENTRY}. */
	static final String AUTOCONFIGURE_JAR = "sam-spring-boot-autoconfigure-";

	/** The jars the decision and the lean supervisor load classes from, by file name. */
	static final List<String> SUPERVISOR_JARS = List.of(AUTOCONFIGURE_JAR, "sam-core-", "jnr-", "jffi-", "asm-",
			"asm.jar");

	private static final String DEVTOOLS_JAR = "spring-boot-devtools-";

	/**
	 * The variable that names an active process's supervisor, which is its parent (the
	 * core's {@code SamEnvironment.SUPERVISOR_PID}).
	 */
	static final String SUPERVISOR_PID = "SAM_SUPERVISOR_PID";

	/**
	 * What the last try said, for samboot's first listener; {@code null} if none was
	 * made.
	 */
	private static volatile String outcome;

	private String[] args = new String[0];

	public SamJarLauncher() throws Exception {
	}

	public static void main(String[] args) throws Exception {
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

	@Override
	protected void launch(String[] args) throws Exception {
		this.args = args.clone();
		super.launch(args);
	}

	@Override
	protected ClassLoader createClassLoader(Collection<URL> urls) throws Exception {
		if (isActiveProcess(System.getenv(SUPERVISOR_PID), ProcessHandle.current().parent().map(ProcessHandle::pid))) {
			// every restarted instance starts here: saves it opening samboot's jars twice
			outcome = "this process is an active process";
		}
		else if (isEmpty(System.getProperty("jarmode"))) {
			outcome = superviseFirst(urls, this.args);
		}
		return super.createClassLoader(urls);
	}

	/**
	 * Let samboot become the supervisor; does not return when it does. Any failure is
	 * said on standard error and the application starts as it would without this
	 * launcher, where samboot's listeners supervise it in the way that keeps this process
	 * until its configuration is read (the first listener does not try this again).
	 * @param urls the application's class path
	 * @param args the application's arguments
	 * @return why this process goes on as the application
	 */
	static String superviseFirst(Collection<URL> urls, String[] args) {
		List<URL> supervisor = new ArrayList<>();
		boolean autoConfiguration = false;
		boolean devTools = false;
		for (URL url : urls) {
			String name = fileName(url);
			devTools |= name.startsWith(DEVTOOLS_JAR);
			autoConfiguration |= name.startsWith(AUTOCONFIGURE_JAR);
			if (isSupervisorJar(name)) {
				supervisor.add(url);
			}
		}
		if (!autoConfiguration) {
			System.err.println("samboot: the jar is built with samboot's layout, but sam-spring-boot-starter is not "
					+ "in it: the application runs unsupervised");
			return "sam-spring-boot-starter is not in the jar";
		}
		Thread thread = Thread.currentThread();
		ClassLoader previous = thread.getContextClassLoader();
		ClassLoader loader = new LaunchedClassLoader(false, supervisor.toArray(new URL[0]),
				SamJarLauncher.class.getClassLoader());
		thread.setContextClassLoader(loader);
		try {
			Class<?> entry = Class.forName(SUPERVISOR_ENTRY, false, loader);
			Method method = entry.getMethod(SUPERVISOR_METHOD, String[].class, boolean.class);
			return String.valueOf(method.invoke(null, args.clone(), devTools));
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
	 * Whether this process is an instance its supervisor launched: the supervisor it was
	 * told of is its parent. A process an instance started itself inherits the variable
	 * but has another parent, and may become a supervisor.
	 * @param supervisorPid the variable's value, or {@code null}
	 * @param parentPid this process's parent
	 * @return whether it is an active process
	 */
	static boolean isActiveProcess(String supervisorPid, java.util.Optional<Long> parentPid) {
		return supervisorPid != null && parentPid.isPresent()
				&& supervisorPid.trim().equals(Long.toString(parentPid.get()));
	}

	/**
	 * Whether the jar of this file name is one samboot's decision or its lean supervisor
	 * loads classes from.
	 * @param fileName the jar's file name
	 * @return whether it goes into the launcher's class loader
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

	/**
	 * The file name of a class path entry, such as {@code sam-core-1.0.jar} for
	 * {@code jar:nested:/app.jar/!BOOT-INF/lib/sam-core-1.0.jar!/}.
	 * @param url the entry
	 * @return its last path segment
	 */
	static String fileName(URL url) {
		String path = url.toString();
		if (path.endsWith("!/")) {
			path = path.substring(0, path.length() - 2);
		}
		while (path.endsWith("/")) {
			path = path.substring(0, path.length() - 1);
		}
		return path.substring(path.lastIndexOf('/') + 1);
	}

	private static boolean isEmpty(String value) {
		return value == null || value.isEmpty();
	}

}
