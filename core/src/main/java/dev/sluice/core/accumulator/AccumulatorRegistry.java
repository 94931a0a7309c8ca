package dev.sluice.core.accumulator;

import static com.google.common.base.Preconditions.checkArgument;

import dev.sluice.core.function.Function2;
import dev.sluice.core.function.ReduceFunction;
import dev.sluice.core.function.SupplierFunction;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The accumulators of one engine: gives out ids and keeps the named ones, so that the stream
 * engine can report each batch's updates by name.
 *
 * <p>Threading: safe from any thread (the map of named cells is guarded by this object).
 */
public final class AccumulatorRegistry {
    private final AtomicLong ids = new AtomicLong();
    private final Map<String, AccumulatorCell<?, ?>> named = new LinkedHashMap<>();

    /**
     * Creates a cell; a named one is registered under its name.
     *
     * @throws IllegalArgumentException if {@code name} is already used by another accumulator
     */
    public <IN, A> AccumulatorCell<IN, A> create(String name, SupplierFunction<A> zero,
                                                 Function2<A, ? super IN, A> add, ReduceFunction<A> merge) {
        AccumulatorCell<IN, A> cell = new AccumulatorCell<>(ids.getAndIncrement(), name, zero, add, merge);
        if (name != null) {
            synchronized (this) {
                AccumulatorCell<?, ?> old = named.putIfAbsent(name, cell);
                checkArgument(old == null, "accumulator name '%s' is already used by %s; names of named "
                        + "accumulators are unique in an engine, pick another or reuse that accumulator", name, old);
            }
        }
        return cell;
    }

    /** Returns, by name, the updates of each named accumulator since the last call, for those that had any. */
    public Map<String, Object> drainDeltas() {
        Map<String, Object> out = new LinkedHashMap<>();
        synchronized (this) {
            named.forEach((name, cell) -> cell.drainDelta().ifPresent(d -> out.put(name, d)));
        }
        return out;
    }
}
