package dev.samboot.autoconfigure.endpoint;

import java.time.Duration;
import java.util.Set;

import dev.samboot.autoconfigure.health.ActuatorHealthCheck;
import dev.samboot.sam.InProcessSupervisor;
import dev.samboot.sam.Recovery;
import dev.samboot.sam.RecoveryPolicy;
import dev.samboot.sam.Sam;
import dev.samboot.sam.Signals;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.Show;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.info.Info;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sam endpoint's write operations against a real supervisor (in this JVM, whose
 * signals are recorded, not sent), its details by the health endpoint's
 * {@code show-details}, and the {@code sam} section of {@code /actuator/info}.
 */
@Timeout(30)
class SamEndpointOperationsTests {

	private InProcessSupervisor supervisor;

	@AfterEach
	void close() throws Exception {
		if (this.supervisor != null) {
			this.supervisor.close();
		}
	}

	private Sam started(RecoveryPolicy policy) throws Exception {
		this.supervisor = InProcessSupervisor.start(Duration.ofSeconds(2), policy);
		Sam sam = this.supervisor.register();
		sam.hcCallbackRegister(() -> true);
		sam.start();
		return sam;
	}

	@Test
	void writingNeedsAccessGrantedExplicitly() {
		assertThat(SamEndpoint.class.getAnnotation(Endpoint.class).defaultAccess()).isEqualTo(Access.READ_ONLY);
	}

	@Test
	void restartSendsTheWarnSignalAndSaysWhatFollows() throws Exception {
		Sam sam = started(RecoveryPolicy.RESTART);
		SamEndpoint endpoint = new SamEndpoint(sam, null);
		WebEndpointResponse<SamEndpoint.ActionDescriptor> response = endpoint.act("restart");
		assertThat(response.getStatus()).isEqualTo(200);
		SamEndpoint.ActionDescriptor answer = response.getBody();
		assertThat(answer.accepted()).isTrue();
		assertThat(answer.error()).isNull();
		assertThat(answer.action()).isEqualTo("restart");
		assertThat(answer.instance()).isEqualTo(1);
		assertThat(answer.pid()).isEqualTo(ProcessHandle.current().pid());
		assertThat(answer.next()).contains("SIGTERM", "instance 2", "requested");
		await().atMost(Duration.ofSeconds(5)).until(() -> this.supervisor.signalsSent().contains(Signals.SIGTERM));
		assertRefused(endpoint.act("restart"), 409, "BUSY");
		assertThat(this.supervisor.signalsSent()).containsExactly(Signals.SIGTERM);
	}

	@Test
	void restartBeforeStartIsRefusedWithBadHandle() throws Exception {
		this.supervisor = InProcessSupervisor.start(Duration.ofSeconds(2), RecoveryPolicy.RESTART);
		Sam sam = this.supervisor.register();
		assertRefused(new SamEndpoint(sam, null).act("restart"), 409, "BAD_HANDLE");
		assertThat(this.supervisor.signalsSent()).isEmpty();
	}

	@Test
	void markFailedIsRefusedWithoutTheCmapFlag() throws Exception {
		Sam sam = started(RecoveryPolicy.RESTART);
		assertThat(assertRefused(new SamEndpoint(sam, null).act("mark-failed"), 400, "INVALID_PARAM").next())
			.contains("cmap");
		Thread.sleep(400);
		assertThat(this.supervisor.signalsSent()).isEmpty();
	}

	@Test
	void markFailedWithTheCmapFlagKillsAMomentAfterTheAnswer() throws Exception {
		Sam sam = started(RecoveryPolicy.RESTART.withCmap());
		WebEndpointResponse<SamEndpoint.ActionDescriptor> answer = new SamEndpoint(sam, null).act("mark-failed");
		assertThat(answer.getStatus()).isEqualTo(200);
		assertThat(answer.getBody().next()).contains("SIGKILL", "quits");
		assertThat(this.supervisor.signalsSent()).as("not before the answer is on its way").isEmpty();
		await().atMost(Duration.ofSeconds(5)).until(() -> this.supervisor.signalsSent().contains(Signals.SIGKILL));
		assertThat(this.supervisor.signalsSent()).containsExactly(Signals.SIGKILL);
	}

	@Test
	void unknownActionNamesTheAllowedOnes() throws Exception {
		Sam sam = started(RecoveryPolicy.RESTART);
		assertThat(assertRefused(new SamEndpoint(sam, null).act("reboot"), 400, "INVALID_PARAM").next())
			.contains("'reboot'", "restart, mark-failed");
		assertThat(this.supervisor.signalsSent()).isEmpty();
	}

	private static SamEndpoint.ActionDescriptor assertRefused(
			WebEndpointResponse<SamEndpoint.ActionDescriptor> response, int status, String error) {
		assertThat(response.getStatus()).isEqualTo(status);
		assertThat(response.getBody().accepted()).isFalse();
		assertThat(response.getBody().error()).isEqualTo(error);
		assertThat(response.getBody().next()).startsWith("Nothing: ");
		return response.getBody();
	}

	@Test
	void readShowsTheTotalsForEveryReason() throws Exception {
		Sam sam = started(RecoveryPolicy.RESTART);
		SamEndpoint.SamDescriptor descriptor = new SamEndpoint(sam, null).sam();
		assertThat(descriptor.totals().restarts()).isZero();
		assertThat(descriptor.totals().recoveries()).hasSize(Recovery.Reason.values().length)
			.containsEntry("requested", 0L)
			.containsEntry("hc-timeout", 0L);
		assertThat(descriptor.totals().backoffSeconds()).isZero();
	}

	@Test
	void healthDetailsFollowShowDetails() throws Exception {
		Sam sam = started(RecoveryPolicy.RESTART);
		ActuatorHealthCheck check = new ActuatorHealthCheck(
				() -> new ActuatorHealthCheck.HealthSnapshot("DOWN", java.util.List.of("broken=DOWN")),
				Duration.ofSeconds(1), "test group");
		assertThat(check.isHealthy()).isFalse();
		String detail = check.lastResult().detail();
		assertThat(detail).contains("broken=DOWN");
		SecurityContext user = new SecurityContext() {

			@Override
			public java.security.Principal getPrincipal() {
				return () -> "operator";
			}

			@Override
			public boolean isUserInRole(String role) {
				return role.equals("ops");
			}

		};
		assertThat(new SamEndpoint(sam, check, null, Show.NEVER, Set.of()).sam(user).lastHealthCheck().detail())
			.isNull();
		assertThat(new SamEndpoint(sam, check, null, Show.ALWAYS, Set.of()).sam(SecurityContext.NONE)
			.lastHealthCheck()
			.detail()).isEqualTo(detail);
		SamEndpoint whenAuthorized = new SamEndpoint(sam, check, null, Show.WHEN_AUTHORIZED, Set.of("ops"));
		assertThat(whenAuthorized.sam(user).lastHealthCheck().detail()).isEqualTo(detail);
		assertThat(whenAuthorized.sam(SecurityContext.NONE).lastHealthCheck().detail()).isNull();
		assertThat(whenAuthorized.sam(SecurityContext.NONE).lastHealthCheck().outcome()).isEqualTo("down");
	}

	@Test
	void infoSectionNamesInstanceSupervisorPolicyAndRestarts() throws Exception {
		Sam sam = started(RecoveryPolicy.RESTART);
		Info.Builder builder = new Info.Builder();
		new SamInfoContributor(sam).contribute(builder);
		assertThat(builder.build().getDetails()).extractingByKey("sam")
			.asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
			.containsEntry("instanceId", 1)
			.containsEntry("supervisorPid", sam.supervisorPid())
			.containsEntry("policy", "restart")
			.containsEntry("restarts", 0L)
			.containsEntry("state", "STARTED");
	}

}
