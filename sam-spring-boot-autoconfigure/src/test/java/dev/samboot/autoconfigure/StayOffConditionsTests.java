package dev.samboot.autoconfigure;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each place where the JVM must not become a supervisor is recognized and named.
 */
class StayOffConditionsTests {

	private static final StackTraceElement[] MAIN = { frame("com.example.App", "main") };

	@Test
	void theAotProcessingPropertyIsSpringsOwn() {
		assertThat(StayOffReasons.AOT_PROCESSING)
			.isEqualTo(org.springframework.context.aot.AbstractAotProcessor.AOT_PROCESSING);
	}

	@Test
	void aPlainMainOnLinuxIsSupervised() {
		assertThat(StayOffReasons.reason(MAIN, false, false, false, true)).isNull();
	}

	@Test
	void withoutPosixSignalsItStaysOff() {
		assertThat(StayOffReasons.reason(MAIN, false, false, false, false)).contains("no POSIX signals");
	}

	@Test
	void nativeImageAotProcessingAndDevToolsStayOff() {
		assertThat(StayOffReasons.reason(MAIN, false, true, false, true)).contains("native image");
		assertThat(StayOffReasons.reason(MAIN, false, false, true, true)).contains("AOT processing");
		assertThat(StayOffReasons.reason(MAIN, true, false, false, true)).contains("DevTools");
	}

	@Test
	void testRunnersAndSpringTestSupportStayOff() {
		assertThat(reasonFor("org.junit.platform.launcher.core.EngineExecutionOrchestrator")).contains("under tests");
		assertThat(reasonFor("org.springframework.boot.test.context.SpringBootContextLoader")).contains("under tests");
		assertThat(reasonFor("org.springframework.test.context.cache.DefaultCacheAwareContextLoaderDelegate"))
			.contains("under tests");
	}

	@Test
	void servletContainerDeploymentStaysOff() {
		assertThat(reasonFor("org.springframework.boot.web.servlet.support.SpringBootServletInitializer"))
			.contains("servlet container");
	}

	private static String reasonFor(String caller) {
		StackTraceElement[] stack = { frame("org.springframework.boot.SpringApplication", "run"), frame(caller, "load"),
				frame("com.example.App", "main") };
		return StayOffReasons.reason(stack, false, false, false, true);
	}

	private static StackTraceElement frame(String className, String method) {
		return new StackTraceElement(className, method, null, -1);
	}

}
