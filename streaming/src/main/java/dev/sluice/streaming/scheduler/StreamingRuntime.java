package dev.sluice.streaming.scheduler;

import dev.sluice.core.Engine;
import dev.sluice.core.spi.EngineServices;
import dev.sluice.streaming.Clock;
import dev.sluice.streaming.ReceiverStatus;
import dev.sluice.streaming.StopReport;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.dstream.DStreamGraph;
import dev.sluice.streaming.dstream.InputDStream;
import dev.sluice.streaming.dstream.RateLimitedInput;
import dev.sluice.streaming.input.ReceiverSupervisor;
import dev.sluice.streaming.input.ReceiverTracker;
import dev.sluice.streaming.recovery.BatchCheckpointer;
import dev.sluice.streaming.recovery.CrashPoint;
import dev.sluice.streaming.recovery.CrashPoints;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The machinery behind one {@code StreamingContext}: graph, listener bus, receiver tracker,
 * generator and job scheduler, wired here by their constructors. The context creates it, owns
 * the lifecycle and hands the graph and tracker to the nodes it makes; this class does the work.
 */
public final class StreamingRuntime {
    private volatile BatchCheckpointer checkpointer;
    private final Clock clock;
    private final Duration batchInterval;
    private final DStreamGraph graph;
    private final ListenerBus bus = new ListenerBus();
    private final ReceiverTracker receiverTracker;
    private final JobScheduler jobScheduler;
    private final JobGenerator jobGenerator;

    /**
     * Creates the runtime. {@code onBatchFailure} is called with each failed batch's time and first
     * error (a job, or building the batch's datasets); {@code onGeneratorFailure} when the generator
     * itself fails and no further batch can be made; {@code checkCanAddOperation} before each new
     * stream (it throws once the context started).
     */
    public StreamingRuntime(Engine engine, Clock clock, Duration batchInterval,
                            BiConsumer<Time, Throwable> onBatchFailure, BiConsumer<Time, Throwable> onGeneratorFailure,
                            Runnable checkCanAddOperation) {
        this.clock = clock;
        this.batchInterval = batchInterval;
        this.graph = new DStreamGraph(engine, batchInterval, checkCanAddOperation);
        this.receiverTracker = new ReceiverTracker(EngineServices.of(engine).inputBlocks(), engine.parallelism());
        this.jobScheduler = new JobScheduler(graph, bus, onBatchFailure);
        this.jobGenerator = new JobGenerator(clock, batchInterval, graph, receiverTracker, jobScheduler,
                onGeneratorFailure);
    }

    /** Returns the stream graph. */
    public DStreamGraph graph() {
        return graph;
    }

    /** Returns the listener bus. */
    public ListenerBus bus() {
        return bus;
    }

    /** Returns the receiver tracker. */
    public ReceiverTracker receiverTracker() {
        return receiverTracker;
    }

    /**
     * Hands each batch's input record counts, by input id, and the store time of its oldest
     * record to {@code observer} (the metrics) on the generator thread just before the batch is
     * queued; set before start.
     */
    public void observeInputs(InputObserver observer) {
        jobGenerator.observeInputs(observer);
    }

    /** Turns on backpressure: receivers are rate-limited when the engine falls behind (see {@link RateController}). */
    public void enableBackpressure() {
        jobScheduler.closeGateWhenBehind(receiverTracker.gate());
        bus.add(new RateController(receiverTracker, () -> graph.inputs().stream()
                .filter(RateLimitedInput.class::isInstance).map(RateLimitedInput.class::cast).toList(), batchInterval));
    }

    /** Validates the graph, then starts inputs and the generator; the first batch is at {@code zero + interval}. */
    public void start(Time zero) {
        initialize(zero);
        startBatches(zero, null);
    }

    /** Validates the graph and sets every node's zero time and remember duration; before {@link #startBatches}. */
    public void initialize(Time zero) {
        graph.validate();
        graph.initialize(zero);
    }

    /**
     * Starts inputs and the generator, whose first batch is the one after {@code last} (the zero
     * time, or the last batch a recovered run completed); with a {@code checkpointer}, a metadata
     * checkpoint is written after every batch.
     */
    public void startBatches(Time last, BatchCheckpointer checkpointer) {
        this.checkpointer = checkpointer;
        // When the batches use every core, background work (the state checkpoint writer, merges of large state
        // levels) lets a running batch go first while the stream has slack; with cores to spare it runs beside it.
        boolean yieldToBatches = graph.engine().parallelism() >= Runtime.getRuntime().availableProcessors();
        if (checkpointer != null) {
            armCrashPoints(checkpointer);
            jobGenerator.onGenerated(checkpointer::generated);
            checkpointer.afterMetadataWritten(receiverTracker::retainLogsFrom);
            jobScheduler.afterBatch(checkpointer::afterBatch);
            if (yieldToBatches) {
                checkpointer.stateWriter().yieldWhile(jobScheduler.activity()::yieldWanted);
            }
        }
        if (yieldToBatches) { // one merge thread per JVM: the context started last sets it
            dev.sluice.streaming.state.StateMap.yieldBackgroundMergesWhile(jobScheduler.activity()::yieldWanted);
        }
        receiverTracker.openLog();
        for (InputDStream<?> input : graph.inputs()) {
            input.start();
        }
        jobGenerator.startAfter(last);
    }

    /**
     * Installs the engine's hooks at the crash points of the durability protocol when a crash test
     * armed one (see {@link CrashPoints}); nothing otherwise.
     */
    private void armCrashPoints(BatchCheckpointer checkpointer) {
        if (CrashPoints.armed() == null) {
            return;
        }
        receiverTracker.afterBlockLogged(() -> CrashPoints.reached(CrashPoint.AFTER_WAL_APPEND_BEFORE_ALLOCATION));
        checkpointer.beforeCommit(() -> CrashPoints.reached(CrashPoint.DURING_METADATA_CHECKPOINT_WRITE));
    }

    /**
     * Abandons everything as {@code kill -9} would: no batch completes after this instant, nothing
     * more is checkpointed, inputs stop; waits for no thread (the caller may be one of them).
     */
    public void abandon() {
        graph.abandon();
        BatchCheckpointer c = checkpointer;
        if (c != null) {
            c.abandon();
        }
        jobScheduler.abandon();
        jobGenerator.abandon();
        receiverTracker.gate().open();
        for (InputDStream<?> input : graph.inputs()) {
            try {
                input.stop();
            } catch (RuntimeException e) {
                // Abandoning: whatever the input fails with no longer matters.
            }
        }
    }

    /**
     * Stops. Graceful: stop the receivers (a store after that is refused, so every stored record
     * is in a batch), generate one last batch with everything they stored, run every queued batch
     * (bounded by {@code timeout}; what is left when it expires is dropped and reported), then
     * stop. Otherwise: stop generating at once, let the running batch end, drop queued ones.
     */
    public StopReport stop(boolean graceful, Duration timeout) {
        receiverTracker.gate().open();
        for (InputDStream<?> input : graph.inputs()) {
            input.stop();
        }
        StopReport report;
        if (graceful) {
            receiverTracker.seal();
            jobGenerator.stopWithFinalBatch();
            report = jobScheduler.stop(true, timeout);
        } else {
            jobGenerator.stop();
            report = jobScheduler.stop(false, timeout);
        }
        receiverTracker.closeLog();
        BatchCheckpointer c = checkpointer;
        if (c != null) {
            c.close();
        }
        return report;
    }

    /** Returns the checkpointer of the started batches, if any (for tests and benchmarks). */
    public java.util.Optional<BatchCheckpointer> checkpointer() {
        return java.util.Optional.ofNullable(checkpointer);
    }

    /** Returns the counters of every receiver. */
    public List<ReceiverStatus> receiverStatuses() {
        List<ReceiverStatus> out = new ArrayList<>();
        for (ReceiverSupervisor<?> s : receiverTracker.supervisors().values()) {
            out.add(s.status());
        }
        return out;
    }
}
