package dev.samboot.autoconfigure.health;

import java.util.List;
import java.util.concurrent.Callable;

import dev.samboot.autoconfigure.health.ActuatorHealthCheck.HealthSnapshot;

import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.LivenessState;

/**
 * Spring Boot's {@link LivenessState} as the health check, where there is no liveness
 * health group to read (probes switched off, or no Actuator): {@code CORRECT} is UP,
 * {@code BROKEN} DOWN. Needs nothing of Actuator.
 */
public final class LivenessStateSnapshots implements Callable<HealthSnapshot> {

	/** What {@code /actuator/sam} and the logs say is checked. */
	public static final String DESCRIPTION = "the application's LivenessState";

	private final ApplicationAvailability availability;

	public LivenessStateSnapshots(ApplicationAvailability availability) {
		this.availability = availability;
	}

	/**
	 * Check a health group, but count {@code LivenessState.BROKEN} as DOWN whatever the
	 * group holds: an application that declares itself broken is broken.
	 * @param availability the application's availability
	 * @param group reads the group's health
	 * @return the combined check
	 */
	public static Callable<HealthSnapshot> unlessBroken(ApplicationAvailability availability,
			Callable<HealthSnapshot> group) {
		return () -> (availability.getLivenessState() == LivenessState.BROKEN)
				? new HealthSnapshot("DOWN", List.of("livenessState=BROKEN")) : group.call();
	}

	@Override
	public HealthSnapshot call() {
		LivenessState state = this.availability.getLivenessState();
		return (state == LivenessState.CORRECT) ? new HealthSnapshot("UP", List.of())
				: new HealthSnapshot("DOWN", List.of("livenessState=" + state));
	}

}
