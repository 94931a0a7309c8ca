/**
 * Crash recovery of a stream graph: {@link dev.sluice.streaming.recovery.BatchCheckpointer}
 * writes the metadata checkpoint after every batch (what ran, what each batch that recovery may
 * need was given, where each stateful operator's state lives), and
 * {@link dev.sluice.streaming.recovery.Recovery} reads it back at start: it checks the new graph
 * against it, restores every stateful operator's dataset from its dataset checkpoint, hands the
 * replayable inputs their recorded batches and deletes checkpoint files nothing refers to.
 *
 * <p>Not API; may change.
 */
package dev.sluice.streaming.recovery;
