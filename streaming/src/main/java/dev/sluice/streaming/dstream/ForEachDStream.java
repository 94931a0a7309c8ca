package dev.sluice.streaming.dstream;

import dev.sluice.core.Dataset;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.function.ForeachBatchFunction;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** An output operation: registers itself with the graph and yields one job per batch. */
public final class ForEachDStream<T> extends DStream<Void> {
    private final DStream<T> parent;
    private final ForeachBatchFunction<T> function;

    /** Creates the output {@code operation} of {@code parent} and registers it. */
    public ForEachDStream(DStream<T> parent, ForeachBatchFunction<T> function, String operation) {
        super(parent.context());
        this.parent = parent;
        this.function = function;
        setName(operation + " of " + parent.name());
        dev.sluice.streaming.scheduler.StreamingRuntime.of(context()).graph().addOutput(this);
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
    protected Optional<Dataset<Void>> compute(Time time) {
        return Optional.empty();
    }

    /** Returns the job of batch {@code time}, if the parent has a dataset then. */
    public Optional<BatchJob> jobAt(Time time) {
        Optional<Dataset<T>> ds = parent.datasetAt(time);
        return ds.map(dataset -> new BatchJob(time, toString(), () -> function.call(dataset, time)));
    }
}
