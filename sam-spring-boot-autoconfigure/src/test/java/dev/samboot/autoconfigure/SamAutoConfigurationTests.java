package dev.samboot.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.samboot.autoconfigure.endpoint.SamEndpoint;
import dev.samboot.autoconfigure.endpoint.SamEndpointAutoConfiguration;
import dev.samboot.autoconfigure.health.ActuatorHealthCheck;
import dev.samboot.autoconfigure.health.DeadlockHealthIndicator;
import dev.samboot.autoconfigure.health.HealthCheckResult;
import dev.samboot.autoconfigure.health.SamHealthCheckAutoConfiguration;
import dev.samboot.autoconfigure.metrics.SamMetrics;
import dev.samboot.autoconfigure.metrics.SamMetricsAutoConfiguration;
import dev.samboot.sam.InProcessSupervisor;
import dev.samboot.sam.Recovery;
import dev.samboot.sam.RecoveryPolicy;
import dev.samboot.sam.Sam;
import dev.samboot.sam.SamState;
import dev.samboot.sam.Signals;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.support.AbstractBeanDefinition;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.AvailabilityProbesAutoConfiguration;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The auto-configurations, their conditions and back-offs. Where an active process is
 * needed, a real supervisor runs in this JVM ({@link InProcessSupervisor}) and the
 * registered handle is given to the context as the application's own {@code Sam} bean.
 */
@Timeout(30)
class SamAutoConfigurationTests {

	private static final Duration INTERVAL = Duration.ofMillis(400);

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SamAutoConfiguration.class, SamHealthCheckAutoConfiguration.class,
				SamEndpointAutoConfiguration.class, SamMetricsAutoConfiguration.class, EndpointAutoConfiguration.class,
				HealthContributorAutoConfiguration.class, HealthContributorRegistryAutoConfiguration.class,
				HealthEndpointAutoConfiguration.class, ApplicationAvailabilityAutoConfiguration.class,
				AvailabilityProbesAutoConfiguration.class, MetricsAutoConfiguration.class,
				CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class))
		.withPropertyValues("management.endpoints.web.exposure.include=health,sam");

	private InProcessSupervisor supervisor;

	private Sam sam;

	@BeforeEach
	void registerWithARealSupervisor() throws Exception {
		this.supervisor = InProcessSupervisor.start(INTERVAL, RecoveryPolicy.RESTART);
		this.sam = this.supervisor.register();
	}

	@AfterEach
	void closeSupervisor() throws Exception {
		this.supervisor.close();
	}

	private ApplicationContextRunner active() {
		return this.runner.withBean(Sam.class, () -> this.sam, SamAutoConfigurationTests::noDestroyMethod);
	}

	@Test
	void withoutAnActiveProcessThereIsNoSamButSettingsAreStillChecked() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(SamSettings.class);
			assertThat(context).doesNotHaveBean(Sam.class)
				.doesNotHaveBean(SamLifecycle.class)
				.doesNotHaveBean(ActuatorHealthCheck.class)
				.doesNotHaveBean(SamEndpoint.class)
				.doesNotHaveBean(SamMetrics.class);
		});
	}

	@Test
	void badPropertyFailsTheContextEvenWhenSupervisionIsOff() {
		this.runner.withPropertyValues("sam.warn-signal=99").run((context) -> {
			assertThat(context).hasFailed();
			InvalidSamPropertyException failure = invalidProperty(context.getStartupFailure());
			assertThat(failure.getProperty()).isEqualTo("sam.warn-signal");
			assertThat(failure.getValue()).isEqualTo("99");
			assertThat(failure.getAllowed()).contains("from 1 to 64");
		});
	}

	@Test
	void activeProcessGetsLifecycleHealthCheckEndpointAndMetrics() {
		active().run((context) -> assertThat(context).hasSingleBean(SamLifecycle.class)
			.hasSingleBean(ActuatorHealthCheck.class)
			.hasSingleBean(SamEndpoint.class)
			.hasSingleBean(SamMetrics.class));
	}

	@Test
	void samEnabledFalseBacksOffEntirely() {
		active().withPropertyValues("sam.enabled=false", "sam.policy=nonsense")
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(SamSettings.class)
				.doesNotHaveBean(SamLifecycle.class)
				.doesNotHaveBean(SamEndpoint.class)
				.doesNotHaveBean(SamMetrics.class));
	}

	@Test
	void endpointNotExposedMeansNoEndpoint() {
		active().withPropertyValues("management.endpoints.web.exposure.include=health")
			.run((context) -> assertThat(context).hasSingleBean(SamLifecycle.class).doesNotHaveBean(SamEndpoint.class));
	}

	@Test
	void withoutMicrometerThereAreNoMetrics() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SamAutoConfiguration.class, SamHealthCheckAutoConfiguration.class,
					SamEndpointAutoConfiguration.class, SamMetricsAutoConfiguration.class,
					EndpointAutoConfiguration.class, HealthContributorRegistryAutoConfiguration.class,
					HealthEndpointAutoConfiguration.class))
			.withPropertyValues("management.endpoints.web.exposure.include=sam")
			.withClassLoader(new FilteredClassLoader("io.micrometer"))
			.withBean(Sam.class, () -> this.sam, SamAutoConfigurationTests::noDestroyMethod)
			.run((context) -> assertThat(context).hasSingleBean(SamEndpoint.class).doesNotHaveBean(SamMetrics.class));
	}

	@Test
	void withoutActuatorTheApplicationIsStillSupervised() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SamAutoConfiguration.class, SamHealthCheckAutoConfiguration.class,
					SamEndpointAutoConfiguration.class, SamMetricsAutoConfiguration.class,
					ApplicationAvailabilityAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate",
					"org.springframework.boot.health", "io.micrometer"))
			.withBean(Sam.class, () -> this.sam, SamAutoConfigurationTests::noDestroyMethod)
			.run((context) -> {
				assertThat(context).hasSingleBean(SamLifecycle.class)
					.doesNotHaveBean(SamEndpoint.class)
					.doesNotHaveBean(SamMetrics.class);
				assertThat(context.getBean(ActuatorHealthCheck.class).description())
					.as("the LivenessState, which needs no Actuator")
					.isEqualTo("the application's LivenessState");
			});
	}

	@Test
	void healthDisabledLeavesHeartbeatsToTheApplication() {
		active().withPropertyValues("sam.health.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(ActuatorHealthCheck.class);
			ready(context);
			assertThat(this.sam.state()).isEqualTo(SamState.STARTED);
			assertThat(this.sam.eventDriven()).isFalse();
		});
	}

	@Test
	void usersOwnBeansWin() {
		SamEndpoint endpoint = new SamEndpoint(this.sam, null);
		SamMetrics metrics = new SamMetrics(this.sam);
		active().withBean("myEndpoint", SamEndpoint.class, () -> endpoint)
			.withBean("myMetrics", SamMetrics.class, () -> metrics)
			.run((context) -> {
				assertThat(context).getBean(SamEndpoint.class).isSameAs(endpoint);
				assertThat(context).getBean(SamMetrics.class).isSameAs(metrics);
			});
	}

	@Test
	void unknownHealthGroupStopsStartUpNamingTheProperty() {
		active().withPropertyValues("sam.health.group=nope", "management.endpoint.health.group.live.include=ping")
			.run((context) -> {
				assertThat(context).hasFailed();
				InvalidSamPropertyException failure = invalidProperty(context.getStartupFailure());
				assertThat(failure.getProperty()).isEqualTo("sam.health.group");
				assertThat(failure.getValue()).isEqualTo("nope");
				assertThat(failure.getAllowed()).contains("live");
			});
	}

	@Test
	void readyStartsSupervisionWithActuatorHealthAndCloseStopsIt() {
		active().withPropertyValues("management.endpoint.health.group.sam.include=ping", "sam.health.group=sam")
			.run((context) -> {
				assertThat(this.sam.state()).isEqualTo(SamState.REGISTERED);
				ready(context);
				assertThat(this.sam.state()).isEqualTo(SamState.STARTED);
				assertThat(this.sam.eventDriven()).isTrue();
				ActuatorHealthCheck check = context.getBean(ActuatorHealthCheck.class);
				assertThat(check.description()).isEqualTo("health group 'sam'");
				await().atMost(Duration.ofSeconds(5)).until(() -> check.lastResult() != null);
				assertThat(check.lastResult().outcome()).isEqualTo(HealthCheckResult.Outcome.UP);
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				await().atMost(Duration.ofSeconds(5))
					.until(() -> registry.timer("sam.healthcheck", "outcome", "up").count() >= 1);
				assertThat(registry.get("sam.instance.id").gauge().value()).isEqualTo(1.0);
				assertThat(registry.get("sam.restarts").functionCounter().count()).isZero();
				assertThat(registry.get("sam.healthcheck").tag("outcome", "down").timer().count()).isZero();
				assertThat(registry.get("sam.recoveries").functionCounters()).hasSize(Recovery.Reason.values().length)
					.allSatisfy((counter) -> assertThat(counter.count()).isZero());
				assertThat(registry.getMeters()).filteredOn((meter) -> meter.getId().getName().startsWith("sam."))
					.allSatisfy((meter) -> assertThat(meter.getId().getDescription()).isNotBlank());
				assertThat(registry.get("sam.restart.backoff").functionCounter().getId().getBaseUnit())
					.isEqualTo("seconds");
			});
		assertThat(this.sam.state()).as("a clean close calls stop()").isEqualTo(SamState.REGISTERED);
		assertThat(this.supervisor.signalsSent()).as("heartbeats kept the supervisor quiet").isEmpty();
	}

	@Test
	void downIndicatorOutsideTheLivenessGroupRestartsNothing() {
		active().withBean("database", HealthIndicator.class, () -> () -> Health.down().build()).run((context) -> {
			ready(context);
			ActuatorHealthCheck check = context.getBean(ActuatorHealthCheck.class);
			assertThat(check.description()).isEqualTo("health group 'liveness'");
			await().atMost(Duration.ofSeconds(5)).until(() -> check.lastResult() != null);
			Thread.sleep(3 * INTERVAL.toMillis());
			assertThat(check.lastResult().outcome()).isEqualTo(HealthCheckResult.Outcome.UP);
			assertThat(this.supervisor.signalsSent()).isEmpty();
			assertThat(this.sam.healthCheckFailed()).isFalse();
		});
	}

	@Test
	void downIndicatorInTheLivenessGroupStopsHeartbeatsSoTheSupervisorWarnsThenKills() {
		active().withPropertyValues("management.endpoint.health.group.liveness.include=livenessState,broken")
			.withBean("broken", HealthIndicator.class, () -> () -> Health.down().build())
			.run(this::warnedThenKilledForBroken);
	}

	@Test
	void livenessGroupIsCheckedTheSameWhenTheHealthEndpointIsNotExposed() {
		active()
			.withPropertyValues("management.endpoints.web.exposure.include=sam",
					"management.endpoint.health.group.liveness.include=livenessState,broken")
			.withBean("broken", HealthIndicator.class, () -> () -> Health.down().build())
			.run((context) -> {
				assertThat(context)
					.doesNotHaveBean(org.springframework.boot.health.actuate.endpoint.HealthEndpoint.class);
				warnedThenKilledForBroken(context);
			});
	}

	@Test
	void everyIndicatorIsCheckedOnlyWhenAskedFor() {
		active().withPropertyValues("sam.health.group=*")
			.withBean("broken", HealthIndicator.class, () -> () -> Health.down().build())
			.run(this::warnedThenKilledForBroken);
	}

	private void warnedThenKilledForBroken(AssertableApplicationContext context) {
		ready(context);
		await().atMost(Duration.ofSeconds(10)).until(() -> this.supervisor.signalsSent().contains(Signals.SIGKILL));
		assertThat(this.supervisor.signalsSent()).containsExactly(Signals.SIGTERM, Signals.SIGKILL);
		assertThat(this.sam.healthCheckFailed()).isTrue();
		assertThat(context.getBean(ActuatorHealthCheck.class).lastResult().detail()).contains("broken=DOWN");
		MeterRegistry registry = context.getBean(MeterRegistry.class);
		assertThat(registry.timer("sam.healthcheck", "outcome", "down").count()).isEqualTo(1);
	}

	@Test
	void livenessGroupHoldsLivenessStateAndTheDeadlockCheckWhateverIsExposed() {
		active().run((context) -> assertThat(context.getBean(HealthEndpointGroups.class).get("liveness"))
			.satisfies((group) -> {
				assertThat(group.isMember("livenessState")).isTrue();
				assertThat(group.isMember("deadlocks")).isTrue();
				assertThat(group.isMember("db")).isFalse();
			}));
		active().withPropertyValues("management.endpoints.web.exposure.include=sam").run((context) -> {
			assertThat(context).doesNotHaveBean(HealthEndpointGroups.class);
			ready(context);
			ActuatorHealthCheck check = context.getBean(ActuatorHealthCheck.class);
			assertThat(check.description()).isEqualTo("health group 'liveness'");
		});
		active().withPropertyValues("sam.health.deadlocks.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(DeadlockHealthIndicator.class));
	}

	@Test
	void withoutProbesTheLivenessStateIsChecked() {
		active().withPropertyValues("management.endpoint.health.probes.enabled=false").run((context) -> {
			ActuatorHealthCheck check = context.getBean(ActuatorHealthCheck.class);
			assertThat(check.description()).isEqualTo("the application's LivenessState");
			ready(context);
			AvailabilityChangeEvent.publish(context, LivenessState.BROKEN);
			await().atMost(Duration.ofSeconds(10)).until(() -> this.supervisor.signalsSent().contains(Signals.SIGTERM));
			assertThat(check.lastResult().detail()).contains("livenessState=BROKEN");
		});
	}

	@Test
	void brokenLivenessIsCheckedAtOnceAndReadinessRefusesTrafficBeforeTheWarnSignal() {
		List<List<Integer>> signalsWhenRefusing = new CopyOnWriteArrayList<>();
		activeRecordingSignalsWhenRefusingTraffic(signalsWhenRefusing).run((context) -> {
			ready(context);
			// right after a regular check, so that the next one is about T away
			await().atMost(Duration.ofSeconds(5))
				.pollInterval(Duration.ofMillis(2))
				.until(() -> context.getBean(ActuatorHealthCheck.class).lastResult() != null);
			long broken = System.nanoTime();
			AvailabilityChangeEvent.publish(context, LivenessState.BROKEN);
			await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(2)).until(this.sam::healthCheckFailed);
			assertThat(Duration.ofNanos(System.nanoTime() - broken)).as("checked at once, not at the next turn")
				.isLessThan(INTERVAL.dividedBy(4));
			await().atMost(Duration.ofSeconds(5)).until(() -> this.supervisor.signalsSent().contains(Signals.SIGTERM));
			assertThat(Duration.ofNanos(System.nanoTime() - broken))
				.as("a check at once, then T/4 for the thread dump, well before T after the last heartbeat")
				.isLessThan(INTERVAL.plus(INTERVAL.dividedBy(2)));
			assertThat(context.getBean(ApplicationAvailability.class).getReadinessState())
				.isEqualTo(ReadinessState.REFUSING_TRAFFIC);
			assertThat(signalsWhenRefusing).as("readiness changed before the warn signal").containsExactly(List.of());
		});
	}

	@Test
	void markFailedRefusesTrafficBeforeTheSupervisorKills() throws Exception {
		this.supervisor.close();
		this.supervisor = InProcessSupervisor.start(INTERVAL, RecoveryPolicy.RESTART.withCmap());
		this.sam = this.supervisor.register();
		List<List<Integer>> signalsWhenRefusing = new CopyOnWriteArrayList<>();
		activeRecordingSignalsWhenRefusingTraffic(signalsWhenRefusing).run((context) -> {
			ready(context);
			this.sam.markFailed();
			await().atMost(Duration.ofSeconds(5)).until(() -> this.supervisor.signalsSent().contains(Signals.SIGKILL));
			assertThat(context.getBean(ApplicationAvailability.class).getReadinessState())
				.isEqualTo(ReadinessState.REFUSING_TRAFFIC);
			assertThat(signalsWhenRefusing).containsExactly(List.of());
		});
	}

	@Test
	void unknownOrEmptyHealthGroupStopsStartUpNamingTheProperty() {
		active()
			.withPropertyValues("sam.health.group=empty", "management.endpoint.health.group.empty.include=nothing",
					"management.endpoint.health.validate-group-membership=false")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(invalidProperty(context.getStartupFailure()).getProperty()).isEqualTo("sam.health.group");
			});
	}

	@Test
	void endpointDescribesTheRegisteredInstance() {
		active().run((context) -> {
			ready(context);
			SamEndpoint.SamDescriptor descriptor = context.getBean(SamEndpoint.class).sam();
			assertThat(descriptor.instanceId()).isEqualTo(1);
			assertThat(descriptor.restarts()).isZero();
			assertThat(descriptor.state()).isEqualTo("STARTED");
			assertThat(descriptor.policy()).isEqualTo("restart");
			assertThat(descriptor.interval()).isEqualTo(INTERVAL);
			assertThat(descriptor.warnSignal()).isEqualTo("SIGTERM");
			assertThat(descriptor.healthCheck()).isEqualTo("event-driven");
			assertThat(descriptor.healthChecked()).isEqualTo("health group 'liveness'");
			assertThat(descriptor.supervisorPid()).isEqualTo(ProcessHandle.current().pid());
			assertThat(descriptor.pid()).isEqualTo(ProcessHandle.current().pid());
			assertThat(descriptor.recoveries()).isEmpty();
			this.sam.dataStore(new byte[] { 1, 2, 3 });
			assertThat(context.getBean(SamEndpoint.class).sam().dataSize()).isEqualTo(3);
			assertThat(this.supervisor.storedData()).containsExactly(1, 2, 3);
		});
	}

	/**
	 * As the auto-configured bean: the handle is the JVM's, the context does not finalize
	 * it.
	 */
	private static void noDestroyMethod(BeanDefinition definition) {
		((AbstractBeanDefinition) definition).setDestroyMethodName("");
	}

	static InvalidSamPropertyException invalidProperty(Throwable failure) {
		Throwable cause = failure;
		while (cause != null && !(cause instanceof InvalidSamPropertyException)) {
			cause = cause.getCause();
		}
		assertThat(cause).as("an InvalidSamPropertyException in the causes of %s", failure).isNotNull();
		return (InvalidSamPropertyException) cause;
	}

	/**
	 * An active context that notes the signals the supervisor had sent when readiness
	 * refused traffic.
	 */
	private ApplicationContextRunner activeRecordingSignalsWhenRefusingTraffic(List<List<Integer>> signals) {
		ApplicationListener<AvailabilityChangeEvent<ReadinessState>> readiness = (event) -> {
			if (event.getState() == ReadinessState.REFUSING_TRAFFIC) {
				signals.add(List.copyOf(this.supervisor.signalsSent()));
			}
		};
		return active().withBean("readinessListener", ApplicationListener.class, () -> readiness);
	}

	/** As SpringApplication: the states, then the ready event. */
	private static void ready(AssertableApplicationContext context) {
		AvailabilityChangeEvent.publish(context, LivenessState.CORRECT);
		AvailabilityChangeEvent.publish(context, ReadinessState.ACCEPTING_TRAFFIC);
		context.publishEvent(new ApplicationReadyEvent(new SpringApplication(), new String[0],
				context.getSourceApplicationContext(), Duration.ZERO));
	}

}
