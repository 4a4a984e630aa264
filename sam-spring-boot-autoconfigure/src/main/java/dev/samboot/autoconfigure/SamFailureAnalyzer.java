package dev.samboot.autoconfigure;

import dev.samboot.sam.CsError;
import dev.samboot.sam.SamException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a {@link SamException} that stopped start-up, such as a supervisor that could
 * not launch the active process, or a quorum policy without a running corosync.
 */
class SamFailureAnalyzer extends AbstractFailureAnalyzer<SamException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, SamException cause) {
		String description = "samboot could not supervise this application: " + cause.getMessage() + ", cs_error_t "
				+ cause.error().code() + ".";
		return new FailureAnalysis(description, action(cause), cause);
	}

	private static String action(SamException cause) {
		String message = String.valueOf(cause.getMessage());
		if (cause.error() == CsError.LIBRARY && message.contains("corosync")) {
			return "Start corosync on this node, or use 'sam.policy=restart' or 'quit' and 'sam.cmap.enabled=false', "
					+ "which need no cluster.";
		}
		if (cause.error() == CsError.LIBRARY) {
			return "Check that this JVM can start its own command again (the java executable, the working directory "
					+ "and the jar or class path must still exist), or set 'sam.enabled=false'.";
		}
		return "Check the sam.* configuration, or set 'sam.enabled=false' to run without supervision.";
	}

}
