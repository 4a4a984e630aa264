package dev.samboot.sam.internal.lean;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import dev.samboot.sam.RecoveryPolicy;
import dev.samboot.sam.SamOptions;
import dev.samboot.sam.internal.supervisor.Resumption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which settings the launcher's JVM supervises with until instance 1 is started, and
 * where it hands over to the lean JVM at once.
 */
class LateHandoverTests {

	private static final Duration T = Duration.ofSeconds(2);

	@Test
	void plainSettingsAreSupervisedInTheLauncherUntilTheHandover() {
		assertThat(LateHandover.obstacle(SamOptions.builder(T, RecoveryPolicy.RESTART).build(), Map.of())).isEmpty();
		assertThat(LateHandover.obstacle(SamOptions.builder(Duration.ZERO, RecoveryPolicy.QUIT).build(), Map.of()))
			.isEmpty();
	}

	@Test
	void corosyncPoliciesHandOverAtOnce() {
		assertThat(LateHandover.obstacle(SamOptions.builder(T, RecoveryPolicy.QUORUM_RESTART).build(), Map.of()))
			.hasValueSatisfying((why) -> assertThat(why).contains("corosync"));
		assertThat(LateHandover.obstacle(SamOptions.builder(T, RecoveryPolicy.RESTART.withCmap()).build(), Map.of()))
			.hasValueSatisfying((why) -> assertThat(why).contains("corosync"));
	}

	@Test
	void startupCacheAndSystemdHandOverAtOnce(@TempDir Path cache) {
		assertThat(LateHandover.obstacle(SamOptions.builder(T, RecoveryPolicy.RESTART).startupCache(cache).build(),
				Map.of()))
			.hasValueSatisfying((why) -> assertThat(why).contains("start-up cache"));
		assertThat(LateHandover.obstacle(SamOptions.builder(T, RecoveryPolicy.RESTART).build(),
				Map.of("NOTIFY_SOCKET", "/run/systemd/notify")))
			.hasValueSatisfying((why) -> assertThat(why).contains("systemd"));
	}

	@Test
	void handedOverASecondAfterTheStartOrAMinuteAfterTheLaunchWithoutOne() {
		long launched = 1_000_000_000L;
		long started = launched + 4 * LateHandover.SETTLE_NANOS;
		Resumption running = new Resumption(1, 42, launched, started, started, true, true, 15, null);
		assertThat(LateHandover.due(running, started + LateHandover.SETTLE_NANOS - 1)).isFalse();
		assertThat(LateHandover.due(running, started + LateHandover.SETTLE_NANOS)).isTrue();
		Resumption registered = new Resumption(1, 42, launched, launched, 0, false, false, 15, null);
		assertThat(LateHandover.due(registered, launched + LateHandover.UNSTARTED_NANOS - 1)).isFalse();
		assertThat(LateHandover.due(registered, launched + LateHandover.UNSTARTED_NANOS)).isTrue();
	}

	@Test
	void notPossibleWithoutTheLaunchersOwnCopies(@TempDir Path temp) throws Exception {
		assertThat(LateHandover.possible(null)).isFalse();
		Path foreign = Files.createDirectory(temp.resolve(LeanSupervisor.HANDOFF_PREFIX + "1-x"));
		assertThat(LateHandover.possible(foreign)).isFalse();
	}

}
