/**
 * corosync's votequorum and cmap for samboot, through jnr-ffi, as libsam uses them:
 * {@link dev.samboot.corosync.CorosyncQuorum} is the default
 * {@link dev.samboot.sam.QuorumSource}, {@link dev.samboot.corosync.CmapStatePublisher}
 * the default {@link dev.samboot.sam.StatePublisher}, and
 * {@link dev.samboot.corosync.Cmap} reads and writes cmap keys directly.
 */
package dev.samboot.corosync;
