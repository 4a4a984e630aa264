package dev.samboot.autoconfigure.endpoint;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.samboot.sam.InProcessSupervisor;
import dev.samboot.sam.RecoveryPolicy;
import dev.samboot.sam.Sam;
import dev.samboot.sam.SwitchedQuorumSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /actuator/sam} answers while {@code start()} waits for quorum, and says the
 * cluster is not quorate.
 */
@Timeout(30)
class SamEndpointWhileStartWaitsTests {

	@Test
	void answersAndShowsNotQuorateWhileStartWaitsForQuorum() throws Exception {
		SwitchedQuorumSource quorum = new SwitchedQuorumSource();
		try (InProcessSupervisor supervisor = InProcessSupervisor.startWithQuorum(Duration.ofSeconds(2),
				RecoveryPolicy.QUORUM_RESTART, quorum)) {
			Sam sam = supervisor.register();
			sam.hcCallbackRegister(() -> true);
			CompletableFuture<Void> started = CompletableFuture.runAsync(sam::start);
			Thread.sleep(300);
			assertThat(started).isNotDone();
			SamEndpoint endpoint = new SamEndpoint(sam, null);
			CompletableFuture<SamEndpoint.SamDescriptor> read = CompletableFuture.supplyAsync(endpoint::sam);
			assertThat(read).succeedsWithin(1, TimeUnit.SECONDS).satisfies((descriptor) -> {
				assertThat(descriptor.state()).isEqualTo("REGISTERED");
				assertThat(descriptor.quorate()).isFalse();
				assertThat(descriptor.policy()).isEqualTo(RecoveryPolicy.QUORUM_RESTART.toString());
			});
			quorum.set(true);
			assertThat(started).succeedsWithin(10, TimeUnit.SECONDS);
			assertThat(endpoint.sam().state()).isEqualTo("STARTED");
			sam.stop();
		}
	}

}
