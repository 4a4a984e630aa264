package dev.samboot.sam.internal.supervisor;

/**
 * What a supervisor in a new JVM needs to go on supervising an instance that another JVM
 * of the same process launched and supervised so far, while nothing has happened to it
 * but its registration and start: the first instance, no recovery yet, nothing pending
 * against it. Times are {@link Clock#SYSTEM} readings, which both JVMs share (the
 * system's monotonic clock).
 *
 * @param instanceId the instance's id
 * @param pid the instance's pid
 * @param launchedAt when it was launched
 * @param lastActivity when it was last heard from
 * @param runningSince when its {@code start()} was first answered, or 0
 * @param startCalled whether it has called {@code start()}
 * @param started whether it is started now (not stopped again)
 * @param warnSignal the warn signal
 * @param data the stored data, or {@code null}
 */
public record Resumption(int instanceId, long pid, long launchedAt, long lastActivity, long runningSince,
		boolean startCalled, boolean started, int warnSignal, byte[] data) {

}
