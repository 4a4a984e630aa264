package dev.samboot.layout;

import java.io.File;
import java.util.Locale;

import org.springframework.boot.loader.tools.Layout;
import org.springframework.boot.loader.tools.LayoutFactory;

/**
 * The {@code layoutFactory} of {@code spring-boot-maven-plugin} for a jar whose launcher
 * starts samboot's supervisor before Spring Boot loads:
 *
 * <pre class="code">
 * &lt;plugin&gt;
 *   &lt;groupId&gt;org.springframework.boot&lt;/groupId&gt;
 *   &lt;artifactId&gt;spring-boot-maven-plugin&lt;/artifactId&gt;
 *   &lt;configuration&gt;
 *     &lt;layoutFactory implementation="dev.samboot.layout.SamLayoutFactory"/&gt;
 *   &lt;/configuration&gt;
 *   &lt;dependencies&gt;
 *     &lt;dependency&gt;
 *       &lt;groupId&gt;dev.samboot&lt;/groupId&gt;
 *       &lt;artifactId&gt;sam-spring-boot-layout&lt;/artifactId&gt;
 *       &lt;version&gt;...&lt;/version&gt;
 *     &lt;/dependency&gt;
 *   &lt;/dependencies&gt;
 * &lt;/plugin&gt;
 * </pre>
 *
 * Only a jar: a war is deployed or launched by Spring Boot's own launcher.
 */
public class SamLayoutFactory implements LayoutFactory {

	@Override
	public Layout getLayout(File source) {
		String name = source.getName().toLowerCase(Locale.ROOT);
		if (!name.endsWith(".jar")) {
			throw new IllegalStateException("samboot's layout is for an executable jar, not " + source.getName()
					+ "; leave layoutFactory unset for it");
		}
		return new SamLayout();
	}

}
