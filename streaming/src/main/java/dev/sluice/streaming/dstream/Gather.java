package dev.sluice.streaming.dstream;

import dev.sluice.core.Dataset;
import dev.sluice.core.function.ReduceFunction;
import dev.sluice.core.spi.Gathers;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * The per-batch datasets of a stream's {@code count()} and {@code reduce()}: partial results per
 * partition, gathered into one partition.
 *
 * <p>Why a shuffle and not {@code coalesce(1)}: coalescing would fuse every partition of the
 * input (and the stage that computes them: a reduce, a window merge, a state update) into one
 * task, leaving all but one worker idle. Counting per partition in parallel and summing the few
 * partial counts after a tiny shuffle costs one more stage of microseconds.
 */
public final class Gather {

    private Gather() {
    }

    /** Returns a one-partition dataset holding the number of elements of {@code ds} (0 if empty). */
    public static <T> Dataset<Long> count(Dataset<T> ds) {
        if (ds.numPartitions() == 0) {
            return ds.engine().parallelize(List.of(0L), 1);
        }
        // A reduced partition (its combine table) knows its size: counted without a pair per key.
        Dataset<Long> perPartition = ds.mapPartitions(it -> List.of(Gathers.countRemaining(it)).iterator());
        return gather(perPartition, Long::sum);
    }

    /** Returns a one-partition dataset of all elements reduced with {@code f}; empty if {@code ds} is. */
    public static <T> Dataset<T> reduce(Dataset<T> ds, ReduceFunction<T> f) {
        Dataset<T> perPartition = ds.mapPartitions(it -> reduceAll(it, f).stream().iterator());
        if (ds.numPartitions() == 0) {
            return perPartition;
        }
        return gather(perPartition, f);
    }

    /**
     * Reduces the (few) partial results of every partition into one partition, after a shuffle
     * of the engine's own ({@link Gathers}: not through {@code mapToPair} and the map-side
     * combine, whose call sites are the user pipeline's).
     */
    private static <T> Dataset<T> gather(Dataset<T> partials, ReduceFunction<T> f) {
        return Gathers.toOnePartition(partials, f);
    }

    private static <T> Optional<T> reduceAll(Iterator<? extends T> it, ReduceFunction<T> f) throws Exception {
        if (!it.hasNext()) {
            return Optional.empty();
        }
        T acc = it.next();
        while (it.hasNext()) {
            acc = f.call(acc, it.next());
        }
        return Optional.ofNullable(acc);
    }
}
