/**
 * systemd's notify protocol ({@code READY}, {@code STATUS}, {@code WATCHDOG},
 * {@code STOPPING}) on {@code NOTIFY_SOCKET}, for a supervisor that is a service's main
 * process. Internal to samboot: not an API; it may change in any release.
 */
package dev.samboot.sam.internal.systemd;
