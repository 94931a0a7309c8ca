package dev.sluice.streaming.metrics;

import dev.sluice.core.spi.StageReport;
import dev.sluice.streaming.BatchInfo;
import dev.sluice.streaming.CheckpointInfo;
import dev.sluice.streaming.Clock;
import dev.sluice.streaming.ReceiverError;
import dev.sluice.streaming.StreamingListener;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.input.ReceiverSupervisor;
import dev.sluice.streaming.scheduler.StreamingRuntime;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metrics of one context: a listener that, per batch, records the Micrometer meters and the
 * {@link BatchHistory}, and gauges read on demand (lag, quotas, receivers, state). Names follow
 * Micrometer's conventions (dot-separated; Prometheus turns them into {@code sluice_batch_processing_seconds}).
 *
 * <p>Overload: the queue gate and the quota push a too-fast source back into its TCP buffers, so
 * delays stay small while the source falls behind. What shows it: the time each receiver spent
 * blocked per batch ({@code sluice.receiver.blocked}), its quota against the rate it took in
 * when not blocked, the count of consecutive throttled batches, one WARN once that count passes
 * {@code throttleWarnBatches}, and {@link #isBehind()} for the UI.
 *
 * <p>Threading: {@code onBatchSubmitted} runs on the generator thread, {@code onBatchCompleted}
 * on the job thread (the bus is synchronous); gauges and the UI read volatile fields and the
 * history's lock from any thread. Nothing here runs per record.
 */
public final class StreamingMetrics implements StreamingListener {
    private static final Logger log = LoggerFactory.getLogger(StreamingMetrics.class);
    private static final double[] PERCENTILES = {0.5, 0.95, 0.99};

    private final StreamingRuntime runtime;
    private final MeterRegistry registry;
    private final PipelineView view;
    private final Clock clock;
    private final Duration interval;
    private final int throttleWarnBatches;
    private final BatchHistory history;
    private final Map<Integer, InputMonitor> inputs = new LinkedHashMap<>();
    private final Map<Long, BatchInputs> inputsOfBatch = new ConcurrentHashMap<>();
    private final Map<Integer, Counter> inputCounters = new ConcurrentHashMap<>();
    private final Map<Integer, Timer> blockedTimers = new ConcurrentHashMap<>();
    /** Copy-on-write: checkpoint and log meters are made later, on the threads that raise their events. */
    private final List<Meter> meters = new CopyOnWriteArrayList<>();
    private final BatchStages stages;
    private final CheckpointMeters checkpoints;
    private volatile List<PipelineView.StateFigures> state = List.of();
    private volatile long startMillis = -1;
    private boolean hasState;
    /** Events before start (none should come) and after stop are ignored. */
    private volatile boolean started;
    private Timer processing;
    private Timer schedulingDelay;
    private Timer totalDelay;
    private Timer oldestRecordAge;
    private Counter succeeded;
    private Counter failed;

    /** Creates the metrics of {@code runtime}'s context, recorded into {@code registry}. */
    public StreamingMetrics(StreamingRuntime runtime, MeterRegistry registry, PipelineView view, Clock clock,
                            Duration interval, int retainedBatches, int throttleWarnBatches) {
        this.runtime = runtime;
        this.registry = registry;
        this.view = view;
        this.clock = clock;
        this.interval = interval;
        this.throttleWarnBatches = throttleWarnBatches;
        this.history = new BatchHistory(retainedBatches);
        this.checkpoints = new CheckpointMeters(registry, meters::add);
        this.stages = new BatchStages(runtime.graph());
    }

    /** What the generator said of a batch's inputs. */
    private record BatchInputs(Map<Integer, Long> perStream, long oldestRecordMillis) {
    }

    /** Registers the meters (the pipeline is complete now) and starts listening; before the first batch. */
    public void start(long zeroMillis) {
        startMillis = zeroMillis;
        Map<Integer, ReceiverSupervisor<?>> receivers = runtime.receiverTracker().supervisors();
        for (PipelineView.Node n : view.nodes()) {
            if (n.role() == PipelineView.Role.INPUT) {
                InputMonitor m = new InputMonitor(n.id(), n.name(), receivers.get(n.id()));
                inputs.put(n.id(), m);
                registerInput(m);
            }
        }
        registerBatchMeters();
        registerStateGauges();
        hasState = view.nodes().stream().anyMatch(PipelineView.Node::stateful);
        started = true;
    }

    /**
     * Takes the per-stream input counts of batch {@code time} and the clock time its oldest record
     * came in (-1 if unknown), just before it is submitted.
     */
    public void onInputs(Time time, Map<Integer, Long> perStream, long oldestRecordMillis) {
        if (started) {
            inputsOfBatch.put(time.millis(), new BatchInputs(perStream, oldestRecordMillis));
        }
    }

    /** Takes the report of a stage of the engine's (from its stage observer, on a worker thread). */
    public void onStage(StageReport report) {
        if (started) {
            stages.onStage(report);
        }
    }

    /** Takes one group flush of the receiver write-ahead log {@code log} (on the appending thread that flushed it). */
    public void onWalFlush(String log, long nanos, long bytes) {
        if (started) {
            checkpoints.onWalFlush(log, nanos, bytes);
        }
    }

    /** Stops recording; returns the meters registered, for the caller to remove. */
    public List<Meter> stop() {
        started = false;
        runtime.bus().remove(this);
        List<Meter> registered = List.copyOf(meters);
        meters.clear();
        return registered;
    }

    private void registerBatchMeters() {
        processing = keep(timer("sluice.batch.processing", "time the batch's jobs ran"));
        schedulingDelay = keep(timer("sluice.batch.scheduling.delay", "time the batch waited in the queue"));
        totalDelay = keep(timer("sluice.batch.total.delay", "scheduling delay plus processing time"));
        oldestRecordAge = keep(timer("sluice.batch.oldest.record.age", "batch time minus the time its oldest record "
                + "came in (receivers' store time, files' modification time); only batches whose inputs know"));
        succeeded = keep(Counter.builder("sluice.batches").tag("outcome", "succeeded").register(registry));
        failed = keep(Counter.builder("sluice.batches").tag("outcome", "failed").register(registry));
        keep(Gauge.builder("sluice.lag.records", this, StreamingMetrics::lagRecords)
                .description("records received but not yet in a completed batch").register(registry));
        keep(Gauge.builder("sluice.lag.seconds", this, StreamingMetrics::secondsBehind)
                .description("age of the oldest batch not yet completed").baseUnit("seconds").register(registry));
    }

    private Timer timer(String name, String description) {
        return Timer.builder(name).description(description).publishPercentiles(PERCENTILES).register(registry);
    }

    private void registerInput(InputMonitor m) {
        Tags tags = Tags.of("stream", m.name(), "stream.id", Integer.toString(m.streamId()));
        inputCounters.put(m.streamId(), keep(Counter.builder("sluice.input.records").tags(tags)
                .description("input records").register(registry)));
        keep(Gauge.builder("sluice.input.rate", m, InputMonitor::rate).tags(tags)
                .description("records per second of the latest batch").register(registry));
        if (!m.isReceiver()) {
            return;
        }
        keep(Gauge.builder("sluice.receiver.status", m, r -> r.isActive() ? 1 : 0).tags(tags)
                .description("1 while the receiver runs, 0 when stopped").register(registry));
        keep(FunctionCounter.builder("sluice.receiver.restarts", m, r -> r.receiverStatus().orElseThrow().restarts())
                .tags(tags).register(registry));
        keep(FunctionCounter.builder("sluice.receiver.errors", m, r -> r.receiverStatus().orElseThrow().errors())
                .tags(tags).register(registry));
        keep(FunctionCounter.builder("sluice.receiver.records.dropped", m,
                r -> r.receiverStatus().orElseThrow().recordsDropped()).tags(tags).register(registry));
        keep(Gauge.builder("sluice.backpressure.quota", m, r -> r.quota() == Long.MAX_VALUE ? Double.POSITIVE_INFINITY
                : r.quota()).tags(tags).description("records per batch the receiver may take in").register(registry));
        keep(Gauge.builder("sluice.backpressure.throttled.batches", m, InputMonitor::throttledBatches).tags(tags)
                .description("consecutive batches in which backpressure held the receiver").register(registry));
        keep(Gauge.builder("sluice.receiver.offered.rate", m, InputMonitor::offeredRate).tags(tags)
                .description("records per second taken in while not blocked (a lower bound of the source's rate)")
                .register(registry));
        blockedTimers.put(m.streamId(), keep(Timer.builder("sluice.receiver.blocked").tags(tags)
                .description("time the receiver was blocked by backpressure, per batch").register(registry)));
    }

    private void registerStateGauges() {
        for (PipelineView.Node n : view.nodes()) {
            if (n.stateful()) {
                Tags tags = Tags.of("operator", n.name(), "operator.id", Integer.toString(n.id()));
                keep(Gauge.builder("sluice.state.keys", this, s -> s.stateOf(n.id()).keys()).tags(tags)
                        .register(registry));
                keep(Gauge.builder("sluice.state.bytes", this, s -> s.stateOf(n.id()).approxBytes()).tags(tags)
                        .description("approximate heap bytes of keys and states").baseUnit("bytes").register(registry));
            }
        }
    }

    private <M extends Meter> M keep(M meter) {
        meters.add(meter);
        return meter;
    }

    // ---------------------------------------------------------------- events

    @Override
    public void onBatchSubmitted(Time batchTime, long numInputRecords) {
        if (!started) {
            return;
        }
        BatchInputs given = inputsOfBatch.remove(batchTime.millis());
        Map<Integer, Long> perStream = given == null ? Map.of() : given.perStream();
        long oldest = given == null ? -1 : given.oldestRecordMillis();
        history.submitted(batchTime.millis(), numInputRecords, perStream, clock.millis(), oldest);
        if (oldest >= 0) {
            oldestRecordAge.record(Math.max(0, batchTime.millis() - oldest), TimeUnit.MILLISECONDS);
        }
        double seconds = interval.toNanos() / 1e9;
        for (InputMonitor m : inputs.values()) {
            long records = perStream.getOrDefault(m.streamId(), 0L);
            inputCounters.get(m.streamId()).increment(records);
            boolean warn = m.afterBatch(records, seconds, throttleWarnBatches);
            Timer blocked = blockedTimers.get(m.streamId());
            if (blocked != null) {
                blocked.record(Math.round(m.blockedMs() * 1e6), TimeUnit.NANOSECONDS);
            }
            if (warn) {
                log.warn("batch {}: receiver '{}' of stream {} has been throttled by backpressure for {} consecutive "
                        + "batches (blocked {} ms of the last {} ms batch, quota {} records per batch, took in about "
                        + "{} records/s while reading): the source sends faster than the pipeline processes, and the "
                        + "backlog waits outside Sluice (e.g. in TCP buffers); make the pipeline faster, add "
                        + "parallelism or slow the source", batchTime.millis(), m.name(), m.streamId(),
                        m.throttledBatches(), Math.round(m.blockedMs()), interval.toMillis(), quotaText(m.quota()),
                        Math.round(m.offeredRate()));
            }
        }
    }

    private static String quotaText(long quota) {
        return quota == Long.MAX_VALUE ? "unlimited" : Long.toString(quota);
    }

    @Override
    public void onBatchStarted(Time batchTime) {
        if (!started) {
            return;
        }
        history.started(batchTime.millis());
    }

    @Override
    public void onBatchCompleted(BatchInfo info) {
        if (!started) {
            return;
        }
        processing.record(info.processingTime());
        schedulingDelay.record(info.schedulingDelay());
        totalDelay.record(info.totalDelay());
        (info.succeeded() ? succeeded : failed).increment();
        history.completed(info, stages.complete(info.batchTime().millis(), view.datasetOwners(info.batchTime())));
        if (hasState) {
            state = view.stateAt(info.batchTime());
        }
    }

    @Override
    public void onCheckpointWritten(CheckpointInfo info) {
        if (started) {
            checkpoints.onCheckpointWritten(info);
        }
    }

    @Override
    public void onReceiverError(ReceiverError error) {
        InputMonitor m = inputs.get(error.streamId());
        if (m != null) {
            m.onError(error, clock.millis());
        }
    }

    // ---------------------------------------------------------------- figures

    /** Returns the records received (buffered by receivers, or in batches not yet completed). */
    public long lagRecords() {
        long n = history.pendingRecords();
        for (InputMonitor m : inputs.values()) {
            n += m.buffered();
        }
        return n;
    }

    /** Returns the age, by the context's clock, of the oldest batch not yet completed (0 if none). */
    public double secondsBehind() {
        return history.oldestPending().map(t -> Math.max(0, clock.millis() - t) / 1000.0).orElse(0.0);
    }

    /**
     * Returns why the stream is behind, if it is: a receiver throttled for more than
     * {@code throttleWarnBatches} batches in a row, or the oldest open batch older than two intervals.
     */
    public java.util.Optional<String> behindReason() {
        for (InputMonitor m : inputs.values()) {
            if (m.throttledBatches() > throttleWarnBatches) {
                return java.util.Optional.of(String.format("receiver '%s' has been throttled by backpressure for %d "
                        + "batches in a row: the source is faster than the pipeline, and the backlog waits outside "
                        + "Sluice", m.name(), m.throttledBatches()));
            }
        }
        double behind = secondsBehind();
        if (behind * 1000 > 2 * interval.toMillis()) {
            return java.util.Optional.of(String.format("the oldest open batch is %.1f s old (batch interval %s)", behind,
                    interval));
        }
        return java.util.Optional.empty();
    }

    /** Returns true if {@link #behindReason()} has a reason. */
    public boolean isBehind() {
        return behindReason().isPresent();
    }

    private PipelineView.StateFigures stateOf(int operatorId) {
        for (PipelineView.StateFigures f : state) {
            if (f.operatorId() == operatorId) {
                return f;
            }
        }
        return new PipelineView.StateFigures(operatorId, "", 0, 0, java.util.Optional.empty());
    }

    /** Returns the latest checkpoint write of the operator with {@code uid} ("" for the metadata checkpoint). */
    public java.util.Optional<CheckpointRecord> lastCheckpoint(String uid) {
        return checkpoints.latest(uid);
    }

    /** Returns the latest checkpoint write of every operator that wrote one, and of the metadata, by uid. */
    public List<CheckpointRecord> lastCheckpoints() {
        return checkpoints.latest();
    }

    /** Returns the state figures after the latest completed batch. */
    public List<PipelineView.StateFigures> state() {
        return state;
    }

    /** Returns the batch history. */
    public BatchHistory history() {
        return history;
    }

    /** Returns the input streams' monitors, in id order. */
    public List<InputMonitor> inputs() {
        return List.copyOf(inputs.values());
    }

    /** Returns the pipeline. */
    public PipelineView view() {
        return view;
    }

    /** Returns the clock time of the zero batch, or -1 before start. */
    public long startMillis() {
        return startMillis;
    }

    /** Returns the batch interval. */
    public Duration interval() {
        return interval;
    }

    /** Returns the clock. */
    public Clock clock() {
        return clock;
    }

    /** Returns the registry the meters are in. */
    public MeterRegistry registry() {
        return registry;
    }
}
