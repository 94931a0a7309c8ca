package dev.sluice.streaming.metrics;

import java.util.Optional;

/**
 * The latest checkpoint write of one operator (or of the metadata), as the UI shows it.
 *
 * @param kind       {@code METADATA}, {@code STATE_BASE} or {@code STATE_DELTA}
 * @param uid        the operator's uid; empty for the metadata checkpoint
 * @param batchTime  the batch written, clock milliseconds
 * @param bytes      bytes written
 * @param files      files written
 * @param keys       state keys written
 * @param durationMs how long the write took
 * @param error      why it failed, as text; empty if it succeeded
 */
public record CheckpointRecord(String kind, String uid, long batchTime, long bytes, int files, long keys,
                               double durationMs, Optional<String> error) {
}
