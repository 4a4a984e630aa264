package dev.samboot.corosync;

import java.util.List;

/**
 * The callbacks of a {@link Cpg} handle ({@code cpg_callbacks_t},
 * {@code cpg_model_v1_data_t}), called on the thread that calls
 * {@link Cpg#dispatch(Cpg.DispatchFlag)}, as in C. An exception a callback throws does
 * not cross into corosync's library: the dispatch goes on, and {@code dispatch} throws it
 * afterwards.
 */
public interface CpgCallbacks {

	/**
	 * A message multicast to a group this handle joined, the handle's own included, in
	 * the order every member delivers it.
	 * @param group the group
	 * @param nodeId the sender's node id
	 * @param pid the sender's process id
	 * @param message the message, a copy the callback may keep
	 */
	void deliver(String group, int nodeId, int pid, byte[] message);

	/**
	 * The membership of a group this handle joined changed.
	 * @param group the group
	 * @param members the members now
	 * @param left those that left, and why
	 * @param joined those that joined
	 */
	void confchg(String group, List<CpgAddress> members, List<CpgAddress> left, List<CpgAddress> joined);

	/**
	 * The totem ring changed (only for handles made by {@link Cpg#modelInitialize}).
	 * @param ringId the new ring
	 * @param members the node ids in it
	 */
	default void totemConfchg(CpgRingId ringId, int[] members) {
	}

}
