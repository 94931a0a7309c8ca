package dev.sluice.streaming;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.core.Dataset;
import dev.sluice.core.HashPartitioner;
import dev.sluice.core.Pair;
import dev.sluice.core.Partitioner;
import dev.sluice.streaming.function.StateMappingFunction;
import java.time.Duration;
import java.util.Optional;

/**
 * What {@link PairDStream#mapWithState} does: the mapping function, and optionally an initial
 * state, the state's partitioning and an idle timeout. Immutable: each setting returns a copy.
 *
 * <pre>{@code
 * StateSpec<String, Integer, Long, Pair<String, Long>> spec = StateSpec
 *         .function((String word, Optional<Integer> one, State<Long> state) -> { ... })
 *         .numPartitions(8)
 *         .timeout(Duration.ofMinutes(10));
 * }</pre>
 *
 * @param <K> the key type
 * @param <V> the value type
 * @param <S> the state type
 * @param <R> the output type
 */
public final class StateSpec<K, V, S, R> {
    private final StateMappingFunction<K, V, S, R> function;
    private final Dataset<Pair<K, S>> initialState;
    private final Partitioner partitioner;
    private final Duration timeout;

    private StateSpec(StateMappingFunction<K, V, S, R> function, Dataset<Pair<K, S>> initialState,
                      Partitioner partitioner, Duration timeout) {
        this.function = function;
        this.initialState = initialState;
        this.partitioner = partitioner;
        this.timeout = timeout;
    }

    /** Returns a spec with mapping function {@code f}, no initial state, the default partitioner and no timeout. */
    public static <K, V, S, R> StateSpec<K, V, S, R> function(StateMappingFunction<K, V, S, R> f) {
        checkNotNull(f, "f");
        return new StateSpec<>(f, null, null, null);
    }

    /** Returns a copy whose state starts as {@code state} (one pair per key) instead of empty. */
    public StateSpec<K, V, S, R> initialState(Dataset<Pair<K, S>> state) {
        checkNotNull(state, "state");
        return new StateSpec<>(function, state, partitioner, timeout);
    }

    /** Returns a copy whose state is hash-partitioned into {@code numPartitions} partitions. */
    public StateSpec<K, V, S, R> numPartitions(int numPartitions) {
        checkArgument(numPartitions > 0, "numPartitions must be > 0, got %s", numPartitions);
        return partitioner(new HashPartitioner(numPartitions));
    }

    /** Returns a copy whose state is partitioned by {@code p} (default: hash, engine parallelism). */
    public StateSpec<K, V, S, R> partitioner(Partitioner p) {
        checkNotNull(p, "partitioner");
        return new StateSpec<>(function, initialState, p, timeout);
    }

    /**
     * Returns a copy that times keys out after {@code idle} without records: the function is
     * called once more for such a key, with an empty value and {@code state.isTimingOut()}, and
     * the key is then removed. Checked at batch times: a key times out in the first batch at or
     * after its last update or access plus {@code idle}. A timeout makes every batch scan all keys.
     *
     * @throws IllegalArgumentException if {@code idle} is not positive
     */
    public StateSpec<K, V, S, R> timeout(Duration idle) {
        checkNotNull(idle, "idle");
        checkArgument(!idle.isNegative() && !idle.isZero(), "timeout must be positive, got %s", idle);
        return new StateSpec<>(function, initialState, partitioner, idle);
    }

    /** Returns the mapping function. */
    public StateMappingFunction<K, V, S, R> function() {
        return function;
    }

    /** Returns the initial state, if set. */
    public Optional<Dataset<Pair<K, S>>> initialState() {
        return Optional.ofNullable(initialState);
    }

    /** Returns the partitioner, if set. */
    public Optional<Partitioner> partitioner() {
        return Optional.ofNullable(partitioner);
    }

    /** Returns the idle timeout, if set. */
    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    @Override
    public String toString() {
        return "StateSpec(partitioner=" + partitioner + ", timeout=" + timeout + ", initialState="
                + (initialState == null ? "none" : initialState.toString()) + ")";
    }
}
