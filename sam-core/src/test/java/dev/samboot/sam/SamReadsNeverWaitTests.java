package dev.samboot.sam;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A {@code start()} that waits for quorum holds up no reader: every accessor of the
 * handle answers at once meanwhile (an endpoint or a meter reads them from other
 * threads), and the quorum state can be read as {@code false}.
 */
@Timeout(30)
class SamReadsNeverWaitTests {

	@Test
	void everyAccessorAnswersWhileStartWaitsForQuorum() throws Exception {
		SwitchedQuorumSource quorum = new SwitchedQuorumSource();
		try (InProcessSupervisor supervisor = InProcessSupervisor.startWithQuorum(Duration.ofSeconds(2),
				RecoveryPolicy.QUORUM_RESTART, quorum)) {
			Sam sam = supervisor.register();
			sam.hcCallbackRegister(() -> true);
			CompletableFuture<Void> started = CompletableFuture.runAsync(sam::start);
			Thread.sleep(300);
			assertThat(started).as("start() waits for quorum").isNotDone();

			Map<String, Supplier<Object>> reads = new LinkedHashMap<>();
			reads.put("instanceId", sam::instanceId);
			reads.put("restarts", sam::restarts);
			reads.put("state", sam::state);
			reads.put("policy", sam::policy);
			reads.put("interval", sam::interval);
			reads.put("warnSignal", sam::warnSignal);
			reads.put("dataMaxSize", sam::dataMaxSize);
			reads.put("eventDriven", sam::eventDriven);
			reads.put("healthCheckFailed", sam::healthCheckFailed);
			reads.put("pid", sam::pid);
			reads.put("supervisorPid", sam::supervisorPid);
			reads.put("quorate", sam::quorate);
			reads.put("recoveries", sam::recoveries);
			reads.put("dataRestore", sam::dataRestore);
			reads.put("dataGetSize", sam::dataGetSize);
			reads.put("healthCheckNow", () -> {
				sam.healthCheckNow();
				return "done";
			});
			for (Map.Entry<String, Supplier<Object>> read : reads.entrySet()) {
				CompletableFuture<Object> answer = CompletableFuture.supplyAsync(read.getValue());
				assertThat(answer).as(read.getKey() + "() while start() waits for quorum")
					.succeedsWithin(1, TimeUnit.SECONDS);
			}
			assertThat(sam.state()).isEqualTo(SamState.REGISTERED);
			assertThat(sam.quorate()).contains(false);
			assertThat(sam.eventDriven()).isTrue();

			quorum.set(true);
			assertThat(started).succeedsWithin(10, TimeUnit.SECONDS);
			assertThat(sam.state()).isEqualTo(SamState.STARTED);
			await().atMost(Duration.ofSeconds(5)).until(() -> sam.quorate().orElse(false));
			sam.stop();
		}
	}

}
