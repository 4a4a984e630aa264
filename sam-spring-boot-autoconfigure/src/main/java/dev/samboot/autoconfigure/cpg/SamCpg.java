package dev.samboot.autoconfigure.cpg;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import dev.samboot.autoconfigure.CpgSettings;
import dev.samboot.corosync.CpgAddress;
import dev.samboot.corosync.CpgGroup;
import dev.samboot.corosync.CpgMembership;
import dev.samboot.corosync.CpgMessage;
import dev.samboot.sam.CsError;
import dev.samboot.sam.SamException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

/**
 * The corosync closed process group named by {@code sam.cpg.group}, for the application:
 * this instance joins it when the context starts, before the web server takes requests
 * and before the application is ready, and leaves it when the context closes. Messages
 * are sent in agreed order; every member delivers them, this one included. What is
 * delivered, and every change of the membership, is published as a
 * {@link CpgMessageEvent} or a {@link CpgMembershipEvent}, on the group's dispatch
 * thread, one at a time and in the order corosync delivers (a slow listener holds up the
 * following events).
 * <p>
 * Under samboot the instance joins once it has registered with its supervisor, which
 * never joins: an instance that dies leaves the group ({@code PROCDOWN}) and the next
 * joins under its own pid. A group lost for longer than {@code sam.cpg.rejoin-timeout}
 * turns the {@code cpg} health indicator DOWN, and the supervisor restarts the instance.
 */
public class SamCpg implements SmartLifecycle, DisposableBean {

	/**
	 * Started before the web server (whose phase is {@code DEFAULT_PHASE - 2048}) and
	 * stopped after it. Joining before the web server serves means a request never finds
	 * the group not yet joined. Leaving after it has stopped, which is after samboot's
	 * {@code stop()} (the first to stop), keeps the instance a member while its last
	 * requests, graceful shutdown included, may still send; and the health check, which
	 * stops with supervision, never sees the group left.
	 */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 3072;

	private static final Log logger = LogFactory.getLog(SamCpg.class);

	private final CpgSettings settings;

	private final ApplicationEventPublisher publisher;

	private final boolean supervised;

	private volatile CpgGroup group;

	private volatile boolean running;

	/**
	 * Set when the context closes: what the group still delivers then is not published.
	 */
	private volatile boolean stopping;

	/**
	 * Create a new instance; the group is joined when the context starts.
	 * @param settings the group and how it behaves
	 * @param publisher where the events go
	 * @param supervised whether samboot supervises this process (said in the log when
	 * not)
	 */
	public SamCpg(CpgSettings settings, ApplicationEventPublisher publisher, boolean supervised) {
		if (!settings.enabled()) {
			throw new IllegalArgumentException("sam.cpg.group is not set");
		}
		this.settings = settings;
		this.publisher = publisher;
		this.supervised = supervised;
	}

	/**
	 * Join the group.
	 * @throws CpgJoinException when it cannot be joined, such as with corosync not
	 * running
	 */
	@Override
	public synchronized void start() {
		if (this.running) {
			return;
		}
		this.stopping = false;
		CpgGroup.Options options = new CpgGroup.Options(this.settings.maxMessageBytes(), this.settings.sendTimeout(),
				CpgGroup.DEFAULT_REJOIN_BACKOFF);
		try {
			this.group = CpgGroup.join(this.settings.group(), options, new Publisher());
		}
		catch (SamException ex) {
			throw new CpgJoinException(this.settings.group(), ex);
		}
		this.running = true;
		CpgGroup joined = this.group;
		logger.info("Joined CPG group '" + joined.name() + "' as " + joined.self() + ", with " + joined.members().size()
				+ " member(s)");
		if (!this.supervised) {
			logger.info("samboot supervision is off: membership of CPG group '" + joined.name()
					+ "' is not supervised (an instance that loses the group for good is not restarted)");
		}
	}

	/**
	 * Leave the group: the other members see this process leave.
	 */
	@Override
	public synchronized void stop() {
		this.stopping = true;
		this.running = false;
		CpgGroup joined = this.group;
		if (joined == null) {
			return;
		}
		boolean member = joined.isJoined();
		joined.close();
		if (member) {
			logger.info("Left CPG group '" + joined.name() + "': the context is closing");
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	/**
	 * Leave the group if the context did not stop (a start-up that failed after it was
	 * joined).
	 */
	@Override
	public void destroy() {
		stop();
	}

	/**
	 * Multicast a message to the group in agreed order; every member delivers it, this
	 * one included, as a {@link CpgMessageEvent}.
	 * @param message the message, at most {@code sam.cpg.max-message-size}
	 * @throws SamException with {@link CsError#TOO_BIG} for a message that is too long,
	 * {@link CsError#NOT_EXIST} while this member is not in the group (before it has
	 * joined, or while it joins again), {@link CsError#TRY_AGAIN} when corosync kept
	 * refusing for 5 s, {@link CsError#BAD_HANDLE} once left
	 */
	public void send(byte[] message) {
		joined().send(message);
	}

	/**
	 * Send a string as its UTF-8 bytes.
	 * @param message the message
	 * @see #send(byte[])
	 */
	public void send(String message) {
		if (message == null) {
			throw new SamException(CsError.INVALID_PARAM, "The CPG message is null");
		}
		send(message.getBytes(StandardCharsets.UTF_8));
	}

	private CpgGroup joined() {
		CpgGroup joined = this.group;
		if (joined == null) {
			throw new SamException(CsError.NOT_EXIST, "CPG group '" + this.settings.group() + "' is not joined yet");
		}
		return joined;
	}

	/**
	 * Return the group's name.
	 * @return {@code sam.cpg.group}
	 */
	public String group() {
		return this.settings.group();
	}

	/**
	 * Return this member: the local node id and this process's pid.
	 * @return this member, or {@code null} before the group is joined
	 */
	public CpgAddress self() {
		CpgGroup joined = this.group;
		return (joined != null) ? joined.self() : null;
	}

	/**
	 * Return the members as of the last change this member delivered, this one included.
	 * @return the members; empty before the group is joined, while it is lost and once
	 * left
	 */
	public List<CpgAddress> members() {
		return membership().members();
	}

	/**
	 * Return the members with the last change.
	 * @return the membership; empty before the group is joined, while it is lost and once
	 * left
	 */
	public CpgMembership membership() {
		CpgGroup joined = this.group;
		return (joined != null && joined.isJoined()) ? joined.membership()
				: new CpgMembership(group(), List.of(), List.of(), List.of());
	}

	/**
	 * Whether this process is a member now.
	 * @return {@code false} before the group is joined, while it is lost and once left
	 */
	public boolean isJoined() {
		CpgGroup joined = this.group;
		return joined != null && joined.isJoined();
	}

	/**
	 * Whether the group was joined and is not left yet, lost or not.
	 * @return {@code true} between the start and the close of the context
	 */
	public boolean isStarted() {
		return this.running;
	}

	/**
	 * Return how long this member has been out of the group.
	 * @return empty while it is a member (and before it has joined)
	 */
	public Optional<Duration> lostFor() {
		CpgGroup joined = this.group;
		return (joined != null && this.running) ? joined.lostFor() : Optional.empty();
	}

	/**
	 * Return why the group was lost, or why the last attempt to join again failed.
	 * @return empty while a member
	 */
	public Optional<SamException> lostCause() {
		CpgGroup joined = this.group;
		return (joined != null && this.running) ? joined.lostCause() : Optional.empty();
	}

	/**
	 * Whether this member is healthy: in the group, or out of it for less than
	 * {@link #rejoinTimeout()}.
	 * @return {@code false} also before the group is joined and once left
	 */
	public boolean healthy() {
		CpgGroup joined = this.group;
		return joined != null && this.running && joined.healthy(this.settings.rejoinTimeout());
	}

	/**
	 * Return how long the group may stay lost before this member is unhealthy.
	 * @return {@code sam.cpg.rejoin-timeout}
	 */
	public Duration rejoinTimeout() {
		return this.settings.rejoinTimeout();
	}

	/**
	 * Return how many messages this member has sent.
	 * @return the count since the group was joined
	 */
	public long messagesSent() {
		CpgGroup joined = this.group;
		return (joined != null) ? joined.messagesSent() : 0;
	}

	/**
	 * Return how many messages this member has delivered, its own included.
	 * @return the count since the group was joined
	 */
	public long messagesDelivered() {
		CpgGroup joined = this.group;
		return (joined != null) ? joined.messagesDelivered() : 0;
	}

	/**
	 * Return how many times the group was joined again after it was lost.
	 * @return the count
	 */
	public long rejoins() {
		CpgGroup joined = this.group;
		return (joined != null) ? joined.rejoins() : 0;
	}

	@Override
	public String toString() {
		CpgGroup joined = this.group;
		return (joined != null) ? joined.toString() : "CpgGroup[" + group() + ", not joined]";
	}

	/** Turns what the group delivers into application events, on its dispatch thread. */
	private final class Publisher implements CpgGroup.Listener {

		@Override
		public void delivered(CpgMessage message) {
			if (SamCpg.this.stopping) {
				return;
			}
			SamCpg.this.publisher.publishEvent(new CpgMessageEvent(SamCpg.this, message));
		}

		@Override
		public void membershipChanged(CpgMembership membership) {
			if (SamCpg.this.stopping) {
				return;
			}
			if (logger.isDebugEnabled()) {
				logger.debug("CPG group '" + membership.group() + "': members " + membership.members() + ", left "
						+ membership.left() + ", joined " + membership.joined());
			}
			SamCpg.this.publisher.publishEvent(new CpgMembershipEvent(SamCpg.this, membership));
		}

	}

}
