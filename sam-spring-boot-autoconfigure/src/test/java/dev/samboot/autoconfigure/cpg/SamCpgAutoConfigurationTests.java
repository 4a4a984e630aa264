package dev.samboot.autoconfigure.cpg;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.samboot.autoconfigure.InvalidSamPropertyException;
import dev.samboot.autoconfigure.SamAutoConfiguration;
import dev.samboot.autoconfigure.endpoint.SamEndpoint;
import dev.samboot.autoconfigure.endpoint.SamEndpointAutoConfiguration;
import dev.samboot.autoconfigure.health.SamHealthCheckAutoConfiguration;
import dev.samboot.autoconfigure.metrics.SamMetricsAutoConfiguration;
import dev.samboot.corosync.Cpg;
import dev.samboot.corosync.CpgAddress;
import dev.samboot.corosync.CpgCallbacks;
import dev.samboot.corosync.CpgGroup;
import dev.samboot.corosync.CpgReason;
import dev.samboot.sam.CsError;
import dev.samboot.sam.InProcessSupervisor;
import dev.samboot.sam.RecoveryPolicy;
import dev.samboot.sam.Sam;
import dev.samboot.sam.SamException;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.support.AbstractBeanDefinition;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.health.actuate.endpoint.CompositeHealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.actuate.endpoint.IndicatedHealthDescriptor;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.AvailabilityProbesAutoConfiguration;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code sam.cpg.group} in a context: the group joined when the context starts and left
 * when it closes, the events, the health indicator in the liveness group, the endpoint
 * and the meters. Against the node's real corosync with a group of this run's own; the
 * tests that join are skipped, saying why, where no corosync runs. The settings' checks
 * need nothing.
 */
@Timeout(60)
@ExtendWith(OutputCaptureExtension.class)
class SamCpgAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SamAutoConfiguration.class, SamCpgAutoConfiguration.class,
				SamHealthCheckAutoConfiguration.class, SamEndpointAutoConfiguration.class,
				SamMetricsAutoConfiguration.class, EndpointAutoConfiguration.class,
				HealthContributorAutoConfiguration.class, HealthContributorRegistryAutoConfiguration.class,
				HealthEndpointAutoConfiguration.class, ApplicationAvailabilityAutoConfiguration.class,
				AvailabilityProbesAutoConfiguration.class, MetricsAutoConfiguration.class,
				CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class))
		.withPropertyValues("management.endpoints.web.exposure.include=health,sam",
				"management.endpoint.health.show-details=always");

	private final String group = "samboot-starter-test-" + UUID.randomUUID();

	private final List<ApplicationEvent> events = new CopyOnWriteArrayList<>();

	@Test
	void withoutAGroupThereIsNoCpg() throws Exception {
		try (InProcessSupervisor supervisor = InProcessSupervisor.start(Duration.ofSeconds(1),
				RecoveryPolicy.RESTART)) {
			Sam sam = supervisor.register();
			active(sam).run((context) -> {
				assertThat(context).hasNotFailed()
					.doesNotHaveBean(SamCpg.class)
					.doesNotHaveBean(CpgHealthIndicator.class)
					.doesNotHaveBean(SamCpgMetrics.class);
				assertThat(context.getBean(HealthEndpointGroups.class).get("liveness").isMember("cpg")).isFalse();
				assertThat(context.getBean(SamEndpoint.class).sam().cpg()).isNull();
			});
		}
	}

	@Test
	void aWrongGroupNameStopsStartUpNamingThePropertyEvenWhenSupervisionIsOff() {
		this.runner.withPropertyValues("sam.enabled=false", "sam.cpg.group=" + "x".repeat(128)).run((context) -> {
			assertThat(context).hasFailed();
			InvalidSamPropertyException failure = cause(context.getStartupFailure(), InvalidSamPropertyException.class);
			assertThat(failure.getProperty()).isEqualTo("sam.cpg.group");
			assertThat(failure.getAllowed()).contains("at most 127 bytes of UTF-8");
			assertThat(failure.getCause()).hasMessageContaining("128 bytes of UTF-8");
		});
	}

	@Test
	void theActiveInstanceJoinsSendsDeliversAndLeavesWhenTheContextCloses(CapturedOutput output) throws Exception {
		assumeCorosync();
		try (InProcessSupervisor supervisor = InProcessSupervisor.start(Duration.ofSeconds(1),
				RecoveryPolicy.RESTART)) {
			Sam sam = supervisor.register();
			CpgAddress[] self = new CpgAddress[1];
			active(sam).withPropertyValues("sam.cpg.group=" + this.group, "sam.cpg.rejoin-timeout=7s")
				.withBean("recorder", ApplicationListener.class, () -> this::record)
				.run((context) -> {
					assertThat(context).hasNotFailed();
					SamCpg cpg = context.getBean(SamCpg.class);
					assertThat(cpg.isJoined()).as("joined when the context started").isTrue();
					assertThat(cpg.group()).isEqualTo(this.group);
					self[0] = cpg.self();
					assertThat(self[0].pid()).isEqualTo(ProcessHandle.current().pid());
					assertThat(self[0].nodeId()).isEqualTo(localNodeId());
					CpgMembershipEvent joined = await().atMost(Duration.ofSeconds(10))
						.until(() -> first(CpgMembershipEvent.class), (event) -> event != null);
					assertThat(joined.getGroup()).isEqualTo(this.group);
					assertThat(joined.getJoined()).singleElement()
						.satisfies((member) -> assertThat(member.is(self[0].nodeId(), self[0].pid())).isTrue());
					assertThat(joined.getJoined().get(0).reason()).isEqualTo(CpgReason.JOIN);
					assertThat(joined.getSource()).isSameAs(cpg);
					assertThat(cpg.members()).singleElement()
						.satisfies((member) -> assertThat(member.is(self[0].nodeId(), self[0].pid())).isTrue());

					cpg.send("héllo");
					CpgMessageEvent message = await().atMost(Duration.ofSeconds(10))
						.until(() -> first(CpgMessageEvent.class), (event) -> event != null);
					assertThat(message.getText()).isEqualTo("héllo");
					assertThat(message.getPayload()).isEqualTo("héllo".getBytes(StandardCharsets.UTF_8));
					assertThat(message.getGroup()).isEqualTo(this.group);
					assertThat(message.getPid()).isEqualTo(self[0].pid());
					assertThat(message.getNodeId()).isEqualTo(self[0].nodeId());

					Health health = context.getBean(CpgHealthIndicator.class).health();
					assertThat(health.getStatus()).isEqualTo(Status.UP);
					assertThat(health.getDetails()).containsEntry("group", this.group)
						.containsEntry("members", 1)
						.containsKey("self")
						.doesNotContainKey("lostFor");
					CompositeHealthDescriptor liveness = (CompositeHealthDescriptor) context
						.getBean(HealthEndpoint.class)
						.healthForPath("liveness");
					assertThat(liveness.getComponents()).containsKeys("livenessState", "deadlocks", "cpg");
					assertThat(((IndicatedHealthDescriptor) liveness.getComponents().get("cpg")).getStatus())
						.isEqualTo(Status.UP);

					SamEndpoint.CpgDescriptor described = context.getBean(SamEndpoint.class).sam().cpg();
					assertThat(described.group()).isEqualTo(this.group);
					assertThat(described.joined()).isTrue();
					assertThat(described.self()).isEqualTo(
							new SamEndpoint.MemberDescriptor(Integer.toUnsignedLong(self[0].nodeId()), self[0].pid()));
					assertThat(described.members()).containsExactly(described.self());
					assertThat(described.messagesSent()).isEqualTo(1);
					assertThat(described.messagesDelivered()).isEqualTo(1);
					assertThat(described.rejoins()).isZero();
					assertThat(described.lostFor()).isNull();
					assertThat(described.rejoinTimeout()).isEqualTo(Duration.ofSeconds(7));

					MeterRegistry registry = context.getBean(MeterRegistry.class);
					Gauge members = registry.get("sam.cpg.members").tag("group", this.group).gauge();
					assertThat(members.value()).isEqualTo(1);
					assertThat(members.getId().getBaseUnit()).isEqualTo("members");
					assertThat(members.getId().getDescription()).isNotBlank();
					FunctionCounter sent = registry.get("sam.cpg.sent").tag("group", this.group).functionCounter();
					FunctionCounter delivered = registry.get("sam.cpg.delivered")
						.tag("group", this.group)
						.functionCounter();
					assertThat(sent.count()).isEqualTo(1);
					assertThat(delivered.count()).isEqualTo(1);
					assertThat(sent.getId().getBaseUnit()).isEqualTo("messages");
					assertThat(delivered.getId().getDescription()).isNotBlank();
					assertThat(output).doesNotContain("is not supervised");
				});
			// left: this process may join the group again, which corosync refuses (EXIST)
			// to a member
			try (CpgGroup again = await().atMost(Duration.ofSeconds(10))
				.ignoreException(SamException.class)
				.until(() -> CpgGroup.join(this.group, new CpgGroup.Listener() {
				}), (joined) -> joined != null)) {
				// this member's own join may come after join() returns
				await().atMost(Duration.ofSeconds(10))
					.untilAsserted(() -> assertThat(again.members()).singleElement()
						.satisfies((member) -> assertThat(member.is(self[0].nodeId(), self[0].pid())).isTrue()));
			}
			assertThat(output).contains("Left CPG group '" + this.group + "'");
		}
	}

	@Test
	void theHealthCheckIncludesTheGroupWhenTheHealthEndpointIsNotExposed(CapturedOutput output) throws Exception {
		assumeCorosync();
		try (InProcessSupervisor supervisor = InProcessSupervisor.start(Duration.ofSeconds(1),
				RecoveryPolicy.RESTART)) {
			Sam sam = supervisor.register();
			active(sam)
				.withPropertyValues("management.endpoints.web.exposure.include=sam", "sam.cpg.group=" + this.group)
				.run((context) -> {
					assertThat(context).hasNotFailed().doesNotHaveBean(HealthEndpointGroups.class);
					assertThat(output).contains("The health check is health group 'liveness': ")
						.containsPattern("The health check is health group 'liveness': .*\\bcpg\\b");
				});
		}
	}

	@Test
	void withoutSupervisionTheGroupIsStillJoinedAndTheLogSaysSo(CapturedOutput output) {
		assumeCorosync();
		this.runner.withPropertyValues("sam.enabled=false", "sam.cpg.group=" + this.group).run((context) -> {
			assertThat(context).hasNotFailed().doesNotHaveBean(Sam.class).doesNotHaveBean(SamEndpoint.class);
			assertThat(context.getBean(SamCpg.class).isJoined()).isTrue();
			assertThat(context.getBean(CpgHealthIndicator.class).health().getStatus()).isEqualTo(Status.UP);
			assertThat(output).containsOnlyOnce(
					"samboot supervision is off: membership of CPG group '" + this.group + "' is not supervised");
		});
	}

	@Test
	void aGroupThatCannotBeJoinedStopsStartUpWithAnAnalysisNamingTheProperty(CapturedOutput output) {
		assumeCorosync();
		// a process is a member of a group once: corosync refuses a second join with
		// EXIST
		try (CpgGroup member = CpgGroup.join(this.group, new CpgGroup.Listener() {
		})) {
			SpringApplication application = new SpringApplicationBuilder(JustTheGroup.class)
				.web(WebApplicationType.NONE)
				.properties("sam.cpg.group=" + this.group)
				.build();
			assertThatExceptionOfType(RuntimeException.class).isThrownBy(application::run)
				.satisfies((failure) -> assertThat(cause(failure, CpgJoinException.class).getError())
					.isEqualTo(CsError.EXIST));
			assertThat(output).contains("APPLICATION FAILED TO START")
				.contains("This instance could not join the CPG group '" + this.group + "' named by 'sam.cpg.group'")
				.contains("cs_error_t 14")
				.contains("a member of a group once")
				.contains("remove 'sam.cpg.group'");
			assertThat(member.isJoined()).isTrue();
		}
	}

	@Test
	void corosyncNotRunningIsExplainedWithWhatToDo() {
		CpgJoinException failure = new CpgJoinException("orders",
				new SamException(CsError.LIBRARY, "corosync is not running (cpg_initialize: CS_ERR_LIBRARY)"));
		FailureAnalysis analysis = new CpgJoinFailureAnalyzer().analyze(new IllegalStateException(failure));
		assertThat(analysis.getDescription()).contains("'orders'")
			.contains("'sam.cpg.group'")
			.contains("corosync is not running")
			.contains("cs_error_t 2");
		assertThat(analysis.getAction()).contains("Start corosync")
			.contains("sam.restart.start-retry")
			.contains("remove 'sam.cpg.group'");
	}

	/** An application of nothing but the group. */
	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration(SamCpgAutoConfiguration.class)
	static class JustTheGroup {

	}

	private ApplicationContextRunner active(Sam sam) {
		return this.runner.withBean(Sam.class, () -> sam,
				(definition) -> ((AbstractBeanDefinition) definition).setDestroyMethodName(""));
	}

	private void record(ApplicationEvent event) {
		if (event instanceof CpgMessageEvent || event instanceof CpgMembershipEvent) {
			this.events.add(event);
		}
	}

	private <T> T first(Class<T> type) {
		return this.events.stream().filter(type::isInstance).map(type::cast).findFirst().orElse(null);
	}

	private static <T extends Throwable> T cause(Throwable failure, Class<T> type) {
		Throwable cause = failure;
		while (cause != null && !type.isInstance(cause)) {
			cause = cause.getCause();
		}
		assertThat(cause).as("a %s in the causes of %s", type.getSimpleName(), failure).isNotNull();
		return type.cast(cause);
	}

	private static int localNodeId() {
		try (Cpg cpg = Cpg.initialize(new NoCallbacks())) {
			return cpg.localGet();
		}
	}

	private static void assumeCorosync() {
		String reason;
		try (Cpg cpg = Cpg.initialize(new NoCallbacks())) {
			reason = null;
		}
		catch (SamException ex) {
			reason = ex.getMessage();
		}
		String why = reason;
		assumeTrue(why == null, () -> "corosync is not running here, skipping the tests that join a group: " + why);
	}

	private static final class NoCallbacks implements CpgCallbacks {

		@Override
		public void deliver(String group, int nodeId, int pid, byte[] message) {
		}

		@Override
		public void confchg(String group, List<CpgAddress> members, List<CpgAddress> left, List<CpgAddress> joined) {
		}

	}

}
