package dev.sluice.streaming.dstream;

import dev.sluice.core.Dataset;
import dev.sluice.core.Pair;
import dev.sluice.core.function.ReduceFunction;
import dev.sluice.streaming.Time;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The per-batch dataset work of the stream's built-in aggregations and outputs. */
public final class Batches {
    private static final Logger log = LoggerFactory.getLogger(Batches.class);
    private static final String DASHES = "-------------------------------------------";

    private Batches() {
    }

    /**
     * Returns a one-partition dataset holding the number of elements of {@code ds} (0 if empty).
     *
     * <p>Why a shuffle and not {@code coalesce(1)}: coalescing would fuse every partition of
     * {@code ds} (and the stage that computes them: a reduce, a window merge, a state update)
     * into one task, leaving all but one worker idle. Counting per partition in parallel and
     * summing the few partial counts after a tiny shuffle costs one more stage of microseconds.
     */
    public static <T> Dataset<Long> count(Dataset<T> ds) {
        if (ds.numPartitions() == 0) {
            return ds.engine().parallelize(List.of(0L), 1);
        }
        Dataset<Long> perPartition = ds.mapPartitions(it -> {
            long n = 0;
            while (it.hasNext()) {
                it.next();
                n++;
            }
            return List.of(n).iterator();
        });
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

    /** Reduces the (few) partial results of every partition into one partition, after a shuffle. */
    private static <T> Dataset<T> gather(Dataset<T> partials, ReduceFunction<T> f) {
        return partials.mapToPair(v -> Pair.of(Boolean.TRUE, v)).reduceByKey(f, 1).values();
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

    /** Returns the text {@code print(n)} writes for a batch whose first elements are {@code first}. */
    public static String printout(List<?> first, int n, Time time) {
        StringBuilder out = new StringBuilder();
        out.append(DASHES).append('\n').append("Time: ").append(time.millis()).append(" ms\n")
                .append(DASHES).append('\n');
        for (int i = 0; i < Math.min(n, first.size()); i++) {
            out.append(first.get(i)).append('\n');
        }
        if (first.size() > n) {
            out.append("...\n");
        }
        out.append('\n');
        return out.toString();
    }

    /** Saves {@code ds} to {@code prefix-<ms>.suffix}, unless a previous run already did. */
    public static void save(Dataset<?> ds, String prefix, String suffix, Time time) {
        String dir = prefix + "-" + time.millis() + (suffix.isEmpty() ? "" : "." + suffix);
        if (dev.sluice.core.spi.EngineServices.of(ds.engine()).exists(dir)) {
            log.debug("batch {}: {} already exists, not writing it again", time.millis(), dir);
            return;
        }
        ds.saveAsTextFile(dir);
    }
}
