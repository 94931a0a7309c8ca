package dev.sluice.streaming.dstream;

import static com.google.common.base.Preconditions.checkArgument;

import dev.sluice.core.Dataset;
import dev.sluice.streaming.Time;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The union of streams with the same slide: per batch, the union of their datasets. */
public final class UnionDStream<T> extends DStreamNode<T> {
    private final List<DStreamNode<T>> parents;

    /**
     * Creates the union.
     *
     * @throws IllegalArgumentException if {@code parents} is empty, their slides differ or they
     *                                  belong to different contexts
     */
    public UnionDStream(List<DStreamNode<T>> parents) {
        super(Durations.checkSameSlide("union", parents).graph(), OperatorKind.UNION);
        this.parents = List.copyOf(parents);
    }


    @Override
    public Duration slideDuration() {
        return parents.get(0).slideDuration();
    }

    @Override
    public List<DStreamNode<?>> parents() {
        return List.copyOf(parents);
    }

    @Override
    protected Optional<Dataset<T>> compute(Time time) {
        List<Dataset<T>> datasets = new ArrayList<>(parents.size());
        for (DStreamNode<T> p : parents) {
            p.datasetAt(time).ifPresent(datasets::add);
        }
        if (datasets.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(datasets.size() == 1 ? datasets.get(0) : engine().union(datasets));
    }
}
