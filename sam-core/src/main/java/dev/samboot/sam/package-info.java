/**
 * corosync's Simple Availability Manager (libsam) for the JVM, call for call and error
 * for error: {@link dev.samboot.sam.Sam} from {@code sam_initialize} to
 * {@code sam_finalize}, libsam's recovery policies
 * ({@link dev.samboot.sam.RecoveryPolicy}), states ({@link dev.samboot.sam.SamState}) and
 * errors ({@link dev.samboot.sam.CsError} in a {@link dev.samboot.sam.SamException}), and
 * what samboot adds in {@link dev.samboot.sam.SamOptions}. Quorum comes from a
 * {@link dev.samboot.sam.QuorumSource} ({@code dev.samboot.corosync} and
 * {@code dev.samboot.zookeeper} have one each). The packages under
 * {@code dev.samboot.sam.internal} are samboot's own, not an API.
 */
package dev.samboot.sam;
