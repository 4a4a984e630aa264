package dev.samboot.sam.internal.supervisor;

import dev.samboot.sam.internal.channel.Message;

/**
 * One connection to the supervisor, as the supervisor's state machine sees it.
 */
interface Peer {

	/**
	 * Queue a message to this peer.
	 * @param message the message
	 */
	void send(Message message);

	/**
	 * Close the connection.
	 */
	void close();

}
