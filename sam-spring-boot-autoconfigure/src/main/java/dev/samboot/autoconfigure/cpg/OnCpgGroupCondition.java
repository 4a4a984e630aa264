package dev.samboot.autoconfigure.cpg;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when {@code sam.cpg.group} is set, whatever its value: a group may be named
 * {@code false}, and an empty name must reach the check that reports it.
 */
class OnCpgGroupCondition extends SpringBootCondition {

	static final String PROPERTY = "sam.cpg.group";

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		return context.getEnvironment().containsProperty(PROPERTY)
				? ConditionOutcome.match(PROPERTY + " is set: the instance joins that group")
				: ConditionOutcome.noMatch(PROPERTY + " is not set: no CPG group");
	}

}
