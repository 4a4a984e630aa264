/**
 * The start-up cache: the AppCDS archive or AOT cache the supervisor trains once and
 * later instances start with. Internal to samboot: not an API; it may change in any
 * release.
 */
package dev.samboot.sam.internal.cache;
