package dev.sluice.streaming.dstream;

import dev.sluice.streaming.DStream;
import dev.sluice.streaming.StreamingContext;
import java.time.Duration;
import java.util.List;

/**
 * A stream whose data comes from outside: a queue, files, a receiver. Its slide is the batch
 * interval; it may have work to do when the context starts and stops.
 */
public abstract class InputDStream<T> extends DStream<T> {

    /** Creates the input and registers it with the context's graph. */
    protected InputDStream(StreamingContext context) {
        super(context);
    }

    @Override
    public Duration slideDuration() {
        return context().batchInterval();
    }

    @Override
    public List<DStream<?>> dependencies() {
        return List.of();
    }

    /** Called when the context starts; receivers start receiving here. */
    public void start() {
    }

    /** Called when the context stops. */
    public void stop() {
    }
}
