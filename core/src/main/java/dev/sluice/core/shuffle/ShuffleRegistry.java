package dev.sluice.core.shuffle;

import dev.sluice.core.Pair;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A weak registry of shuffles by id: it maps a shuffle id to a weak reference to its
 * {@link ShuffleDependency}, so that a shuffle can be found by id (to drop a lost output, to
 * clear one, to list those holding outputs) without keeping it alive. It holds no map outputs.
 *
 * <p>Why the outputs live in the dependency, not here: a shuffle's outputs are needed exactly as
 * long as a dataset that reads them is reachable, and the dependency is reachable exactly then.
 * Holding them in the dependency lets the garbage collector free them in the same collection as
 * the dataset. A strong map here, released by a {@code Cleaner} once the dataset is collected,
 * would keep every old batch's outputs alive for at least one more collection; with a
 * generational collector they get promoted and the live heap of a long stream grows by a batch's
 * shuffle every batch until an old-generation collection (measured: 20 MB a batch at 100,000
 * lines, young pauses growing to 40 ms). Explicit removal (after a checkpoint, or in tests)
 * clears a dependency's outputs through this registry.
 *
 * <p>Registration: the scheduler registers a shuffle when a job first plans its map stage, which
 * is before any output of it exists; a shuffle no job has run has no outputs to find.
 *
 * <p>Threading: safe from any thread; see {@link ShuffleDependency} for the outputs themselves.
 */
public final class ShuffleRegistry {
    private static final int PURGE_EVERY = 256;
    private final ConcurrentHashMap<Integer, WeakReference<ShuffleDependency<?, ?, ?>>> shuffles =
            new ConcurrentHashMap<>();
    private final AtomicInteger registrations = new AtomicInteger();

    /** Registers {@code dependency} under its shuffle id, unless it is registered already. */
    public void register(ShuffleDependency<?, ?, ?> dependency) {
        WeakReference<ShuffleDependency<?, ?, ?>> known = shuffles.get(dependency.shuffleId());
        if (known != null && known.get() == dependency) {
            return;
        }
        shuffles.put(dependency.shuffleId(), new WeakReference<>(dependency));
        if (registrations.incrementAndGet() % PURGE_EVERY == 0) {
            shuffles.values().removeIf(ref -> ref.get() == null);
        }
    }

    private Optional<ShuffleDependency<?, ?, ?>> lookup(int shuffleId) {
        WeakReference<ShuffleDependency<?, ?, ?>> ref = shuffles.get(shuffleId);
        return Optional.ofNullable(ref == null ? null : ref.get());
    }

    /** Drops one map output, as if it were lost; the next reader recomputes it. */
    public void removeMapOutput(int shuffleId, int mapIndex) {
        lookup(shuffleId).ifPresent(d -> d.clearOutput(mapIndex));
    }

    /** Drops all outputs of {@code shuffleId}; a later job that needs them recomputes them. */
    public void remove(int shuffleId) {
        lookup(shuffleId).ifPresent(ShuffleDependency::clearOutputs);
    }

    /** Returns the ids of the shuffles that hold outputs now, in increasing order. */
    public List<Integer> shuffleIds() {
        List<Integer> out = new ArrayList<>();
        shuffles.forEach((id, ref) -> {
            ShuffleDependency<?, ?, ?> d = ref.get();
            if (d != null && d.hasOutputs()) {
                out.add(id);
            }
        });
        Collections.sort(out);
        return out;
    }

    /** Returns the number of shuffles that hold outputs now. */
    public int size() {
        return shuffleIds().size();
    }

    /** Returns an iterator of pairs over flat {@code k, v, k, v} buckets. */
    public static <K, V> Iterator<Pair<K, V>> pairs(List<Object[]> buckets) {
        if (buckets.isEmpty()) {
            return Collections.emptyIterator();
        }
        return new Iterator<>() {
            private int bucket;
            private int position;

            @Override
            public boolean hasNext() {
                while (bucket < buckets.size() && position >= buckets.get(bucket).length) {
                    bucket++;
                    position = 0;
                }
                return bucket < buckets.size();
            }

            @Override
            @SuppressWarnings("unchecked")
            public Pair<K, V> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Object[] b = buckets.get(bucket);
                Pair<K, V> p = new Pair<>((K) b[position], (V) b[position + 1]);
                position += 2;
                return p;
            }
        };
    }
}
