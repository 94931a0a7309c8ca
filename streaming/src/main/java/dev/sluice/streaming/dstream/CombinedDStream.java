package dev.sluice.streaming.dstream;

import static com.google.common.base.Preconditions.checkArgument;

import dev.sluice.core.Dataset;
import dev.sluice.core.spi.UserExceptions;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.Time;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** A per-batch operator over two streams of the same slide (joins, cogroup): one dataset from both. */
public final class CombinedDStream<A, B, R> extends DStream<R> {
    private final DStream<A> left;
    private final DStream<B> right;
    private final Combiner<A, B, R> combiner;

    /** Makes this batch's dataset from both parents' datasets of the batch. */
    @FunctionalInterface
    public interface Combiner<A, B, R> extends Serializable {
        /** Returns the combined dataset. */
        Dataset<R> apply(Dataset<A> left, Dataset<B> right, Time time) throws Exception;
    }

    /**
     * Creates the operator.
     *
     * @throws IllegalArgumentException if the slides differ
     */
    public CombinedDStream(DStream<A> left, DStream<B> right, Combiner<A, B, R> combiner, String operation) {
        super(left.context());
        checkArgument(left.slideDuration().equals(right.slideDuration()),
                "cannot %s stream %s (slide %s) with stream %s (slide %s): slides must be equal", operation, left,
                left.slideDuration(), right, right.slideDuration());
        checkArgument(left.context() == right.context(), "stream %s belongs to another context", right);
        this.left = left;
        this.right = right;
        this.combiner = combiner;
        setName(operation);
    }

    @Override
    public Duration slideDuration() {
        return left.slideDuration();
    }

    @Override
    public List<DStream<?>> dependencies() {
        return List.of(left, right);
    }

    @Override
    protected Optional<Dataset<R>> compute(Time time) {
        Optional<Dataset<A>> a = left.datasetAt(time);
        Optional<Dataset<B>> b = right.datasetAt(time);
        if (a.isEmpty() || b.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(combiner.apply(a.get(), b.get(), time));
        } catch (Exception e) {
            throw UserExceptions.wrap(e);
        }
    }
}
