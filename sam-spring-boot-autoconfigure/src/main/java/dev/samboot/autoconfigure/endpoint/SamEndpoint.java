package dev.samboot.autoconfigure.endpoint;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.samboot.autoconfigure.cpg.SamCpg;
import dev.samboot.autoconfigure.health.ActuatorHealthCheck;
import dev.samboot.autoconfigure.health.HealthCheckResult;
import dev.samboot.corosync.CpgAddress;
import dev.samboot.sam.CsError;
import dev.samboot.sam.Recovery;
import dev.samboot.sam.RecoveryTotals;
import dev.samboot.sam.Sam;
import dev.samboot.sam.SamException;
import dev.samboot.sam.SamState;
import dev.samboot.sam.Signals;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.Show;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

/**
 * {@code /actuator/sam}: this instance, its supervisor, the recoveries that led to it and
 * the supervisor's totals, and the CPG group it is a member of. Two write operations act
 * on the instance, {@code POST /actuator/sam/restart} (an orderly restart) and
 * {@code POST /actuator/sam/mark-failed} ({@code sam_mark_failed}); the endpoint's
 * default access is read-only, so they need
 * {@code management.endpoint.sam.access=unrestricted}. The health check's details and the
 * thread dumps' paths are shown as {@code management.endpoint.health.show-details} says.
 */
@Endpoint(id = "sam", defaultAccess = Access.READ_ONLY)
public class SamEndpoint {

	/** The write operations, by the path element that selects them. */
	public static final List<String> ACTIONS = List.of("restart", "mark-failed");

	private static final Duration MARK_FAILED_DELAY = Duration.ofMillis(250);

	private static final Log logger = LogFactory.getLog(SamEndpoint.class);

	private final Sam sam;

	private final ActuatorHealthCheck healthCheck;

	private final SamCpg cpg;

	private final Show showDetails;

	private final Set<String> roles;

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
		this(sam, healthCheck, cpg, Show.ALWAYS, Set.of());
	}

	/**
	 * Create a new instance.
	 * @param sam the registered handle
	 * @param healthCheck the event-driven health check, or {@code null}
	 * @param cpg the CPG group, or {@code null} without {@code sam.cpg.group}
	 * @param showDetails when the health check's details and the thread dumps' paths are
	 * shown, as {@code management.endpoint.health.show-details}
	 * @param roles the roles {@link Show#WHEN_AUTHORIZED} needs, as
	 * {@code management.endpoint.health.roles}
	 */
	public SamEndpoint(Sam sam, ActuatorHealthCheck healthCheck, SamCpg cpg, Show showDetails, Set<String> roles) {
		this.sam = sam;
		this.healthCheck = healthCheck;
		this.cpg = cpg;
		this.showDetails = showDetails;
		this.roles = Set.copyOf(roles);
	}

	/**
	 * Read the state, showing details as the health endpoint does.
	 * @param securityContext who asks
	 * @return the state
	 */
	@ReadOperation
	public SamDescriptor sam(SecurityContext securityContext) {
		boolean details = this.showDetails.isShown(securityContext, this.roles);
		Sam sam = this.sam;
		return new SamDescriptor(sam.instanceId(), sam.restarts(), sam.state().name(), sam.policy().toString(),
				sam.interval(), Signals.name(sam.warnSignal()), healthCheckMode(), healthChecked(),
				sam.healthCheckFailed(), sam.supervisorPid(), sam.pid(), dataSize(), sam.dataMaxSize(),
				sam.quorate().orElse(null), sam.policy().cmap(), lastHealthCheck(details),
				sam.recoveries().stream().map((recovery) -> RecoveryDescriptor.of(recovery, details)).toList(),
				TotalsDescriptor.of(sam.totals()), (this.cpg != null) ? CpgDescriptor.of(this.cpg) : null);
	}

	/**
	 * Read the state with every detail.
	 * @return the state
	 */
	public SamDescriptor sam() {
		return sam(SecurityContext.NONE);
	}

	/**
	 * Act on this instance: {@code restart} asks the supervisor for an orderly restart
	 * (the warn signal now, the application's graceful shutdown, the next instance at
	 * once, recorded with reason {@code requested}); {@code mark-failed} calls
	 * {@code sam_mark_failed} (only with the cmap flag: SIGKILL, and the supervisor
	 * quits), a moment after the answer is sent. Refused with 409 when the instance is
	 * not in a state to act on (corosync's {@code BAD_HANDLE}, {@code BUSY}) and 400 when
	 * the action or the policy does not allow it ({@code INVALID_PARAM}).
	 * @param action {@code restart} or {@code mark-failed}
	 * @return what will happen, or why nothing will
	 */
	@WriteOperation
	public WebEndpointResponse<ActionDescriptor> act(@Selector String action) {
		Sam sam = this.sam;
		int instance = sam.instanceId();
		try {
			return switch (action) {
				case "restart" -> restart(sam, instance);
				case "mark-failed" -> markFailed(sam, instance);
				default -> refused(action, instance, new SamException(CsError.INVALID_PARAM,
						"unknown action '" + action + "': allowed are " + String.join(", ", ACTIONS)));
			};
		}
		catch (SamException ex) {
			return refused(action, instance, ex);
		}
	}

	private WebEndpointResponse<ActionDescriptor> restart(Sam sam, int instance) {
		sam.requestRestart();
		logger.warn("Restart of instance " + instance + " requested through the sam endpoint");
		String next = "Sending " + Signals.name(sam.warnSignal()) + " to instance " + instance
				+ " now; it is SIGKILLed if still silent " + sam.interval().toMillis() + " ms later; instance "
				+ (instance + 1) + " starts once it has ended (reason 'requested')";
		return new WebEndpointResponse<>(new ActionDescriptor("restart", true, instance, sam.pid(), next, null));
	}

	private WebEndpointResponse<ActionDescriptor> markFailed(Sam sam, int instance) {
		if (sam.state() != SamState.STARTED && sam.state() != SamState.REGISTERED) {
			throw new SamException(CsError.BAD_HANDLE, "markFailed needs a registered instance; it is " + sam.state());
		}
		if (!sam.policy().cmap()) {
			throw new SamException(CsError.INVALID_PARAM,
					"markFailed needs a policy with the cmap flag; the policy is " + sam.policy());
		}
		logger.warn("Instance " + instance + " marked failed through the sam endpoint");
		Thread marker = new Thread(() -> markFailedSoon(sam), "sam-mark-failed");
		marker.setDaemon(true);
		marker.start();
		String next = "Instance " + instance + " is SIGKILLed in about " + MARK_FAILED_DELAY.toMillis()
				+ " ms; the policy becomes quit, so the supervisor quits with its status and no instance follows";
		return new WebEndpointResponse<>(new ActionDescriptor("mark-failed", true, instance, sam.pid(), next, null));
	}

	private static void markFailedSoon(Sam sam) {
		try {
			Thread.sleep(MARK_FAILED_DELAY.toMillis());
			sam.markFailed();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (SamException ex) {
			logger.error("markFailed from the sam endpoint failed: " + ex.getMessage());
		}
	}

	private WebEndpointResponse<ActionDescriptor> refused(String action, int instance, SamException ex) {
		int status = (ex.error() == CsError.INVALID_PARAM) ? WebEndpointResponse.STATUS_BAD_REQUEST : 409;
		return new WebEndpointResponse<>(new ActionDescriptor(action, false, instance, this.sam.pid(),
				"Nothing: " + ex.getMessage(), ex.error().name()), status);
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

	private HealthCheckDescriptor lastHealthCheck(boolean details) {
		HealthCheckResult result = (this.healthCheck != null) ? this.healthCheck.lastResult() : null;
		return (result != null) ? HealthCheckDescriptor.of(result, details) : null;
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
	 * @param totals the supervisor's totals since it started
	 * @param cpg the CPG group, or {@code null} without {@code sam.cpg.group}
	 */
	public record SamDescriptor(int instanceId, int restarts, String state, String policy, Duration interval,
			String warnSignal, String healthCheck, String healthChecked, boolean healthCheckFailed, long supervisorPid,
			long pid, int dataSize, int dataMaxSize, Boolean quorate, boolean cmapPublishing,
			HealthCheckDescriptor lastHealthCheck, List<RecoveryDescriptor> recoveries, TotalsDescriptor totals,
			CpgDescriptor cpg) implements OperationResponseBody {
	}

	/**
	 * What a write operation will do.
	 *
	 * @param action the operation
	 * @param accepted whether it will happen
	 * @param instance the instance it acts on
	 * @param pid that instance's pid
	 * @param next what happens next
	 * @param error corosync's error when refused ({@code BAD_HANDLE}, {@code BUSY},
	 * {@code INVALID_PARAM}), or {@code null}
	 */
	public record ActionDescriptor(String action, boolean accepted, int instance, long pid, String next,
			String error) implements OperationResponseBody {
	}

	/**
	 * The supervisor's totals since it started, which only grow.
	 *
	 * @param restarts instances started after the first
	 * @param recoveries recoveries by reason, every reason listed
	 * @param backoffSeconds the time waited before restarts
	 */
	public record TotalsDescriptor(long restarts, Map<String, Long> recoveries, double backoffSeconds) {

		static TotalsDescriptor of(RecoveryTotals totals) {
			Map<String, Long> recoveries = new LinkedHashMap<>();
			for (Recovery.Reason reason : Recovery.Reason.values()) {
				recoveries.put(reason.value(), totals.recoveries(reason));
			}
			return new TotalsDescriptor(totals.restarts(), recoveries, totals.backoff().toMillis() / 1000.0);
		}

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
	 * @param detail what was not up, or why it failed; {@code null} when details are not
	 * shown
	 */
	public record HealthCheckDescriptor(String outcome, String status, Instant time, double durationMillis,
			String detail) {

		static HealthCheckDescriptor of(HealthCheckResult result, boolean details) {
			return new HealthCheckDescriptor(result.outcome().value(), result.status(), result.time(),
					result.duration().toNanos() / 1_000_000.0, details ? result.detail() : null);
		}

	}

	/**
	 * One recovery the supervisor made.
	 *
	 * @param time when the instance ended
	 * @param instance its id
	 * @param pid its pid
	 * @param reason {@code hc-timeout}, {@code unhealthy}, {@code exited},
	 * {@code killed}, {@code marked-failed}, {@code quorum-lost},
	 * {@code startup-timeout}, {@code start-failed} or {@code requested}
	 * @param exitStatus its exit status (128 + N when killed by signal N)
	 * @param action {@code restart} or {@code quit}
	 * @param backoffMillis how long the supervisor waited before the next instance
	 * @param threadDump where the thread dump taken before the warn signal went, or
	 * {@code null} (also when details are not shown)
	 * @param detail why the action was not the policy's (restart limit, exit status), or
	 * {@code null}
	 */
	public record RecoveryDescriptor(Instant time, int instance, long pid, String reason, int exitStatus, String action,
			long backoffMillis, String threadDump, String detail) {

		static RecoveryDescriptor of(Recovery recovery, boolean details) {
			return new RecoveryDescriptor(recovery.time(), recovery.instance(), recovery.pid(),
					recovery.reason().value(), recovery.exitStatus(), recovery.action().name().toLowerCase(Locale.ROOT),
					recovery.backoff().toMillis(), details ? recovery.threadDump() : null, recovery.detail());
		}

	}

}
