package dev.samboot.autoconfigure;

import dev.samboot.sam.Sam;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationListener;

/**
 * Ties samboot to Spring Boot's availability states. {@code LivenessState.BROKEN},
 * published by the application, runs the health check at once, so the supervisor hears of
 * it within moments instead of at the next check. And as soon as this instance knows it
 * will be recovered (its check failed, it marked itself failed, quorum was lost), it
 * publishes {@code ReadinessState.REFUSING_TRAFFIC}, so that readiness probes and load
 * balancers turn away before the warn signal or SIGKILL.
 */
public class SamAvailability implements ApplicationListener<AvailabilityChangeEvent<?>> {

	private static final Log logger = LogFactory.getLog(SamAvailability.class);

	private final Sam sam;

	/**
	 * Create a new instance.
	 * @param sam the registered handle
	 * @param publisher where the readiness change is published
	 */
	public SamAvailability(Sam sam, ApplicationEventPublisher publisher) {
		this.sam = sam;
		sam.onRecoveryPending((reason) -> {
			logger.warn("This instance will be recovered (" + reason + "): readiness is now REFUSING_TRAFFIC");
			AvailabilityChangeEvent.publish(publisher, this, ReadinessState.REFUSING_TRAFFIC);
		});
	}

	@Override
	public void onApplicationEvent(AvailabilityChangeEvent<?> event) {
		if (event.getState() == LivenessState.BROKEN) {
			logger.warn("LivenessState is BROKEN: checking health now");
			this.sam.healthCheckNow();
		}
	}

}
