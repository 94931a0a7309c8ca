package dev.sluice.streaming.dstream;

import dev.sluice.core.Dataset;
import dev.sluice.core.spi.UserExceptions;
import dev.sluice.streaming.Time;
import java.util.Optional;

/**
 * Every per-batch operator that is one dataset transformation of one parent (map, filter,
 * flatMap, mapToPair, reduceByKey, transform, ...): which one is its {@link OperatorKind}.
 *
 * <p>Why one class and not one per operator: each of these is literally "the parent's dataset of
 * this batch, transformed"; the operator logic lives in the core {@code Dataset} operation (one
 * small physical operator each), and a node class per operator would repeat the same lines a
 * dozen times. Operators with their own logic (windows, state, unions, outputs) have their own
 * classes.
 */
public final class TransformedDStream<T, R> extends SingleParentNode<T, R> {
    private final DatasetTransform<T, R> transform;

    /** Creates the operator of {@code kind} over {@code parent}. */
    public TransformedDStream(DStreamNode<T> parent, OperatorKind kind, DatasetTransform<T, R> transform) {
        super(parent, kind);
        this.transform = transform;
    }

    @Override
    protected Optional<Dataset<R>> compute(Time time) {
        Optional<Dataset<T>> in = parent().datasetAt(time);
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
