package dev.samboot.sam.internal.supervisor;

import dev.samboot.sam.RecoveryPolicy;

/**
 * What the supervisor is started with, fixed for its life.
 *
 * @param intervalNanos the health-check interval, 0 for none
 * @param policy the recovery policy
 * @param warnSignal the warn signal set before {@code register()}
 * @param data the data stored before {@code register()}, or {@code null}
 * @param dataMaxSize the largest data an instance may store
 * @param shutdownTimeoutNanos how long a stopped instance has before SIGKILL
 * @param token the secret an instance presents on the channel
 * @param supervisorPid the supervisor's own pid
 */
public record SupervisorSettings(long intervalNanos, RecoveryPolicy policy, int warnSignal, byte[] data,
		int dataMaxSize, long shutdownTimeoutNanos, byte[] token, long supervisorPid) {
}
