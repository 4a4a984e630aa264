/**
 * corosync for samboot, through jnr-ffi: votequorum and cmap as libsam uses them
 * ({@link dev.samboot.corosync.CorosyncQuorum} is the default
 * {@link dev.samboot.sam.QuorumSource}, {@link dev.samboot.corosync.CmapStatePublisher}
 * the default {@link dev.samboot.sam.StatePublisher}, {@link dev.samboot.corosync.Cmap}
 * reads and writes cmap keys directly), and closed process groups:
 * {@link dev.samboot.corosync.Cpg} binds {@code libcpg} call for call and
 * {@link dev.samboot.corosync.CpgGroup} is a group for applications.
 */
package dev.samboot.corosync;
