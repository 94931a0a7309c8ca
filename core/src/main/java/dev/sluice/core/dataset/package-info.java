/**
 * The lineage graph behind the API's dataset handles: {@link dev.sluice.core.dataset.DatasetNode}
 * (partitions, dependencies on parent nodes, how to compute a partition, plus the storage level and
 * checkpoint state the engine attaches), the narrow dependency kinds, the
 * {@link dev.sluice.core.dataset.PartitionReader} that reads a partition from the block store, the
 * checkpoint files or its parents, the services every node is built with, and the narrow node
 * kinds: fused per-partition operators over iterators, unions, coalescing, parallel collections,
 * text files and checkpoint readers. Shuffled nodes live in {@code core.shuffle}, above this
 * package.
 *
 * <p>Not API; may change.
 */
package dev.sluice.core.dataset;
