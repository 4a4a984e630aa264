package dev.samboot.autoconfigure.cpg;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import dev.samboot.corosync.CpgAddress;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The CPG group's health, in the {@code liveness} group that samboot checks: UP while
 * this instance is a member, still UP while it has lost the group (corosync went away, it
 * was evicted) for less than {@code sam.cpg.rejoin-timeout} and joins it again, DOWN
 * beyond, so that the supervisor restarts it and the next instance joins afresh. DOWN too
 * before the group is joined and once it is left.
 */
public class CpgHealthIndicator implements HealthIndicator {

	/** The contributor's name in Actuator's registry and health groups. */
	public static final String NAME = "cpg";

	private final SamCpg cpg;

	/**
	 * Create a new instance.
	 * @param cpg the group
	 */
	public CpgHealthIndicator(SamCpg cpg) {
		this.cpg = cpg;
	}

	@Override
	public Health health() {
		SamCpg cpg = this.cpg;
		if (!cpg.isStarted()) {
			return Health.down().withDetail("group", cpg.group()).withDetail("state", "not joined").build();
		}
		Optional<Duration> lostFor = cpg.lostFor();
		if (lostFor.isEmpty()) {
			return Health.up()
				.withDetail("group", cpg.group())
				.withDetail("self", member(cpg.self()))
				.withDetail("members", cpg.members().size())
				.build();
		}
		Health.Builder health = cpg.healthy() ? Health.up() : Health.down();
		health.withDetail("group", cpg.group())
			.withDetail("self", member(cpg.self()))
			.withDetail("state", "lost, joining again")
			.withDetail("lostFor", lostFor.get())
			.withDetail("rejoinTimeout", cpg.rejoinTimeout());
		cpg.lostCause().ifPresent((cause) -> health.withDetail("cause", cause.getMessage()));
		return health.build();
	}

	static Map<String, Object> member(CpgAddress address) {
		Map<String, Object> member = new LinkedHashMap<>();
		if (address != null) {
			member.put("nodeId", Integer.toUnsignedLong(address.nodeId()));
			member.put("pid", address.pid());
		}
		return member;
	}

}
