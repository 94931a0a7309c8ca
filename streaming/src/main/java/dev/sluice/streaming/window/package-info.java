/**
 * The windowed stream operators behind {@link dev.sluice.streaming.DStream#window} and the
 * {@code *ByWindow} / {@code *AndWindow} methods: what a window of batch times covers, the plain
 * union of a window's batches, the per-key merge of co-partitioned per-batch results over a
 * window, and the incremental window that carries its previous result forward with an inverse
 * function (and therefore checkpoints). These operators own how long their parents keep batches.
 *
 * <p>Not API; may change.
 */
package dev.sluice.streaming.window;
