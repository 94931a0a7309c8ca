/**
 * The stream operators behind {@link dev.sluice.streaming.DStream}'s methods, the inputs that
 * turn received or queued data into per-batch datasets, the output stream, and the graph that
 * holds them all.
 *
 * <p>Not API; may change.
 */
package dev.sluice.streaming.dstream;
