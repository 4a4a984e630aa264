package dev.samboot.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains an {@link InvalidSamPropertyException}: which {@code sam.*} property is wrong,
 * what it holds, and what it accepts.
 */
class InvalidSamPropertyFailureAnalyzer extends AbstractFailureAnalyzer<InvalidSamPropertyException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidSamPropertyException cause) {
		String description = "samboot cannot supervise this application: the property '" + cause.getProperty()
				+ "' has the value '" + cause.getValue() + "', which it does not accept"
				+ ((cause.getCause() != null) ? " (" + cause.getCause().getMessage() + ")" : "") + ".";
		String action = "Set '" + cause.getProperty() + "' to " + cause.getAllowed()
				+ ", or set 'sam.enabled=false' to run the application without supervision.";
		return new FailureAnalysis(description, action, cause);
	}

}
