package dev.samboot.autoconfigure;

import java.util.Optional;

import dev.samboot.sam.Sam;
import dev.samboot.sam.SamState;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches in an active process: {@link SamApplicationListener} has registered this JVM with its
 * supervisor.
 */
class OnRegisteredSamCondition extends SpringBootCondition {

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
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
