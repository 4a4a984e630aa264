package dev.samboot.sam;

/**
 * A frame that breaks the channel's rules: a bad length, an unknown type, a payload that does not
 * parse. The connection that sent it is closed; nothing else is affected.
 */
class MalformedFrameException extends Exception {

	MalformedFrameException(String message) {
		super(message);
	}

}
