package dev.samboot.test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.samboot.autoconfigure.endpoint.SamEndpoint;
import dev.samboot.autoconfigure.endpoint.SamEndpoint.SamDescriptor;
import dev.samboot.sam.CsError;
import dev.samboot.sam.Recovery;
import dev.samboot.sam.RecoveryPolicy;
import dev.samboot.sam.Sam;
import dev.samboot.sam.SamException;
import dev.samboot.sam.SamState;
import dev.samboot.sam.Signals;
import dev.samboot.test.CounterApplication.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * An application's {@code @SpringBootTest} with the test starter: its bean that injects
 * {@link Sam} works, the test's {@code sam.*} properties are applied, and a simulated
 * recovery is seen by the bean, the {@code sam} endpoint and the metrics. In order: each
 * recovery goes on from the instance the one before left.
 */
@SpringBootTest(classes = CounterApplication.class,
		properties = { "sam.interval=2s", "sam.policy=restart", "sam.warn-signal=TERM", "sam.data.max-size=64",
				"management.endpoints.web.exposure.include=sam" })
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SamTestSupervisorTests {

	@Autowired
	private Sam sam;

	@Autowired
	private Counter counter;

	@Autowired
	private SamTestSupervisor supervisor;

	@Autowired
	private SamEndpoint endpoint;

	@Autowired
	private MeterRegistry meters;

	@Test
	@Order(1)
	void theSamBeanIsRegisteredAndStartedWithTheTestsProperties() {
		assertThat(this.sam).isSameAs(this.supervisor.sam());
		assertThat(this.sam.state()).as("started when the application was ready, as in production")
			.isEqualTo(SamState.STARTED);
		assertThat(this.sam.instanceId()).isEqualTo(1);
		assertThat(this.sam.restarts()).isZero();
		assertThat(this.sam.interval()).isEqualTo(Duration.ofSeconds(2));
		assertThat(this.sam.policy()).isEqualTo(RecoveryPolicy.RESTART);
		assertThat(this.sam.dataMaxSize()).isEqualTo(64);
		assertThat(this.sam.eventDriven()).as("Actuator's health drives the heartbeats").isTrue();
		assertThat(this.sam.supervisorPid()).isEqualTo(ProcessHandle.current().pid());
		assertThatExceptionOfType(SamException.class).isThrownBy(() -> this.sam.dataStore(new byte[65]))
			.satisfies((ex) -> assertThat(ex.error()).isEqualTo(CsError.TOO_BIG));
	}

	@Test
	@Order(2)
	void storedDataIsHeldByTheSupervisor() {
		assertThat(this.counter.increment()).isEqualTo(1);
		assertThat(this.counter.increment()).isEqualTo(2);
		assertThat(this.counter.value()).isEqualTo(2);
		assertThat(this.supervisor.storedData()).containsExactly(0, 0, 0, 0, 0, 0, 0, 2);
		assertThat(this.supervisor.signalsSent()).as("heartbeats keep the supervisor quiet").isEmpty();
	}

	@Test
	@Order(3)
	void aRecoveryAfterMissedHeartbeatsIsSeenByTheApplication() {
		this.supervisor.recover();
		assertThat(this.supervisor.signalsSent()).as("the warn signal, which ends a JVM")
			.containsExactly(Signals.SIGTERM);
		assertThat(this.sam.instanceId()).isEqualTo(2);
		assertThat(this.sam.restarts()).isEqualTo(1);
		assertThat(this.counter.value()).as("restored from the supervisor").isEqualTo(2);
		assertThat(this.sam.state()).as("started again, as the new instance's context would")
			.isEqualTo(SamState.STARTED);
		assertThat(this.sam.eventDriven()).isTrue();
		assertThat(this.sam.recoveries()).singleElement().satisfies((recovery) -> {
			assertThat(recovery.instance()).isEqualTo(1);
			assertThat(recovery.reason()).isEqualTo(Recovery.Reason.HC_TIMEOUT);
			assertThat(recovery.exitStatus()).isEqualTo(128 + Signals.SIGTERM);
			assertThat(recovery.action()).isEqualTo(Recovery.Action.RESTART);
		});
		assertThat(this.counter.increment()).isEqualTo(3);
		assertThat(this.supervisor.exitStatus()).isEmpty();
	}

	@Test
	@Order(4)
	void theEndpointAndTheMetricsReadTheNextInstance() {
		SamDescriptor described = this.endpoint.sam();
		assertThat(described.instanceId()).isEqualTo(2);
		assertThat(described.restarts()).isEqualTo(1);
		assertThat(described.state()).isEqualTo("STARTED");
		assertThat(described.recoveries()).singleElement()
			.satisfies((recovery) -> assertThat(recovery.reason()).isEqualTo("hc-timeout"));
		assertThat(value("sam.instance.id")).isEqualTo(2);
		assertThat(value("sam.restarts")).isEqualTo(1);
	}

	private double value(String meter) {
		return this.meters.get(meter).meter().measure().iterator().next().getValue();
	}

	@Test
	@Order(5)
	void aKilledInstanceIsRecoveredWithoutASignalOfTheSupervisors() {
		this.supervisor.recover(Recovery.Reason.KILLED);
		assertThat(this.sam.instanceId()).isEqualTo(3);
		assertThat(this.counter.value()).isEqualTo(3);
		assertThat(this.sam.recoveries()).hasSize(2).last().satisfies((recovery) -> {
			assertThat(recovery.instance()).isEqualTo(2);
			assertThat(recovery.reason()).isEqualTo(Recovery.Reason.KILLED);
			assertThat(recovery.exitStatus()).isEqualTo(128 + Signals.SIGKILL);
		});
		assertThat(this.supervisor.signalsSent()).containsExactly(Signals.SIGTERM);
		assertThat(this.sam.state()).isEqualTo(SamState.STARTED);
	}

	@Test
	@Order(6)
	void reasonsThatComeFromTheApplicationAreRefused() {
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> this.supervisor.recover(Recovery.Reason.UNHEALTHY));
		assertThat(this.sam.instanceId()).isEqualTo(3);
	}

}
