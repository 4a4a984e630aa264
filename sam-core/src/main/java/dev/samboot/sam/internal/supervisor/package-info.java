/**
 * The supervisor's state machine, which makes every decision (warn, kill, restart, back
 * off, quit), and the loop that feeds it the socket, process exits, quorum changes,
 * signals and the clock on one thread, with the seams it acts through (clock, launcher,
 * processes, connections). Internal to samboot: not an API; it may change in any release.
 */
package dev.samboot.sam.internal.supervisor;
