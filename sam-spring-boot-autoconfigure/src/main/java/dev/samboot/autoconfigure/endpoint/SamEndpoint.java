package dev.samboot.autoconfigure.endpoint;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

import dev.samboot.autoconfigure.cpg.SamCpg;
import dev.samboot.autoconfigure.health.ActuatorHealthCheck;
import dev.samboot.autoconfigure.health.HealthCheckResult;
import dev.samboot.corosync.CpgAddress;
import dev.samboot.sam.Recovery;
import dev.samboot.sam.Sam;
import dev.samboot.sam.SamState;
import dev.samboot.sam.Signals;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * {@code /actuator/sam}: this instance, its supervisor, the recoveries that led to it,
 * and the CPG group it is a member of.
 */
@Endpoint(id = "sam")
public class SamEndpoint {

	private final Sam sam;

	private final ActuatorHealthCheck healthCheck;

	private final SamCpg cpg;

	/**
	 * Create a new instance.
	 * @param sam the registered handle
	 * @param healthCheck the event-driven health check, or {@code null}
	 */
	public SamEndpoint(Sam sam, ActuatorHealthCheck healthCheck) {
		this(sam, healthCheck, null);
	}

	/**
	 * Create a new instance.
	 * @param sam the registered handle
	 * @param healthCheck the event-driven health check, or {@code null}
	 * @param cpg the CPG group, or {@code null} without {@code sam.cpg.group}
	 */
	public SamEndpoint(Sam sam, ActuatorHealthCheck healthCheck, SamCpg cpg) {
		this.sam = sam;
		this.healthCheck = healthCheck;
		this.cpg = cpg;
	}

	@ReadOperation
	public SamDescriptor sam() {
		Sam sam = this.sam;
		return new SamDescriptor(sam.instanceId(), sam.restarts(), sam.state().name(), sam.policy().toString(),
				sam.interval(), Signals.name(sam.warnSignal()), healthCheckMode(), healthChecked(),
				sam.healthCheckFailed(), sam.supervisorPid(), sam.pid(), dataSize(), sam.dataMaxSize(),
				sam.quorate().orElse(null), sam.policy().cmap(), lastHealthCheck(),
				sam.recoveries().stream().map(RecoveryDescriptor::of).toList(),
				(this.cpg != null) ? CpgDescriptor.of(this.cpg) : null);
	}

	private int dataSize() {
		SamState state = this.sam.state();
		return (state == SamState.FINALIZED || state == SamState.NOT_INITIALIZED) ? 0 : this.sam.dataGetSize();
	}

	private String healthCheckMode() {
		return this.sam.eventDriven() ? "event-driven" : "application-driven";
	}

	private String healthChecked() {
		if (!this.sam.eventDriven()) {
			return null;
		}
		return (this.healthCheck != null) ? this.healthCheck.description() : "none (heartbeats only)";
	}

	private HealthCheckDescriptor lastHealthCheck() {
		HealthCheckResult result = (this.healthCheck != null) ? this.healthCheck.lastResult() : null;
		return (result != null) ? HealthCheckDescriptor.of(result) : null;
	}

	/**
	 * The state of this instance.
	 *
	 * @param instanceId this instance's id: 1 for the first, one more per recovery
	 * @param restarts how many instances were started after the first
	 * @param state libsam's state of this handle (REGISTERED, STARTED ...)
	 * @param policy the recovery policy in force
	 * @param interval the health-check interval T
	 * @param warnSignal the signal sent after T of silence
	 * @param healthCheck {@code event-driven} or {@code application-driven}
	 * @param healthChecked what the event-driven check consults
	 * @param healthCheckFailed whether the check has answered unhealthy in this instance
	 * @param supervisorPid the supervisor's pid
	 * @param pid this instance's pid
	 * @param dataSize the size of the stored data
	 * @param dataMaxSize the largest data that can be stored
	 * @param quorate whether the cluster is quorate, as the supervisor last said;
	 * {@code null} without a quorum policy
	 * @param cmapPublishing whether the supervisor publishes its state in corosync's cmap
	 * @param lastHealthCheck the most recent health check, or {@code null}
	 * @param recoveries the recent recoveries, oldest first
	 * @param cpg the CPG group, or {@code null} without {@code sam.cpg.group}
	 */
	public record SamDescriptor(int instanceId, int restarts, String state, String policy, Duration interval,
			String warnSignal, String healthCheck, String healthChecked, boolean healthCheckFailed, long supervisorPid,
			long pid, int dataSize, int dataMaxSize, Boolean quorate, boolean cmapPublishing,
			HealthCheckDescriptor lastHealthCheck, List<RecoveryDescriptor> recoveries,
			CpgDescriptor cpg) implements OperationResponseBody {
	}

	/**
	 * The CPG group this instance is a member of.
	 *
	 * @param group the group's name
	 * @param joined whether this instance is a member now
	 * @param self this member, or {@code null} before the group is joined
	 * @param members the members, this one included, as of the last change; empty while
	 * not a member
	 * @param messagesSent the messages this member sent
	 * @param messagesDelivered the messages this member delivered, its own included
	 * @param rejoins how many times the group was joined again after it was lost
	 * @param lostFor how long the group has been lost, or {@code null} while a member
	 * @param rejoinTimeout how long it may be lost before this instance is unhealthy
	 */
	public record CpgDescriptor(String group, boolean joined, MemberDescriptor self, List<MemberDescriptor> members,
			long messagesSent, long messagesDelivered, long rejoins, Duration lostFor, Duration rejoinTimeout) {

		static CpgDescriptor of(SamCpg cpg) {
			CpgAddress self = cpg.self();
			return new CpgDescriptor(cpg.group(), cpg.isJoined(), (self != null) ? MemberDescriptor.of(self) : null,
					cpg.members().stream().map(MemberDescriptor::of).toList(), cpg.messagesSent(),
					cpg.messagesDelivered(), cpg.rejoins(), cpg.lostFor().orElse(null), cpg.rejoinTimeout());
		}

	}

	/**
	 * A member of a CPG group.
	 *
	 * @param nodeId its corosync node id
	 * @param pid its process id on that node
	 */
	public record MemberDescriptor(long nodeId, int pid) {

		static MemberDescriptor of(CpgAddress address) {
			return new MemberDescriptor(Integer.toUnsignedLong(address.nodeId()), address.pid());
		}

	}

	/**
	 * One health check.
	 *
	 * @param outcome {@code up}, {@code down} or {@code error}
	 * @param status the aggregated status, when there was one
	 * @param time when it ran
	 * @param durationMillis how long it took
	 * @param detail what was not up, or why it failed
	 */
	public record HealthCheckDescriptor(String outcome, String status, Instant time, double durationMillis,
			String detail) {

		static HealthCheckDescriptor of(HealthCheckResult result) {
			return new HealthCheckDescriptor(result.outcome().value(), result.status(), result.time(),
					result.duration().toNanos() / 1_000_000.0, result.detail());
		}

	}

	/**
	 * One recovery the supervisor made.
	 *
	 * @param time when the instance ended
	 * @param instance its id
	 * @param pid its pid
	 * @param reason {@code hc-timeout}, {@code unhealthy}, {@code exited},
	 * {@code killed}, {@code marked-failed}, {@code quorum-lost}, {@code startup-timeout}
	 * or {@code start-failed}
	 * @param exitStatus its exit status (128 + N when killed by signal N)
	 * @param action {@code restart} or {@code quit}
	 * @param backoffMillis how long the supervisor waited before the next instance
	 * @param threadDump where the thread dump taken before the warn signal went, or
	 * {@code null}
	 * @param detail why the action was not the policy's (restart limit, exit status), or
	 * {@code null}
	 */
	public record RecoveryDescriptor(Instant time, int instance, long pid, String reason, int exitStatus, String action,
			long backoffMillis, String threadDump, String detail) {

		static RecoveryDescriptor of(Recovery recovery) {
			return new RecoveryDescriptor(recovery.time(), recovery.instance(), recovery.pid(),
					recovery.reason().value(), recovery.exitStatus(), recovery.action().name().toLowerCase(Locale.ROOT),
					recovery.backoff().toMillis(), recovery.threadDump(), recovery.detail());
		}

	}

}
