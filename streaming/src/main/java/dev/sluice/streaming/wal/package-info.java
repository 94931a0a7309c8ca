/**
 * The receiver write-ahead log on any Hadoop {@code FileSystem}: rolling segment files of
 * length-prefixed, CRC32C-checked records written with group commit, read back with a position
 * per record, recovered past a torn tail, and refused where a segment is damaged in the middle.
 * Also the block handlers that store receiver blocks in memory only, or in the log first and then
 * in memory.
 *
 * <p>Not API; may change.
 */
package dev.sluice.streaming.wal;
