package dev.sluice.streaming.dstream;

import dev.sluice.core.Dataset;
import dev.sluice.streaming.StreamingContext;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.input.BlockDataset;
import dev.sluice.streaming.input.ReceiverSupervisor;
import dev.sluice.streaming.input.ReceiverTracker;
import dev.sluice.streaming.scheduler.StreamingRuntime;
import java.util.Optional;

/** The batches of a receiver: the blocks the tracker allocated to each batch time. */
public final class ReceiverInputDStream<T> extends InputDStream<T> {
    private final ReceiverSupervisor<T> supervisor;

    /** Creates the input, its receiver's supervisor (given this stream's id), and registers it with the tracker. */
    public ReceiverInputDStream(StreamingContext context, java.util.function.IntFunction<ReceiverSupervisor<T>> supervisorFactory,
                                String name) {
        super(context);
        this.supervisor = supervisorFactory.apply(id());
        tracker().add(id(), this.supervisor);
        setName(name);
    }

    private ReceiverTracker tracker() {
        return StreamingRuntime.of(context()).receiverTracker();
    }

    /** Returns the supervisor of this stream's receiver. */
    public ReceiverSupervisor<T> supervisor() {
        return supervisor;
    }

    @Override
    public void start() {
        supervisor.start();
    }

    @Override
    public void stop() {
        supervisor.stop();
    }

    @Override
    protected Optional<Dataset<T>> compute(Time time) {
        ReceiverTracker.Allocation allocation = tracker().blocksOf(id(), time);
        StreamingRuntime.of(context()).inputInfo().report(id(), time, allocation.records());
        return Optional.of(new BlockDataset<>(context().engine(), allocation.blocks(), time.millis()));
    }

    /** Releases the blocks of every batch this stream no longer remembers, built or not. */
    @Override
    public void clearMetadata(Time time) {
        super.clearMetadata(time);
        tracker().releaseUpTo(id(), time.minus(rememberDurationBefore(time)));
    }

    private java.time.Duration rememberDurationBefore(Time time) {
        // Nothing to release while the remember duration reaches back before time 0.
        return rememberDuration().toMillis() < time.millis() ? rememberDuration() : java.time.Duration.ofMillis(time.millis());
    }
}
