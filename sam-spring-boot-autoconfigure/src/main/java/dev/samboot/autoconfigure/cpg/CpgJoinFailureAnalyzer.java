package dev.samboot.autoconfigure.cpg;

import dev.samboot.sam.CsError;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;

/**
 * Explains a {@link CpgJoinException}: the group named by {@code sam.cpg.group} could not
 * be joined, why, and what to do. Ahead of the analyzer of samboot's other errors, which
 * would find corosync's error among the causes too and give advice about quorum.
 */
class CpgJoinFailureAnalyzer extends AbstractFailureAnalyzer<CpgJoinException> implements Ordered {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, CpgJoinException cause) {
		String description = "This instance could not join the CPG group '" + cause.getGroup()
				+ "' named by 'sam.cpg.group': " + cause.getCause().getMessage() + ", cs_error_t "
				+ cause.getError().code() + ".";
		return new FailureAnalysis(description, action(cause), cause);
	}

	private static String action(CpgJoinException cause) {
		String unset = " Or remove 'sam.cpg.group' to run without the group.";
		if (cause.getError() == CsError.LIBRARY) {
			return "Start corosync on this node (systemctl start corosync, or corosync -f -c <config>) and check "
					+ "that this user may use it (uidgid in its configuration); under samboot a restarted instance "
					+ "that fails to start is retried (sam.restart.start-retry), the first one is not." + unset;
		}
		if (cause.getError() == CsError.EXIST) {
			return "A process is a member of a group once: something else in this JVM (a CpgGroup, another "
					+ "context) has joined '" + cause.getGroup() + "' already; leave it there, or give "
					+ "'sam.cpg.group' another name." + unset;
		}
		if (cause.getError() == CsError.ACCESS || cause.getError() == CsError.SECURITY) {
			return "corosync refused this user: allow it with a uidgid section in corosync's configuration "
					+ "(uidgid { uid: <user> gid: <group> }) or a file in /etc/corosync/uidgid.d, then reload corosync."
					+ unset;
		}
		if (cause.getError() == CsError.TRY_AGAIN) {
			return "corosync was still taking down an earlier membership of this process in '" + cause.getGroup()
					+ "' (or its queue was full) for as long as a send may retry (sam.cpg.send-timeout): start "
					+ "again, or raise sam.cpg.send-timeout." + unset;
		}
		return "Check that corosync runs and is healthy on this node (corosync-cpgtool lists its groups)." + unset;
	}

	/** Before the analyzers that match any of corosync's errors. */
	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE - 1;
	}

}
