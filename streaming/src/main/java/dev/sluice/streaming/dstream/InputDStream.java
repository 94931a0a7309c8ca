package dev.sluice.streaming.dstream;

import dev.sluice.streaming.Time;
import java.time.Duration;
import java.util.List;

/**
 * A node whose data comes from outside: a queue, files, a receiver. Its slide is the batch
 * interval; it may have work to do when the context starts and stops, and it says how many
 * records it took in for a batch.
 */
public abstract class InputDStream<T> extends DStreamNode<T> {

    /** Creates the input of {@code kind} and registers it with {@code graph}. */
    protected InputDStream(DStreamGraph graph, OperatorKind kind) {
        super(graph, kind);
    }

    @Override
    public final Duration slideDuration() {
        return graph().batchInterval();
    }

    @Override
    public final List<DStreamNode<?>> parents() {
        return List.of();
    }

    /**
     * Returns how many records this input took in for batch {@code time}, for the batch's
     * {@code BatchInfo}; asked by the generator once the batch's datasets are built.
     */
    public abstract long recordsAt(Time time);

    /**
     * Returns the clock time at which the oldest record of batch {@code time} came in (a
     * receiver's store time, a file's modification time), or -1 if this input does not know (a
     * list or queue) or had no record; asked once per batch, by the generator, once the batch's
     * datasets are built.
     */
    public long oldestRecordMillis(Time time) {
        return -1;
    }

    /** Called when the context starts; receivers start receiving here. */
    public void start() {
    }

    /** Called when the context stops. */
    public void stop() {
    }
}
