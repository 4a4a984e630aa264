package dev.samboot.sam.internal.channel;

/**
 * A frame that breaks the channel's rules: a bad length, an unknown type, a payload that
 * does not parse. The connection that sent it is closed; nothing else is affected.
 */
public class MalformedFrameException extends Exception {

	public MalformedFrameException(String message) {
		super(message);
	}

}
