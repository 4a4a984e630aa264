package dev.samboot.sample;

import java.nio.file.Files;
import java.nio.file.Path;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * A start-up check that can be made to fail: with {@code demo.startup.required-file} set
 * (it is not by default), the application refuses to start while that file does not
 * exist, as one whose configuration or credentials file is missing. The exception is
 * thrown while the context is refreshed, so the JVM exits before the application is
 * ready, before samboot's {@code start()}.
 */
@Component
public class RequiredFileCheck implements InitializingBean {

	private final String requiredFile;

	public RequiredFileCheck(@Value("${demo.startup.required-file:}") String requiredFile) {
		this.requiredFile = requiredFile;
	}

	@Override
	public void afterPropertiesSet() {
		if (!this.requiredFile.isEmpty() && !Files.exists(Path.of(this.requiredFile))) {
			throw new IllegalStateException("demo.startup.required-file is '" + this.requiredFile
					+ "', which does not exist: the application does not start without it");
		}
	}

}
