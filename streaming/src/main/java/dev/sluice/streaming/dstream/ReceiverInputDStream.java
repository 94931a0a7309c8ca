package dev.sluice.streaming.dstream;

import dev.sluice.core.Dataset;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.input.BlockDataset;
import dev.sluice.streaming.input.ReceiverSupervisor;
import dev.sluice.streaming.input.ReceiverTracker;
import java.time.Duration;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * The batches of a receiver: the blocks the tracker allocated to each batch time. Its record
 * count per batch is the tracker's allocation, whether or not a dataset was built for the batch.
 */
public final class ReceiverInputDStream<T> extends InputDStream<T> {
    private final ReceiverTracker tracker;
    private final ReceiverSupervisor<T> supervisor;

    /** Creates the input, its receiver's supervisor (given this stream's id), and registers it with {@code tracker}. */
    public ReceiverInputDStream(DStreamGraph graph, ReceiverTracker tracker,
                                IntFunction<ReceiverSupervisor<T>> supervisorFactory, String name) {
        super(graph, OperatorKind.RECEIVER_INPUT);
        this.tracker = tracker;
        this.supervisor = supervisorFactory.apply(id());
        tracker.add(id(), this.supervisor);
        setName(name);
    }

    /**
     * After a crash: rebuilds, from the receiver write-ahead log, the blocks and allocations of the
     * batches after {@code lastCompleted} and hands logged but unallocated records to the next
     * batch; empty if the log is off (then those records are lost, and the caller says so).
     */
    public Optional<ReceiverTracker.Recovered> recover(Time lastCompleted) {
        return tracker.isLogged() ? Optional.of(tracker.recover(lastCompleted)) : Optional.empty();
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
        ReceiverTracker.Allocation allocation = tracker.blocksOf(id(), time);
        return Optional.of(BlockDataset.<T>of(engine(), allocation, time.millis()).toDataset());
    }

    @Override
    public long recordsAt(Time time) {
        return tracker.blocksOf(id(), time).records();
    }

    /** The store time of the oldest record the tracker just drained from the receiver for this batch. */
    @Override
    public long oldestRecordMillis(Time time) {
        return supervisor.takeOldestDrained();
    }

    /** Releases the blocks of every batch this stream no longer remembers, built or not. */
    @Override
    protected void afterRelease(Time time) {
        tracker.releaseUpTo(id(), time.minus(rememberDurationBefore(time)));
    }

    private Duration rememberDurationBefore(Time time) {
        // Nothing to release while the remember duration reaches back before time 0.
        return rememberDuration().toMillis() < time.millis() ? rememberDuration() : Duration.ofMillis(time.millis());
    }
}
