package dev.samboot.autoconfigure.health;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.samboot.autoconfigure.health.ActuatorHealthCheck.HealthSnapshot;

import org.springframework.boot.health.actuate.endpoint.CompositeHealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.contributor.Status;

/**
 * Reads {@link HealthEndpoint} as a {@link HealthSnapshot}: the whole health, or one group's.
 */
public final class HealthEndpointSnapshots {

	private HealthEndpointSnapshots() {
	}

	/**
	 * Read the health of all indicators, or of one group.
	 * @param endpoint the health endpoint
	 * @param group the group, or {@code null} for all indicators
	 * @return reads the snapshot when called
	 */
	public static Callable<HealthSnapshot> of(HealthEndpoint endpoint, String group) {
		return () -> {
			HealthDescriptor descriptor = (group != null) ? endpoint.healthForPath(group) : endpoint.health();
			if (descriptor == null) {
				throw new IllegalStateException("Health group '" + group + "' has no health to report");
			}
			List<String> notUp = new ArrayList<>();
			collectNotUp("", descriptor, notUp);
			return new HealthSnapshot(descriptor.getStatus().getCode(), notUp);
		};
	}

	private static void collectNotUp(String path, HealthDescriptor descriptor, List<String> notUp) {
		if (descriptor instanceof CompositeHealthDescriptor composite && composite.getComponents() != null) {
			for (Map.Entry<String, HealthDescriptor> component : composite.getComponents().entrySet()) {
				String name = path.isEmpty() ? component.getKey() : path + "/" + component.getKey();
				collectNotUp(name, component.getValue(), notUp);
			}
		}
		else if (!path.isEmpty() && !Status.UP.equals(descriptor.getStatus())) {
			notUp.add(path + "=" + descriptor.getStatus().getCode());
		}
	}

}
