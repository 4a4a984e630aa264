package dev.samboot.autoconfigure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.samboot.autoconfigure.endpoint.SamEndpoint;
import dev.samboot.autoconfigure.endpoint.SamEndpointAutoConfiguration;
import dev.samboot.autoconfigure.health.ActuatorHealthCheck;
import dev.samboot.autoconfigure.health.SamHealthCheckAutoConfiguration;
import dev.samboot.autoconfigure.metrics.SamMetrics;
import dev.samboot.autoconfigure.metrics.SamMetricsAutoConfiguration;
import dev.samboot.sam.Sam;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.aot.generate.ClassNameGenerator;
import org.springframework.aot.generate.DefaultGenerationContext;
import org.springframework.aot.generate.GeneratedFiles.Kind;
import org.springframework.aot.generate.InMemoryGeneratedFiles;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.aot.AbstractAotProcessor;
import org.springframework.context.aot.ApplicationContextAotGenerator;
import org.springframework.javapoet.ClassName;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * samboot in an application processed ahead of time: the bean definitions are fixed by a
 * JVM that is never registered, so they are contributed as if registered, and removed at
 * run time from a JVM that is not. Running the processed application in a registered JVM
 * is {@code AotIT}'s (in the sample application).
 */
@Timeout(60)
class SamAheadOfTimeTests {

	private static final String EXPOSED = "management.endpoints.web.exposure.include=health,sam";

	/**
	 * The beans that need a registered handle, by the names the auto-configurations give
	 * them.
	 */
	private static final List<String> NEED_REGISTERED_SAM = List.of("sam", "samLifecycle", "samAvailability",
			"samHealthCheck", "samEndpoint", "samMetrics");

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withUserConfiguration(Application.class)
		.withPropertyValues(EXPOSED);

	@Test
	void processingAheadOfTimeContributesSamAndTheBeansThatNeedItAsIfRegistered() {
		String registrations = processAheadOfTime(EXPOSED);
		for (String name : NEED_REGISTERED_SAM) {
			assertThat(registrations).contains(registration(name));
		}
		assertThat(registrations).contains(registration("registeredSamCheck"));
	}

	@Test
	void samEnabledFalseWhenProcessedContributesNone() {
		String registrations = processAheadOfTime(EXPOSED, "sam.enabled=false");
		for (String name : NEED_REGISTERED_SAM) {
			assertThat(registrations).doesNotContain(registration(name));
		}
		assertThat(registrations).doesNotContain(registration("registeredSamCheck"));
	}

	@Test
	void anUnregisteredJvmEndsWithTheBeansItHasWithoutAot() {
		Set<String> withoutAot = new TreeSet<>();
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed().doesNotHaveBean(Sam.class);
			withoutAot.addAll(Arrays.asList(context.getBeanDefinitionNames()));
		});
		// the definitions as processed ahead of time, then the check as it runs in the
		// processed
		// application; the sam() factory method would fail if it ran
		this.runner.withSystemProperties(AbstractAotProcessor.AOT_PROCESSING + "=true")
			.withBean("aheadOfTime", RegisteredSamCheck.class,
					() -> new RegisteredSamCheck(() -> true, OnRegisteredSamCondition::registration))
			.run((context) -> {
				assertThat(context).hasNotFailed()
					.doesNotHaveBean(Sam.class)
					.doesNotHaveBean(SamLifecycle.class)
					.doesNotHaveBean(SamAvailability.class)
					.doesNotHaveBean(ActuatorHealthCheck.class)
					.doesNotHaveBean(SamEndpoint.class)
					.doesNotHaveBean(SamMetrics.class)
					.hasSingleBean(SamSettings.class);
				assertThat(context.getBeanProvider(Sam.class).getIfAvailable()).isNull();
				Set<String> names = new TreeSet<>(Arrays.asList(context.getBeanDefinitionNames()));
				names.remove("aheadOfTime");
				assertThat(names).isEqualTo(withoutAot);
			});
	}

	@Test
	void checkRemovesTheProcessedBeansOnlyFromAnUnregisteredJvm() {
		DefaultListableBeanFactory unregistered = processedBeanFactory();
		new RegisteredSamCheck(() -> true, () -> ConditionOutcome.noMatch("not registered"))
			.postProcessBeanDefinitionRegistry(unregistered);
		assertThat(unregistered.getBeanDefinitionNames()).containsExactlyInAnyOrder("samSettings", "demo",
				SamAutoConfiguration.class.getName());

		DefaultListableBeanFactory registered = processedBeanFactory();
		new RegisteredSamCheck(() -> true, () -> ConditionOutcome.match("instance 1"))
			.postProcessBeanDefinitionRegistry(registered);
		assertThat(registered.getBeanDefinitionNames()).containsAll(NEED_REGISTERED_SAM);

		DefaultListableBeanFactory withoutAot = processedBeanFactory();
		new RegisteredSamCheck(() -> false, () -> ConditionOutcome.noMatch("not registered"))
			.postProcessBeanDefinitionRegistry(withoutAot);
		assertThat(withoutAot.getBeanDefinitionNames()).containsAll(NEED_REGISTERED_SAM);
	}

	@Test
	void checkLeavesTheApplicationsOwnSamAlone() {
		DefaultListableBeanFactory beanFactory = processedBeanFactory();
		beanFactory.removeBeanDefinition("sam");
		beanFactory.registerBeanDefinition("mySam", definition(Sam.class, "com.example.Application"));
		new RegisteredSamCheck(() -> true, () -> ConditionOutcome.noMatch("not registered"))
			.postProcessBeanDefinitionRegistry(beanFactory);
		assertThat(beanFactory.getBeanDefinitionNames()).contains("mySam", "samLifecycle", "samEndpoint");
	}

	/**
	 * Bean definitions as AOT processing writes them: the type, the factory bean, an
	 * instance supplier (never called here).
	 */
	private static DefaultListableBeanFactory processedBeanFactory() {
		DefaultListableBeanFactory beanFactory = new DefaultListableBeanFactory();
		String prefix = "dev.samboot.autoconfigure.";
		beanFactory.registerBeanDefinition(SamAutoConfiguration.class.getName(),
				new RootBeanDefinition(SamAutoConfiguration.class));
		beanFactory.registerBeanDefinition("samSettings",
				definition(SamSettings.class, prefix + "SamAutoConfiguration"));
		beanFactory.registerBeanDefinition("sam", definition(Sam.class, prefix + "SamAutoConfiguration"));
		beanFactory.registerBeanDefinition("samLifecycle",
				definition(SamLifecycle.class, prefix + "SamAutoConfiguration"));
		beanFactory.registerBeanDefinition("samAvailability",
				definition(SamAvailability.class, prefix + "SamAutoConfiguration"));
		beanFactory.registerBeanDefinition("samHealthCheck",
				definition(ActuatorHealthCheck.class, prefix + "health.SamHealthCheckAutoConfiguration"));
		beanFactory.registerBeanDefinition("samEndpoint", definition(SamEndpoint.class,
				prefix + "endpoint.SamEndpointAutoConfiguration$SamEndpointConfiguration"));
		beanFactory.registerBeanDefinition("samMetrics",
				definition(SamMetrics.class, prefix + "metrics.SamMetricsAutoConfiguration"));
		beanFactory.registerBeanDefinition("demo", definition(String.class, "com.example.Application"));
		return beanFactory;
	}

	private static RootBeanDefinition definition(Class<?> type, String factoryBean) {
		RootBeanDefinition definition = new RootBeanDefinition(type);
		definition.setFactoryBeanName(factoryBean);
		definition.setInstanceSupplier(() -> {
			throw new AssertionError("not created in these tests");
		});
		return definition;
	}

	private static String registration(String name) {
		return "registerBeanDefinition(\"" + name + "\"";
	}

	/**
	 * Process the auto-configurations ahead of time, as {@code spring-boot:process-aot}
	 * does, and return the generated bean registrations.
	 */
	private static String processAheadOfTime(String... properties) {
		String previous = System.setProperty(AbstractAotProcessor.AOT_PROCESSING, "true");
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext()) {
			TestPropertyValues.of(properties).applyTo(context);
			context.register(Application.class);
			InMemoryGeneratedFiles files = new InMemoryGeneratedFiles();
			DefaultGenerationContext generation = new DefaultGenerationContext(
					new ClassNameGenerator(ClassName.get(Application.class)), files);
			new ApplicationContextAotGenerator().processAheadOfTime(context, generation);
			generation.writeGeneratedContent();
			Map<String, ?> sources = files.getGeneratedFiles(Kind.SOURCE);
			String path = sources.keySet()
				.stream()
				.filter((name) -> name.endsWith("__BeanFactoryRegistrations.java"))
				.findFirst()
				.orElseThrow(() -> new AssertionError("No bean registrations among " + sources.keySet()));
			return files.getGeneratedFileContent(Kind.SOURCE, path);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		finally {
			if (previous != null) {
				System.setProperty(AbstractAotProcessor.AOT_PROCESSING, previous);
			}
			else {
				System.clearProperty(AbstractAotProcessor.AOT_PROCESSING);
			}
		}
	}

	/** The auto-configurations of samboot and of what its beans use. */
	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ SamAutoConfiguration.class, SamHealthCheckAutoConfiguration.class,
			SamEndpointAutoConfiguration.class, SamMetricsAutoConfiguration.class, EndpointAutoConfiguration.class,
			HealthContributorAutoConfiguration.class, HealthContributorRegistryAutoConfiguration.class,
			HealthEndpointAutoConfiguration.class, MetricsAutoConfiguration.class,
			CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class })
	static class Application {

	}

}
