package dev.sluice.streaming.dstream;

import static com.google.common.base.Preconditions.checkArgument;

import dev.sluice.core.Dataset;
import dev.sluice.core.spi.UserExceptions;
import dev.sluice.streaming.Time;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** A per-batch operator over two streams of the same slide (joins, cogroup): one dataset from both. */
public final class CombinedDStream<A, B, R> extends DStreamNode<R> {
    private final DStreamNode<A> left;
    private final DStreamNode<B> right;
    private final Combiner<A, B, R> combiner;

    /** Makes this batch's dataset from both parents' datasets of the batch. */
    @FunctionalInterface
    public interface Combiner<A, B, R> extends Serializable {
        /** Returns the combined dataset. */
        Dataset<R> apply(Dataset<A> left, Dataset<B> right, Time time) throws Exception;
    }

    /**
     * Creates the operator of {@code kind}.
     *
     * @throws IllegalArgumentException if the slides differ or the streams belong to different contexts
     */
    public CombinedDStream(DStreamNode<A> left, DStreamNode<B> right, OperatorKind kind, Combiner<A, B, R> combiner) {
        super(checkCombinable(left, right, kind).graph(), kind);
        this.left = left;
        this.right = right;
        this.combiner = combiner;
    }

    private static <A> DStreamNode<A> checkCombinable(DStreamNode<A> left, DStreamNode<?> right, OperatorKind kind) {
        checkArgument(left.slideDuration().equals(right.slideDuration()),
                "cannot %s stream %s (slide %s) with stream %s (slide %s): slides must be equal", kind.operation(),
                left, left.slideDuration(), right, right.slideDuration());
        checkArgument(left.graph() == right.graph(), "stream %s belongs to another context", right);
        return left;
    }

    @Override
    public Duration slideDuration() {
        return left.slideDuration();
    }

    @Override
    public List<DStreamNode<?>> parents() {
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
