package dev.sluice.streaming.dstream;

import dev.sluice.core.Dataset;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.checkpoint.InputAllocation;
import dev.sluice.streaming.checkpoint.InputAllocation.OffsetRange;
import dev.sluice.streaming.checkpoint.InputAllocation.SourceOffsets;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;

/**
 * The test kit's input: list {@code i} is the data of batch {@code i + 1}, decided by the batch
 * time alone (never by when the data was handed over), so a test is deterministic; later
 * batches are empty. It is replayable: the batch time is its offset (recorded as the range
 * {@code [time, time + 1)}), so a recovered context re-runs a batch with the same list.
 */
public final class ListInputDStream<T> extends InputDStream<T> implements RecoverableInput {
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
    public Map<String, InputAllocation> allocationsAt(String uid, Time time, boolean newest) {
        return Map.of(uid, new SourceOffsets(List.of(new OffsetRange(uid, time.millis(), time.millis() + 1))));
    }

    @Override
    public void forgetBefore(Time time) {
        // Nothing is kept per batch: the batch time alone says which list a batch holds.
    }

    @Override
    public void replay(String uid, NavigableMap<Time, Map<String, InputAllocation>> batches) {
        batches.forEach((time, inputs) -> {
            InputAllocation a = inputs.get(uid);
            boolean fits = a instanceof SourceOffsets offsets && offsets.ranges().size() == 1
                    && offsets.ranges().get(0).from() == time.millis();
            if (a != null && !fits) {
                throw new IllegalStateException("the checkpoint's allocation of input '" + uid + "' for batch "
                        + time.millis() + " ms is " + a + ", not the batch time a list input is replayed by; "
                        + "was the input replaced by another kind of input? Give the new one another uid");
            }
        });
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
