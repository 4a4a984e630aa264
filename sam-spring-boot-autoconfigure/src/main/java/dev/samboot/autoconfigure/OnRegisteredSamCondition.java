package dev.samboot.autoconfigure;

import java.util.Optional;

import dev.samboot.sam.Sam;
import dev.samboot.sam.SamState;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches in an active process: {@link SamApplicationListener} has registered this JVM
 * with its supervisor.
 *
 * <p>
 * Whether this JVM is registered is known only when it runs, but an application processed
 * ahead of time has its bean definitions fixed when it was processed, by a JVM that is
 * never registered (the listener stays off during AOT processing). So while AOT
 * processing runs this condition matches as if registered, and the {@code Sam} bean and
 * the beans that need it are contributed (unless {@code sam.enabled} is false then: the
 * auto-configurations' own condition). When the processed application runs,
 * {@link RegisteredSamCheck} evaluates {@link #registration()} for real and removes those
 * beans from a JVM that turns out not to be registered, so that it ends up with the beans
 * it would have had without AOT.
 */
class OnRegisteredSamCondition extends SpringBootCondition {

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		if (StayOffReasons.aotProcessing()) {
			return ConditionOutcome.match("AOT processing: contributed as if registered; removed at run time "
					+ "unless samboot registers the JVM that runs the application");
		}
		return registration();
	}

	/**
	 * Whether samboot has registered this JVM with a supervisor.
	 * @return the outcome, with its reason
	 */
	static ConditionOutcome registration() {
		Optional<Sam> sam = Sam.current();
		if (sam.isEmpty()) {
			return ConditionOutcome.noMatch("samboot is not registered in this JVM (supervision is off)");
		}
		SamState state = sam.get().state();
		if (state != SamState.REGISTERED && state != SamState.STARTED) {
			return ConditionOutcome.noMatch("samboot's handle is in state " + state);
		}
		return ConditionOutcome.match("samboot registered as instance " + sam.get().instanceId());
	}

}
