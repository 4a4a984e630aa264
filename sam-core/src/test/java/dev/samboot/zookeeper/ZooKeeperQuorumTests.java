package dev.samboot.zookeeper;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.samboot.sam.CsError;
import dev.samboot.sam.SamException;
import org.apache.curator.framework.state.ConnectionState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * {@link ZooKeeperQuorum} against a real three-server ensemble: quorate while connected,
 * not quorate as soon as the connection is suspended, lost at the session timeout,
 * quorate again when the majority is back; {@code start()} waits for the first
 * connection, but not for ever.
 */
@Timeout(60)
class ZooKeeperQuorumTests {

	private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(3);

	/** Long enough for a first connection on a busy machine. */
	private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(10);

	private static final Duration SHORT_CONNECTION_TIMEOUT = Duration.ofSeconds(1);

	@Test
	void quorateWhileConnectedNotQuorateWhenSuspendedOrLostAndQuorateAgainWhenTheMajorityIsBack() throws Exception {
		List<Boolean> changes = new CopyOnWriteArrayList<>();
		try (ZooKeeperEnsemble ensemble = ZooKeeperEnsemble.started();
				ZooKeeperQuorum quorum = new ZooKeeperQuorum(ensemble.connectString(), SESSION_TIMEOUT,
						CONNECTION_TIMEOUT)) {
			long connecting = System.nanoTime();
			quorum.start(changes::add);
			long connectedAfter = millisSince(connecting);
			assertThat(quorum.isQuorate()).isTrue();
			assertThat(quorum.state()).isEqualTo(ConnectionState.CONNECTED);
			assertThat(changes).containsExactly(true);

			ensemble.takeMajorityAway();
			long takenAway = System.nanoTime();
			await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(2)).until(() -> !quorum.isQuorate());
			long notQuorateAfter = millisSince(takenAway);
			ConnectionState notQuorateState = quorum.state();
			assertThat(notQuorateState).isIn(ConnectionState.SUSPENDED, ConnectionState.LOST);
			await().atMost(SESSION_TIMEOUT.multipliedBy(4))
				.pollInterval(Duration.ofMillis(5))
				.until(() -> quorum.state() == ConnectionState.LOST);
			long lostAfter = millisSince(takenAway);
			assertThat(quorum.isQuorate()).isFalse();

			ensemble.bringMajorityBack();
			long broughtBack = System.nanoTime();
			await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(5)).until(quorum::isQuorate);
			long quorateAgainAfter = millisSince(broughtBack);
			assertThat(quorum.state()).isEqualTo(ConnectionState.RECONNECTED);
			// the listener is told just after the state is set; a loaded machine may see
			// the
			// connection flap once more before it settles
			await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
				assertThat(changes).startsWith(true, false).containsSubsequence(true, false, true);
				assertThat(changes.get(changes.size() - 1)).isEqualTo(quorum.isQuorate());
			});

			System.out.printf(
					"ZooKeeper, session timeout %d ms: connected %d ms after start(); two of three servers "
							+ "stopped -> not quorate (%s) after %d ms, LOST after %d ms; servers restarted -> quorate "
							+ "after %d ms; changes %s%n",
					SESSION_TIMEOUT.toMillis(), connectedAfter, notQuorateState, notQuorateAfter, lostAfter,
					quorateAgainAfter, changes);
			// LOST comes a session timeout after the last SUSPENDED; the connection may
			// be RECONNECTED
			// for a moment by the server left, before it notices it has lost its majority
			assertThat(lostAfter).as("LOST at about the session timeout")
				.isBetween(SESSION_TIMEOUT.toMillis() / 2, SESSION_TIMEOUT.toMillis() * 3);
		}
	}

	@Test
	void startWaitsForTheFirstConnectionButNotForEver() throws Exception {
		List<Boolean> changes = new CopyOnWriteArrayList<>();
		try (ZooKeeperEnsemble ensemble = new ZooKeeperEnsemble();
				ZooKeeperQuorum quorum = new ZooKeeperQuorum(ensemble.connectString(), SESSION_TIMEOUT,
						SHORT_CONNECTION_TIMEOUT)) {
			long starting = System.nanoTime();
			quorum.start(changes::add);
			long returnedAfter = millisSince(starting);
			assertThat(returnedAfter).as("start() with no server up returns after the connection timeout")
				.isBetween(SHORT_CONNECTION_TIMEOUT.toMillis() - 50, SHORT_CONNECTION_TIMEOUT.toMillis() + 2000);
			assertThat(quorum.isQuorate()).isFalse();
			assertThat(changes).isEmpty();

			ensemble.start();
			await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10)).until(quorum::isQuorate);
			assertThat(quorum.state()).isEqualTo(ConnectionState.CONNECTED);
			// the listener is told on Curator's event thread just after the state is set
			await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(changes).containsExactly(true));
		}
	}

	@Test
	void closeMakesItNotQuorateAndStartingTwiceIsRefused() throws Exception {
		try (ZooKeeperEnsemble ensemble = ZooKeeperEnsemble.started()) {
			ZooKeeperQuorum quorum = new ZooKeeperQuorum(ensemble.connectString(), SESSION_TIMEOUT, CONNECTION_TIMEOUT);
			quorum.start((quorate) -> {
			});
			assertThat(quorum.isQuorate()).isTrue();
			assertThat(catchThrowableOfType(SamException.class, () -> quorum.start((quorate) -> {
			})).error()).isEqualTo(CsError.BAD_HANDLE);
			quorum.close();
			assertThat(quorum.isQuorate()).isFalse();
		}
	}

	@Test
	void wrongArgumentsAreInvalidParam() {
		assertThat(catchThrowableOfType(SamException.class, () -> new ZooKeeperQuorum(" ", SESSION_TIMEOUT)).error())
			.isEqualTo(CsError.INVALID_PARAM);
		assertThat(catchThrowableOfType(SamException.class, () -> new ZooKeeperQuorum("localhost:2181", Duration.ZERO))
			.error()).isEqualTo(CsError.INVALID_PARAM);
		assertThat(catchThrowableOfType(SamException.class,
				() -> new ZooKeeperQuorum("localhost:2181", SESSION_TIMEOUT, Duration.ofSeconds(-1)))
			.error()).isEqualTo(CsError.INVALID_PARAM);
	}

	private static long millisSince(long nanoTime) {
		return (System.nanoTime() - nanoTime) / 1_000_000;
	}

}
