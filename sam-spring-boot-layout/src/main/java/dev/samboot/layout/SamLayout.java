package dev.samboot.layout;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

import org.springframework.boot.loader.tools.CustomLoaderLayout;
import org.springframework.boot.loader.tools.Layouts;
import org.springframework.boot.loader.tools.LoaderClassesWriter;

/**
 * Spring Boot's jar layout with samboot's {@code dev.samboot.launcher.SamJarLauncher} as
 * the {@code Main-Class}: the loader's classes are written as usual, and the launcher's
 * beside them. The launcher is named, not referred to: its superclass, the loader's
 * {@code JarLauncher}, is not on the build plugin's class path.
 */
public class SamLayout extends Layouts.Jar implements CustomLoaderLayout {

	/** The class files written at the root of the jar, beside the loader's. */
	static final List<String> LAUNCHER_CLASSES = List.of("dev/samboot/launcher/SamJarLauncher.class",
			"dev/samboot/launcher/SamJarLauncher$Copies.class");

	/** The launcher's class name. */
	static final String LAUNCHER = "dev.samboot.launcher.SamJarLauncher";

	@Override
	public String getLauncherClassName() {
		return LAUNCHER;
	}

	@Override
	public void writeLoadedClasses(LoaderClassesWriter writer) throws IOException {
		writer.writeLoaderClasses();
		for (String entry : LAUNCHER_CLASSES) {
			try (InputStream content = SamLayout.class.getClassLoader().getResourceAsStream(entry)) {
				if (content == null) {
					throw new IOException("samboot's layout cannot find " + entry + " in its own jar");
				}
				writer.writeEntry(entry, content);
			}
		}
	}

}
