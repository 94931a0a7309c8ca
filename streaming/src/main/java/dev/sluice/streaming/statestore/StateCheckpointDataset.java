package dev.sluice.streaming.statestore;

import dev.sluice.core.Dataset;
import dev.sluice.core.Engine;
import dev.sluice.core.Partition;
import dev.sluice.core.Partitioner;
import dev.sluice.core.TaskContext;
import dev.sluice.core.spi.NarrowDataset;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A state dataset read back from a complete state checkpoint: partition {@code i} is the chain
 * of files the manifest names for it, bulk-loaded ({@link StateFiles#loadPartition}). Partitions
 * recovery already loaded (in parallel) are handed over once, then read from the files again.
 * Also the source a state dataset's lineage is cut to once its checkpoint is durable.
 *
 * @param <T> the record type
 */
public final class StateCheckpointDataset<T> extends NarrowDataset<T> {
    private final StateFiles files;
    private final StateManifest manifest;
    private final StateCodec<T> codec;
    private final Partitioner partitioner;
    private final AtomicReferenceArray<List<T>> loaded;

    private StateCheckpointDataset(Engine engine, StateFiles files, StateManifest manifest, StateCodec<T> codec,
                                   Partitioner partitioner, List<List<T>> preloaded) {
        super(engine, "state checkpoint " + manifest.uid() + " at " + manifest.stateTime() + " ms");
        this.files = files;
        this.manifest = manifest;
        this.codec = codec;
        this.partitioner = partitioner;
        this.loaded = new AtomicReferenceArray<>(manifest.partitions().size());
        if (preloaded != null) {
            for (int i = 0; i < preloaded.size(); i++) {
                loaded.set(i, preloaded.get(i));
            }
        }
    }

    /** Returns the dataset of {@code manifest}; {@code preloaded} (may be null) are its partitions already read. */
    public static <T> Dataset<T> of(Engine engine, StateFiles files, StateManifest manifest, StateCodec<T> codec,
                                    Partitioner partitioner, List<List<T>> preloaded) {
        return new StateCheckpointDataset<>(engine, files, manifest, codec, partitioner, preloaded).toDataset();
    }

    @Override
    protected List<Partition> computePartitions() {
        return indexPartitions(manifest.partitions().size());
    }

    @Override
    protected List<Dataset<?>> narrowParents() {
        return List.of();
    }

    @Override
    public Optional<Partitioner> partitioner() {
        return Optional.ofNullable(partitioner);
    }

    @Override
    protected Iterator<T> compute(Partition partition, TaskContext context) {
        List<T> records = loaded.getAndSet(partition.index(), null);
        if (records == null) {
            records = files.loadPartition(manifest, partition.index(), codec);
        }
        return records.iterator();
    }
}
