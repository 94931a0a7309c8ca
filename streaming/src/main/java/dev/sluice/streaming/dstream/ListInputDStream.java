package dev.sluice.streaming.dstream;

import dev.sluice.core.Dataset;
import dev.sluice.streaming.StreamingContext;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.scheduler.StreamingRuntime;
import java.util.List;
import java.util.Optional;

/**
 * The test kit's input: list {@code i} is the data of batch {@code i + 1}, decided by the batch
 * time alone (never by when the data was handed over), so a test is deterministic; later
 * batches are empty.
 */
public final class ListInputDStream<T> extends InputDStream<T> {
    private final List<List<T>> batches;

    /** Creates the input of {@code batches}. */
    public ListInputDStream(StreamingContext context, List<List<T>> batches) {
        super(context);
        this.batches = List.copyOf(batches);
        setName("testInput");
    }

    @Override
    protected Optional<Dataset<T>> compute(Time time) {
        long index = (time.millis() - zeroTime().millis()) / slideDuration().toMillis() - 1;
        List<T> data = index >= 0 && index < batches.size() ? batches.get((int) index) : List.of();
        StreamingRuntime.of(context()).inputInfo().report(id(), time, data.size());
        return Optional.of(context().engine().parallelize(data, context().engine().parallelism()));
    }
}
