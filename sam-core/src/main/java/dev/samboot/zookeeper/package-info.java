/**
 * Quorum from a ZooKeeper ensemble: {@link dev.samboot.zookeeper.ZooKeeperQuorum}, a
 * {@link dev.samboot.sam.QuorumSource} on an Apache Curator connection (Curator is an
 * optional dependency of sam-core).
 */
package dev.samboot.zookeeper;
