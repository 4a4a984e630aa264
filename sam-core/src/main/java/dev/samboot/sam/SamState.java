package dev.samboot.sam;

/**
 * libsam's internal states, in the order a process moves through them.
 */
public enum SamState {

	NOT_INITIALIZED, INITIALIZED, REGISTERED, STARTED, FINALIZED

}
