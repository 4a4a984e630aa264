/**
 * The active process's side: its end of the channel to the supervisor and the thread of
 * event-driven health checking. Internal to samboot: not an API; it may change in any
 * release.
 */
package dev.samboot.sam.internal.client;
