package dev.sluice.streaming.dstream;

import dev.sluice.core.Dataset;
import dev.sluice.streaming.StreamingContext;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.scheduler.StreamingRuntime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;

/**
 * Each batch takes the next list from a queue (or every list queued, if not one at a time) and
 * makes it a dataset in {@code parallelism} partitions; an empty queue gives an empty batch.
 */
public final class QueueInputDStream<T> extends InputDStream<T> {
    private final Queue<List<T>> queue;
    private final boolean oneAtATime;

    /** Creates the input over {@code queue}. */
    public QueueInputDStream(StreamingContext context, Queue<List<T>> queue, boolean oneAtATime) {
        super(context);
        this.queue = queue;
        this.oneAtATime = oneAtATime;
        setName("queueStream");
    }

    @Override
    protected Optional<Dataset<T>> compute(Time time) {
        List<T> data;
        if (oneAtATime) {
            List<T> next = queue.poll();
            data = next == null ? List.of() : next;
        } else {
            data = new ArrayList<>();
            for (List<T> next = queue.poll(); next != null; next = queue.poll()) {
                data.addAll(next);
            }
        }
        StreamingRuntime.of(context()).inputInfo().report(id(), time, data.size());
        return Optional.of(context().engine().parallelize(data, context().engine().parallelism()));
    }
}
