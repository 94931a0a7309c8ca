/**
 * The logical plan of a streaming program: the graph of nodes behind the public
 * {@link dev.sluice.streaming.DStream} handles. One node per operator, named by a typed
 * {@link dev.sluice.streaming.dstream.OperatorDescriptor}; the inputs that turn received or
 * queued data into per-batch datasets; the outputs that make one job per batch; and
 * {@link dev.sluice.streaming.dstream.BatchRetention}, which decides how long each node keeps its
 * batches and releases them. A node turns a batch time into a {@code Dataset} lineage; the core
 * scheduler turns that lineage into stages and tasks.
 *
 * <p>Not API; may change.
 */
package dev.sluice.streaming.dstream;
