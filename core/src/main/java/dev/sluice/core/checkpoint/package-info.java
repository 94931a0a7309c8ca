/**
 * Dataset checkpoint files on any Hadoop {@code FileSystem}: one file per partition, written
 * atomically (temporary name, then rename) and read back only after its header's magic, format
 * version, payload length, CRC32 and record count all check out.
 *
 * <p>Not API; may change.
 */
package dev.sluice.core.checkpoint;
