/**
 * The lean supervisor: the handoff of the options and the {@code execv} into a small JVM
 * that loads only samboot's core, and that JVM's entry point and log lines. Internal to
 * samboot: not an API; it may change in any release.
 */
package dev.samboot.sam.internal.lean;
