/**
 * Processes: launching the same JVM command again with the {@code SAM_*} variables,
 * adopting a child across {@code execv}, POSIX signals, {@code execv} itself, and what
 * the API takes from the process it runs in. Internal to samboot: not an API; it may
 * change in any release.
 */
package dev.samboot.sam.internal.process;
