package dev.sluice.core.spi;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.core.Dataset;
import dev.sluice.core.Pair;
import dev.sluice.core.dataset.DatasetNode;
import dev.sluice.core.dataset.Iterators;
import dev.sluice.core.dataset.MapPartitionsDataset;
import dev.sluice.core.dataset.SizedIterator;
import dev.sluice.core.function.ReduceFunction;
import dev.sluice.core.shuffle.Aggregator;
import dev.sluice.core.shuffle.ShuffledDataset;
import java.util.Iterator;

/**
 * The stream engine's gathers: the few per-partition partial results of a {@code count()} or
 * {@code reduce()}, brought into one partition by a tiny shuffle and reduced there.
 *
 * <p>Why not {@code mapToPair(...).reduceByKey(f, 1)}: that would run the engine's own records,
 * once per batch, through the same {@code mapToPair} and map-side-combine call sites as the
 * user's pipeline, where C2 removes the user's per-record {@code Pair} only while those sites
 * have seen a single function (see {@code ShuffleDependency#write}). This gather keys its partials
 * with a plain map and is written by a shuffle loop of its own; the result is the same as
 * {@code reduceByKey}'s (merged like {@code HashMap.merge}: a {@code null} result drops the value).
 *
 * <p>Threading: stateless.
 */
public final class Gathers {
    private Gathers() {
    }

    /**
     * Returns the number of elements {@code partition} has left (do not use it afterwards):
     * without a walk when it knows (a reduce partition's combine table), else by walking it.
     */
    public static long countRemaining(Iterator<?> partition) {
        return SizedIterator.countRemaining(partition);
    }

    /** Returns a one-partition dataset of {@code partials} reduced with {@code f}; empty if they are. */
    public static <T> Dataset<T> toOnePartition(Dataset<T> partials, ReduceFunction<T> f) {
        checkNotNull(f, "f");
        DatasetNode<T> node = Handles.ACCESS.node(checkNotNull(partials, "partials"));
        DatasetNode<Pair<Boolean, T>> keyed = new MapPartitionsDataset<T, Pair<Boolean, T>>(
                node, (ctx, p, it) -> Iterators.map(it, v -> Pair.of(Boolean.TRUE, v)), false, "gather keys");
        ShuffledDataset<Boolean, T, T> gathered = ShuffledDataset.internalGather(keyed, Aggregator.reducing(f));
        DatasetNode<T> values = new MapPartitionsDataset<Pair<Boolean, T>, T>(
                gathered, (ctx, p, it) -> Iterators.map(it, Pair::value), false, "values");
        return Handles.ACCESS.handle(partials.engine(), values);
    }
}
