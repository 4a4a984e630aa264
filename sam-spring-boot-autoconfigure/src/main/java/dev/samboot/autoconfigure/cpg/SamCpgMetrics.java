package dev.samboot.autoconfigure.cpg;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * The CPG group's meters, tagged {@code group}: gauge {@code sam.cpg.members}, counters
 * {@code sam.cpg.sent} and {@code sam.cpg.delivered} (messages; this member's counts
 * since it joined).
 */
public class SamCpgMetrics implements MeterBinder {

	private final SamCpg cpg;

	/**
	 * Create a new instance.
	 * @param cpg the group
	 */
	public SamCpgMetrics(SamCpg cpg) {
		this.cpg = cpg;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		String group = this.cpg.group();
		Gauge.builder("sam.cpg.members", this.cpg, (cpg) -> cpg.members().size())
			.description("Members of the CPG group, this one included; 0 while it is not a member")
			.baseUnit("members")
			.tag("group", group)
			.register(registry);
		FunctionCounter.builder("sam.cpg.sent", this.cpg, SamCpg::messagesSent)
			.description("Messages this member sent to the CPG group")
			.baseUnit("messages")
			.tag("group", group)
			.register(registry);
		FunctionCounter.builder("sam.cpg.delivered", this.cpg, SamCpg::messagesDelivered)
			.description("Messages this member delivered from the CPG group, its own included")
			.baseUnit("messages")
			.tag("group", group)
			.register(registry);
	}

}
