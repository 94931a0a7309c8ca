package dev.sluice.streaming.dstream;

import static com.google.common.base.Preconditions.checkArgument;

import dev.sluice.core.Dataset;
import dev.sluice.core.spi.UserExceptions;
import dev.sluice.streaming.Time;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code StreamingContext.transform}: per batch, one dataset made from the datasets of any number
 * of streams of the same slide, by a user function that sees them all in the given order.
 */
public final class MultiTransformedDStream<R> extends DStreamNode<R> {
    private final List<DStreamNode<?>> parents;
    private final ListTransform<R> transform;

    /** Makes this batch's dataset from every parent's dataset of the batch. */
    @FunctionalInterface
    public interface ListTransform<R> extends Serializable {
        /** Returns the dataset of the batch. */
        Dataset<R> apply(List<Dataset<?>> parents, Time time) throws Exception;
    }

    /**
     * Creates the operator.
     *
     * @throws IllegalArgumentException if {@code parents} is empty, their slides differ or they
     *                                  belong to different contexts
     */
    public MultiTransformedDStream(List<DStreamNode<?>> parents, ListTransform<R> transform) {
        super(Durations.checkSameSlide("transform", parents).graph(), OperatorKind.TRANSFORM_ALL);
        this.parents = List.copyOf(parents);
        this.transform = transform;
    }


    @Override
    public Duration slideDuration() {
        return parents.get(0).slideDuration();
    }

    @Override
    public List<DStreamNode<?>> parents() {
        return parents;
    }

    @Override
    protected Optional<Dataset<R>> compute(Time time) {
        List<Dataset<?>> datasets = new ArrayList<>(parents.size());
        for (DStreamNode<?> p : parents) {
            Optional<? extends Dataset<?>> ds = p.datasetAt(time);
            if (ds.isEmpty()) {
                return Optional.empty();
            }
            datasets.add(ds.get());
        }
        try {
            return Optional.of(transform.apply(List.copyOf(datasets), time));
        } catch (Exception e) {
            throw UserExceptions.wrap(e);
        }
    }
}
