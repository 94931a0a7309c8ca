package dev.sluice.streaming.dstream;

import static com.google.common.base.Preconditions.checkArgument;

import dev.sluice.core.Dataset;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.Time;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The union of streams with the same slide: per batch, the union of their datasets. */
public final class UnionDStream<T> extends DStream<T> {
    private final List<DStream<T>> parents;

    /**
     * Creates the union.
     *
     * @throws IllegalArgumentException if {@code parents} is empty or their slides differ
     */
    public UnionDStream(List<? extends DStream<T>> parents) {
        super(first(parents).context());
        this.parents = List.copyOf(parents);
        Duration slide = this.parents.get(0).slideDuration();
        for (DStream<T> p : this.parents) {
            checkArgument(p.slideDuration().equals(slide),
                    "cannot union stream %s (slide %s) with stream %s (slide %s): slides must be equal",
                    p, p.slideDuration(), this.parents.get(0), slide);
            checkArgument(p.context() == this.parents.get(0).context(), "stream %s belongs to another context", p);
        }
        setName("union");
    }

    private static <T> DStream<T> first(List<? extends DStream<T>> parents) {
        checkArgument(!parents.isEmpty(), "union needs at least one stream");
        return parents.get(0);
    }

    @Override
    public Duration slideDuration() {
        return parents.get(0).slideDuration();
    }

    @Override
    public List<DStream<?>> dependencies() {
        return List.copyOf(parents);
    }

    @Override
    protected Optional<Dataset<T>> compute(Time time) {
        List<Dataset<T>> datasets = new ArrayList<>(parents.size());
        for (DStream<T> p : parents) {
            p.datasetAt(time).ifPresent(datasets::add);
        }
        if (datasets.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(datasets.size() == 1 ? datasets.get(0) : context().engine().union(datasets));
    }
}
