package dev.sluice.streaming.dstream;

import dev.sluice.core.Dataset;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.function.ForeachBatchFunction;
import java.util.Optional;

/**
 * An output operation ({@code foreachBatch}, and {@code print} and {@code saveAsTextFiles},
 * which are foreachBatch with a built-in function): registers itself as an output of the graph
 * and yields one job per batch that calls the function with the parent's dataset.
 */
public final class OutputDStream<T> extends SingleParentNode<T, Void> {
    private final ForeachBatchFunction<T> function;

    /** Creates the output of {@code kind} over {@code parent} and registers it. */
    public OutputDStream(DStreamNode<T> parent, OperatorKind kind, ForeachBatchFunction<T> function) {
        super(parent, kind);
        this.function = function;
        setName(kind.operation() + " of " + parent.name());
        graph().addOutput(this);
    }

    /** An output has no dataset of its own: its work is {@link #jobAt}. */
    @Override
    protected Optional<Dataset<Void>> compute(Time time) {
        return Optional.empty();
    }

    /** Returns the job of batch {@code time}, if the parent has a dataset then. */
    public Optional<BatchJob> jobAt(Time time) {
        Optional<Dataset<T>> ds = parent().datasetAt(time);
        return ds.map(dataset -> new BatchJob(time, toString(), () -> function.call(dataset, time)));
    }
}
