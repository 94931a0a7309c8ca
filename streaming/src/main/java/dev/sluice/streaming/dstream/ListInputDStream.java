package dev.sluice.streaming.dstream;

import dev.sluice.core.Dataset;
import dev.sluice.streaming.Time;
import java.util.List;
import java.util.Optional;

/**
 * The test kit's input: list {@code i} is the data of batch {@code i + 1}, decided by the batch
 * time alone (never by when the data was handed over), so a test is deterministic; later
 * batches are empty.
 */
public final class ListInputDStream<T> extends InputDStream<T> {
    private final List<List<T>> batches;
    private final TakenCounts taken = new TakenCounts();

    /** Creates the input of {@code batches}. */
    public ListInputDStream(DStreamGraph graph, List<List<T>> batches) {
        super(graph, OperatorKind.LIST_INPUT);
        this.batches = List.copyOf(batches);
    }

    @Override
    protected Optional<Dataset<T>> compute(Time time) {
        long index = (time.millis() - zeroTime().millis()) / slideDuration().toMillis() - 1;
        List<T> data = index >= 0 && index < batches.size() ? batches.get((int) index) : List.of();
        taken.took(time, data.size());
        return Optional.of(engine().parallelize(data, engine().parallelism()));
    }

    @Override
    public long recordsAt(Time time) {
        return taken.at(time);
    }

    @Override
    protected void releaseBatch(Time time) {
        taken.forget(time);
    }
}
