package dev.samboot.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import dev.samboot.sam.Sam;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.aot.AotDetector;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;

/**
 * {@link OnRegisteredSamCondition} evaluated again when an application processed ahead of
 * time runs. Its bean definitions were fixed when it was processed, and samboot's were
 * contributed as if the JVM were registered: the {@code Sam} bean and the beans of
 * samboot's auto-configurations that are conditional on it (lifecycle, availability,
 * health check, endpoint, metrics). When the JVM that runs the application is not
 * registered after all (a native image, {@code sam.enabled=false} given only at run time,
 * tests: {@link SamApplicationListener} has said why at INFO), this removes them before
 * any bean is created, so that the application starts unsupervised with the beans it
 * would have had without AOT, and {@code ObjectProvider<Sam>} gives nothing.
 *
 * <p>
 * Removing the definitions, rather than having each bean cope with a missing handle,
 * keeps the beans as they are and their contract (a {@code Sam} bean is a registered
 * handle) the same with and without AOT. It does nothing unless the bean definitions come
 * from AOT processing, nor when the application defines its own {@code Sam} bean.
 */
final class RegisteredSamCheck implements BeanDefinitionRegistryPostProcessor {

	private static final Log logger = LogFactory.getLog(RegisteredSamCheck.class);

	/**
	 * The package of samboot's auto-configurations, whose bean names are their class
	 * names.
	 */
	private static final String AUTO_CONFIGURATIONS = SamAutoConfiguration.class.getPackageName() + ".";

	/**
	 * The types of the beans of samboot's auto-configurations that need a registered
	 * handle. By name: the health check, endpoint and metrics classes need optional
	 * dependencies.
	 */
	private static final Set<String> NEED_REGISTERED_SAM = Set.of(Sam.class.getName(), SamLifecycle.class.getName(),
			SamAvailability.class.getName(), AUTO_CONFIGURATIONS + "health.ActuatorHealthCheck",
			AUTO_CONFIGURATIONS + "endpoint.SamEndpoint", AUTO_CONFIGURATIONS + "endpoint.SamInfoContributor",
			AUTO_CONFIGURATIONS + "metrics.SamMetrics");

	private final BooleanSupplier aheadOfTime;

	private final Supplier<ConditionOutcome> registration;

	RegisteredSamCheck() {
		this(AotDetector::useGeneratedArtifacts, OnRegisteredSamCondition::registration);
	}

	/**
	 * Create a new instance.
	 * @param aheadOfTime whether the bean definitions come from AOT processing
	 * @param registration whether this JVM is registered
	 */
	RegisteredSamCheck(BooleanSupplier aheadOfTime, Supplier<ConditionOutcome> registration) {
		this.aheadOfTime = aheadOfTime;
		this.registration = registration;
	}

	@Override
	public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) throws BeansException {
		if (!this.aheadOfTime.getAsBoolean() || !(registry instanceof ConfigurableListableBeanFactory beanFactory)) {
			return;
		}
		ConditionOutcome registration = this.registration.get();
		if (registration.isMatch()) {
			return;
		}
		List<String> needRegisteredSam = new ArrayList<>();
		boolean oursIsTheSam = false;
		for (String name : registry.getBeanDefinitionNames()) {
			BeanDefinition definition = registry.getBeanDefinition(name);
			String factory = definition.getFactoryBeanName();
			if (factory == null || !factory.startsWith(AUTO_CONFIGURATIONS)) {
				continue;
			}
			Class<?> type = beanFactory.getType(name, false);
			if (type != null && NEED_REGISTERED_SAM.contains(type.getName())) {
				needRegisteredSam.add(name);
				oursIsTheSam |= type == Sam.class;
			}
		}
		if (!oursIsTheSam) {
			// the application's own Sam bean, or none
			return;
		}
		needRegisteredSam.forEach(registry::removeBeanDefinition);
		if (logger.isDebugEnabled()) {
			logger.debug(registration.getMessage() + ": removed " + needRegisteredSam
					+ ", contributed when the application was processed ahead of time");
		}
	}

}
