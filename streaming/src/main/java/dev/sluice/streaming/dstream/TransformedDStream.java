package dev.sluice.streaming.dstream;

import dev.sluice.core.Dataset;
import dev.sluice.core.spi.UserExceptions;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.Time;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Every per-batch operator that is one dataset transformation of one parent (map, filter,
 * flatMap, mapToPair, reduceByKey, join's per-batch half, transform, ...).
 *
 * <p>Why one class and not one per operator: each of these is literally "the parent's dataset of
 * this batch, transformed"; the operator logic lives in the core {@code Dataset} operation, and
 * a class per operator would repeat the same 40 lines a dozen times. Operators with their own
 * logic (windows, state, unions, outputs) have their own classes.
 */
public final class TransformedDStream<T, R> extends DStream<R> {
    private final DStream<T> parent;
    private final DatasetTransform<T, R> transform;

    /** Creates the operator {@code operation} over {@code parent}. */
    public TransformedDStream(DStream<T> parent, DatasetTransform<T, R> transform, String operation) {
        super(parent.context());
        this.parent = parent;
        this.transform = transform;
        setName(operation);
    }

    @Override
    public Duration slideDuration() {
        return parent.slideDuration();
    }

    @Override
    public List<DStream<?>> dependencies() {
        return List.of(parent);
    }

    @Override
    protected Optional<Dataset<R>> compute(Time time) {
        Optional<Dataset<T>> in = parent.datasetAt(time);
        if (in.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(transform.apply(in.get(), time));
        } catch (Exception e) {
            throw UserExceptions.wrap(e);
        }
    }
}
