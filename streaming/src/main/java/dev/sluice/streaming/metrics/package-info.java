/**
 * What a running context measures about itself: Micrometer meters for every per-batch figure
 * (delays, input rates, lag, backpressure, receivers, state size), and the bounded history of
 * recent batches that the web UI and the JSON API read. Fed by the listener bus and a few
 * counters of the runtime; nothing here is called per record. The DStream graph is read through
 * {@link dev.sluice.streaming.metrics.PipelineView} only.
 *
 * <p>Not API; may change.
 */
package dev.sluice.streaming.metrics;
