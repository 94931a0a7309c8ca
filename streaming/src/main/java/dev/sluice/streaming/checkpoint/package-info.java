/**
 * The metadata checkpoint of a streaming context: what ran, what each pending batch was
 * allocated, and where each stateful operator's state lives, as an immutable record with an
 * explicit versioned binary format; the store that writes one file per batch atomically, keeps
 * the last few and recovers the newest valid one; and the check that a recovered checkpoint fits
 * the new program's graph.
 *
 * <p>Not API; may change.
 */
package dev.sluice.streaming.checkpoint;
