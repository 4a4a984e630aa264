package dev.samboot.sample;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.samboot.autoconfigure.cpg.CpgMembershipEvent;
import dev.samboot.autoconfigure.cpg.CpgMessageEvent;
import dev.samboot.autoconfigure.cpg.SamCpg;
import dev.samboot.corosync.CpgAddress;
import dev.samboot.corosync.CpgReason;
import dev.samboot.sam.CsError;
import dev.samboot.sam.SamException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.event.EventListener;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The corosync closed process group named by {@code sam.cpg.group}, when one is: send a
 * text to every member, list the members and the last changes, list the last messages
 * delivered. Start two samples with the same group and see each other, and see an
 * instance that crashes leave and its successor join.
 */
@RestController
@RequestMapping(path = "/demo/cpg", produces = MediaType.APPLICATION_JSON_VALUE)
@ConditionalOnProperty("sam.cpg.group")
public class CpgDemoController {

	/** How many delivered messages, and membership changes, are kept. */
	static final int KEPT = 100;

	private static final Log logger = LogFactory.getLog(CpgDemoController.class);

	private final SamCpg cpg;

	private final Deque<Delivered> messages = new ArrayDeque<>();

	private final Deque<Change> changes = new ArrayDeque<>();

	public CpgDemoController(SamCpg cpg) {
		this.cpg = cpg;
	}

	/**
	 * Send a text to the group; every member, this one included, delivers it.
	 * @param text the request's body
	 * @return what was sent, or why not
	 */
	@PostMapping(path = "/messages", consumes = MediaType.TEXT_PLAIN_VALUE)
	public ResponseEntity<Map<String, Object>> send(@RequestBody String text) {
		try {
			this.cpg.send(text);
			return ResponseEntity.accepted().body(Map.of("group", this.cpg.group(), "text", text));
		}
		catch (SamException ex) {
			HttpStatus status = (ex.error() == CsError.TOO_BIG) ? HttpStatus.CONTENT_TOO_LARGE
					: HttpStatus.SERVICE_UNAVAILABLE;
			return ResponseEntity.status(status)
				.body(Map.of("group", this.cpg.group(), "error", ex.error().name(), "message", ex.getMessage()));
		}
	}

	/**
	 * List the members and the last changes of the membership.
	 * @return the group, this member, the members and the changes, oldest first
	 */
	@GetMapping("/members")
	public Members members() {
		CpgAddress self = this.cpg.self();
		synchronized (this.changes) {
			return new Members(this.cpg.group(), this.cpg.isJoined(), (self != null) ? Member.of(self) : null,
					this.cpg.members().stream().map(Member::of).toList(), List.copyOf(this.changes));
		}
	}

	/**
	 * List the last messages delivered, with their senders.
	 * @return up to {@value #KEPT} messages, oldest first
	 */
	@GetMapping("/messages")
	public List<Delivered> messages() {
		synchronized (this.messages) {
			return List.copyOf(this.messages);
		}
	}

	@EventListener
	void delivered(CpgMessageEvent event) {
		Delivered delivered = new Delivered(Instant.now(), Integer.toUnsignedLong(event.getNodeId()), event.getPid(),
				event.getText());
		synchronized (this.messages) {
			keep(this.messages, delivered);
		}
	}

	@EventListener
	void membershipChanged(CpgMembershipEvent event) {
		logger.info("CPG group '" + event.getGroup() + "': members " + event.getMembers() + ", left " + event.getLeft()
				+ ", joined " + event.getJoined());
		Change change = new Change(Instant.now(), event.getMembers().stream().map(Member::of).toList(),
				event.getLeft().stream().map(Member::of).toList(), event.getJoined().stream().map(Member::of).toList());
		synchronized (this.changes) {
			keep(this.changes, change);
		}
	}

	private static <T> void keep(Deque<T> kept, T item) {
		kept.addLast(item);
		while (kept.size() > KEPT) {
			kept.removeFirst();
		}
	}

	/**
	 * The group's members.
	 *
	 * @param group the group's name
	 * @param joined whether this instance is a member now
	 * @param self this instance
	 * @param members the members
	 * @param changes the last changes, oldest first
	 */
	public record Members(String group, boolean joined, Member self, List<Member> members, List<Change> changes) {
	}

	/**
	 * A member.
	 *
	 * @param nodeId its corosync node id
	 * @param pid its pid
	 * @param reason why it is listed in a change ({@code join}, {@code leave},
	 * {@code procdown} ...), or {@code null} in a membership
	 */
	public record Member(long nodeId, int pid, String reason) {

		static Member of(CpgAddress address) {
			return new Member(Integer.toUnsignedLong(address.nodeId()), address.pid(),
					(address.reason() != CpgReason.UNDEFINED) ? address.reason().name().toLowerCase(Locale.ROOT)
							: null);
		}

	}

	/**
	 * A change of the membership.
	 *
	 * @param time when this instance delivered it
	 * @param members the members after it
	 * @param left those that left, with why
	 * @param joined those that joined
	 */
	public record Change(Instant time, List<Member> members, List<Member> left, List<Member> joined) {
	}

	/**
	 * A delivered message.
	 *
	 * @param time when this instance delivered it
	 * @param nodeId the sender's node id
	 * @param pid the sender's pid
	 * @param text the message read as UTF-8
	 */
	public record Delivered(Instant time, long nodeId, int pid, String text) {
	}

}
