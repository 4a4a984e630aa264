/**
 * The channel between the supervisor and the active process: the messages, their
 * length-prefixed frames with fixed numeric codes and a protocol version, and the private
 * directory that holds the Unix socket. Internal to samboot: not an API; it may change in
 * any release.
 */
package dev.samboot.sam.internal.channel;
