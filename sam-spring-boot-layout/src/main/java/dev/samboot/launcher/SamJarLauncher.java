package dev.samboot.launcher;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

import org.springframework.boot.loader.launch.JarLauncher;

/**
 * The {@code Main-Class} of an executable jar built with {@code SamLayoutFactory}: Spring
 * Boot's {@link JarLauncher}, which first lets samboot become the supervisor, before the
 * application's main class (and Spring Boot) loads. Where the command line, system
 * properties and environment variables leave supervision on, the process the user started
 * launches instance 1 here, a fraction of a second after {@code java} started, and is
 * replaced by the lean supervisor; elsewhere (supervision off, an instance, a
 * {@code jarmode}) the application starts as with {@link JarLauncher}.
 *
 * <p>
 * This class sits at the root of the jar, beside the loader's classes, and uses nothing
 * but them and the JDK; samboot's own classes are loaded from the jar's libraries by the
 * class loader the application gets.
 */
public class SamJarLauncher extends JarLauncher {

	/** The class that decides, in samboot's auto-configuration. */
	static final String SUPERVISOR_ENTRY = "dev.samboot.autoconfigure.SamStartingListener";

	/** Its static method, taking the application's arguments. */
	static final String SUPERVISOR_METHOD = "superviseBeforeSpringBoot";

	public SamJarLauncher() throws Exception {
	}

	public static void main(String[] args) throws Exception {
		new SamJarLauncher().launch(args);
	}

	@Override
	protected void launch(ClassLoader classLoader, String mainClassName, String[] args) throws Exception {
		if (isEmpty(System.getProperty("jarmode"))) {
			superviseFirst(classLoader, args);
		}
		super.launch(classLoader, mainClassName, args);
	}

	/**
	 * Let samboot become the supervisor; does not return when it does. Any failure is
	 * said on standard error and the application starts as it would without this
	 * launcher, where samboot's listeners supervise it in the way that keeps this process
	 * until its configuration is read (the first listener does not try this again).
	 * @param classLoader the application's class loader
	 * @param args the application's arguments
	 */
	static void superviseFirst(ClassLoader classLoader, String[] args) {
		Thread thread = Thread.currentThread();
		ClassLoader previous = thread.getContextClassLoader();
		thread.setContextClassLoader(classLoader);
		try {
			Class<?> entry = Class.forName(SUPERVISOR_ENTRY, false, classLoader);
			Method method = entry.getMethod(SUPERVISOR_METHOD, String[].class);
			method.invoke(null, (Object) args.clone());
		}
		catch (ClassNotFoundException ex) {
			System.err.println("samboot: the jar is built with samboot's layout, but sam-spring-boot-starter is not "
					+ "in it: the application runs unsupervised");
		}
		catch (InvocationTargetException ex) {
			System.err.println("samboot: could not supervise before Spring Boot starts (" + ex.getCause()
					+ "); its listeners supervise the application once Spring Boot runs");
		}
		catch (ReflectiveOperationException | LinkageError ex) {
			System.err.println("samboot: this launcher does not match the samboot version in the jar (" + ex
					+ "); the application starts as without it");
		}
		finally {
			thread.setContextClassLoader(previous);
		}
	}

	private static boolean isEmpty(String value) {
		return value == null || value.isEmpty();
	}

}
