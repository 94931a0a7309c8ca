/**
 * The block store: cached dataset partitions and received input blocks, kept by {@link
 * dev.sluice.core.storage.BlockId} on the heap as objects, on the heap as Kryo bytes, or as Kryo
 * bytes in files of a local directory, following the {@link dev.sluice.core.StorageLevel} asked
 * for. A block that is lost is reported as absent, and the caller recomputes it from lineage.
 *
 * <p>Not API; may change.
 */
package dev.sluice.core.storage;
