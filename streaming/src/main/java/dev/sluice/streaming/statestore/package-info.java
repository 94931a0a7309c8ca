/**
 * Incremental, asynchronous state checkpoints: per state partition a base file and the deltas
 * written after it, a manifest per checkpoint that names them (the commit point), a background
 * writer that writes them from immutable snapshots while the next batches run, and the reader
 * that bulk-loads a partition back. See {@link dev.sluice.streaming.statestore.StateCheckpointWriter}
 * for the protocol and {@link dev.sluice.streaming.statestore.StateFiles} for the file layout.
 *
 * <p>Not API; may change.
 */
package dev.sluice.streaming.statestore;
