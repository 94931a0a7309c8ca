package dev.sluice.streaming.recovery;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.core.Dataset;
import dev.sluice.core.spi.EngineServices;
import dev.sluice.streaming.CheckpointInfo;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.checkpoint.InputAllocation;
import dev.sluice.streaming.checkpoint.MetadataCheckpoint;
import dev.sluice.streaming.checkpoint.MetadataCheckpoint.OperatorState;
import dev.sluice.streaming.checkpoint.MetadataCheckpoint.PendingBatch;
import dev.sluice.streaming.checkpoint.MetadataCheckpointFormat;
import dev.sluice.streaming.checkpoint.MetadataCheckpointStore;
import dev.sluice.streaming.dstream.DStreamGraph;
import dev.sluice.streaming.dstream.DStreamNode;
import dev.sluice.streaming.dstream.RecoverableInput;
import dev.sluice.streaming.statestore.AsyncCheckpointed;
import dev.sluice.streaming.statestore.StateCheckpointDataset;
import dev.sluice.streaming.statestore.StateCheckpointWriter;
import dev.sluice.streaming.statestore.StateCodec;
import dev.sluice.streaming.statestore.StateFiles;
import dev.sluice.streaming.statestore.StateManifest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the metadata checkpoint of a context after every batch, on the job thread, once the
 * batch's jobs (and so the dataset checkpoints they wrote) completed: the last completed batch,
 * for each stateful operator its newest complete dataset checkpoint, and the inputs of every
 * batch recovery may need (those not completed, and the completed ones a restored state or a
 * window recomputes from: back to the oldest recorded state, or as far back as any node
 * remembers).
 *
 * <p>State store operators ({@link AsyncCheckpointed}: mapWithState, updateStateByKey, inverse
 * windows) checkpoint asynchronously: after a batch at one of their checkpoint times this hands a
 * snapshot of the batch's state to the {@link StateCheckpointWriter} and goes on; after a later
 * batch it takes the checkpoints the writer completed, cuts each one's dataset lineage at its
 * files, records its manifest in the metadata checkpoint, and, once that is written, lets the
 * writer delete the files the manifest no longer needs. Until a checkpoint is complete, the
 * metadata names the previous one and keeps the inputs back to it.
 *
 * <p>Threading: {@link #generated} runs on the generator thread, {@link #afterBatch} on the job
 * thread; the set of generated times is concurrent, the rest is confined to the job thread.
 */
public final class BatchCheckpointer {
    private static final Logger log = LoggerFactory.getLogger(BatchCheckpointer.class);

    private final DStreamGraph graph;
    private final MetadataCheckpointStore store;
    private final String runDir;
    private final Time zero;
    private final Map<DStreamNode<?>, String> stateful = new LinkedHashMap<>();
    private final Map<RecoverableInput, String> inputs = new LinkedHashMap<>();
    private final Map<String, OperatorState> latest = new HashMap<>();
    private final NavigableSet<Time> generated = new ConcurrentSkipListSet<>();
    private final Duration maxRemember;
    private final Consumer<CheckpointInfo> written;
    private volatile Consumer<Time> inputsNeededFrom = t -> { };
    private final EngineServices services;
    private final StateFiles stateFiles;
    private final StateCheckpointWriter writer;
    private volatile Time lastBatch;
    /** Checkpoints adopted while waiting, to reference once the metadata names them. */
    private final List<StateCheckpointWriter.Committed> pendingReferences = new ArrayList<>();
    static final int MAX_LAG_INTERVALS = 4;
    static final Duration MAX_LAG_WAIT = Duration.ofSeconds(30);

    /**
     * Creates the checkpointer of {@code graph} (started, so remember durations are known), writing
     * to {@code store}; {@code restored} are the operator states a recovery read back.
     */
    public BatchCheckpointer(DStreamGraph graph, Map<DStreamNode<?>, String> uids, MetadataCheckpointStore store,
                             String runDir, Time zero, Map<String, OperatorState> restored, String checkpointDir,
                             Consumer<CheckpointInfo> events) {
        this.graph = graph;
        this.written = events;
        this.services = EngineServices.of(graph.engine());
        this.stateFiles = StateFiles.of(services, checkpointDir);
        Duration stuckAfter = Duration.ofSeconds(60).compareTo(graph.batchInterval().multipliedBy(20)) > 0
                ? Duration.ofSeconds(60) : graph.batchInterval().multipliedBy(20);
        this.writer = new StateCheckpointWriter(stateFiles, events,
                () -> CrashPoints.reached(CrashPoint.DURING_STATE_CHECKPOINT_WRITE), stuckAfter);
        this.store = store;
        this.runDir = runDir;
        this.zero = zero;
        Duration longest = graph.batchInterval();
        for (DStreamNode<?> node : graph.nodes()) {
            longest = node.rememberDuration().compareTo(longest) > 0 ? node.rememberDuration() : longest;
        }
        this.maxRemember = longest;
        uids.forEach((node, uid) -> {
            if (node.isStateful()) {
                stateful.put(node, uid);
            }
            if (node instanceof RecoverableInput r) {
                inputs.put(r, uid);
            }
        });
        latest.putAll(restored);
        writer.onCommit(this::cutLineage);
        for (OperatorState state : restored.values()) {
            if (StateFiles.isManifest(state.location())) {
                try {
                    writer.seed(stateFiles.readManifest(state.location()), state.location());
                } catch (RuntimeException e) {
                    log.warn("state of '{}': cannot continue the chain of {} ({}); the next checkpoint is a base",
                            state.uid(), state.location(), e.toString());
                }
            }
        }
    }

    /** Returns the background writer of state checkpoints. */
    public StateCheckpointWriter stateWriter() {
        return writer;
    }

    /** Returns the state checkpoint files. */
    public StateFiles stateFiles() {
        return stateFiles;
    }

    /** Stops the state writer at once (a crash). */
    public void abandon() {
        writer.abandon();
    }

    /**
     * Stops (the context stops; job thread idle): waits, bounded, for the state checkpoints in
     * flight, rewrites the metadata checkpoint of the last completed batch if one completed
     * meanwhile (so a restart resumes from it), then stops the writer.
     */
    public void close() {
        Time last = lastBatch;
        try {
            if (last != null && writer.awaitIdle(Duration.ofSeconds(60))) {
                for (StateCheckpointWriter.Committed c : writer.takeCommitted().values()) {
                    adoptStateCheckpoint(c);
                    pendingReferences.add(c);
                }
                if (!pendingReferences.isEmpty()) { // else the last metadata checkpoint already names everything
                    writeMetadata(last, System.nanoTime());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("could not write the final metadata checkpoint: {}", e.toString(), e);
        }
        writer.close();
    }

    /** Records that batch {@code time} was generated (its inputs are recorded by the inputs themselves). */
    public void generated(Time time) {
        generated.add(time);
    }

    /**
     * Adds the batches recovery re-runs, generated by the crashed run: they are recorded again until
     * they complete, so a crash during the replay replays them again.
     */
    public void generatedBefore(List<Time> times) {
        generated.addAll(times);
    }

    /** Writes the checkpoint after batch {@code time} completed; job thread. */
    public void afterBatch(Time time) {
        long start = System.nanoTime();
        lastBatch = time;
        submitStateSnapshots(time);
        writeMetadata(time, start);
    }

    private void writeMetadata(Time time, long start) {
        List<StateCheckpointWriter.Committed> committed = new ArrayList<>(pendingReferences);
        pendingReferences.clear();
        for (StateCheckpointWriter.Committed c : writer.takeCommitted().values()) {
            adoptStateCheckpoint(c);
            committed.add(c);
        }
        Map<String, OperatorState> operators = new HashMap<>();
        long keepAfter = time.millis() - maxRemember.toMillis();
        for (Map.Entry<DStreamNode<?>, String> e : stateful.entrySet()) {
            OperatorState state = newestCheckpoint(e.getKey(), e.getValue());
            operators.put(e.getValue(), state);
            keepAfter = Math.min(keepAfter, state.stateTime().millis());
        }
        Time after = Time.ofMillis(Math.max(keepAfter, zero.millis()));
        generated.headSet(after, true).clear();
        for (RecoverableInput input : inputs.keySet()) {
            input.forgetBefore(after);
        }
        List<PendingBatch> batches = new ArrayList<>();
        Time newest = generated.isEmpty() ? null : generated.last();
        for (Time t : generated) {
            Map<String, InputAllocation> allocations = new HashMap<>();
            inputs.forEach((input, uid) -> allocations.putAll(input.allocationsAt(uid, t, t.equals(newest))));
            batches.add(new PendingBatch(t, allocations));
        }
        MetadataCheckpoint checkpoint = new MetadataCheckpoint(MetadataCheckpointFormat.VERSION, time,
                graph.batchInterval(), time, batches, operators, runDir, zero);
        MetadataCheckpointStore.Written written;
        try {
            written = store.write(checkpoint);
        } catch (RuntimeException e) {
            report(new CheckpointInfo(CheckpointInfo.Kind.METADATA, "", time, 0, 0, 0,
                    Duration.ofNanos(System.nanoTime() - start), Optional.of(e)));
            throw e;
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        report(new CheckpointInfo(CheckpointInfo.Kind.METADATA, "", time, written.bytes(), 1, 0, took,
                Optional.empty()));
        log.debug("batch {}: metadata checkpoint {} ({} batches recorded) in {} µs", time.millis(), written.path(),
                batches.size(), took.toNanos() / 1000);
        committed.forEach(writer::referenced);
        inputsNeededFrom.accept(after);
    }

    /**
     * Tells {@code listener}, after each metadata checkpoint is written, the oldest batch whose
     * inputs it records (a recovery from it replays the batches after that one), so input logs are
     * kept back to there even when the batches were released: the state a recovery restores may
     * be older than what retention keeps, since state checkpoints become durable asynchronously.
     */
    public void afterMetadataWritten(Consumer<Time> listener) {
        this.inputsNeededFrom = checkNotNull(listener, "listener");
    }

    /** Runs {@code hook} in each metadata checkpoint write between its temporary file and the rename (crash tests). */
    public void beforeCommit(Runnable hook) {
        store.beforeCommit(hook);
    }

    private void report(CheckpointInfo info) {
        try {
            written.accept(info);
        } catch (RuntimeException e) {
            log.warn("checkpoint listener failed on {}", info, e);
        }
    }

    /** Hands the state of each state store operator whose checkpoint time {@code time} is to the writer. */
    private void submitStateSnapshots(Time time) {
        for (Map.Entry<DStreamNode<?>, String> e : stateful.entrySet()) {
            if (e.getKey() instanceof AsyncCheckpointed<?> && e.getKey().isCheckpointTime(time)) {
                try {
                    submitSnapshot(e.getKey(), e.getValue(), time);
                } catch (RuntimeException ex) {
                    // A failed batch may have no state to take: the next checkpoint time tries again.
                    log.warn("batch {}: no state checkpoint of '{}': its state could not be read: {}", time.millis(),
                            e.getValue(), ex.toString());
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private <T> void submitSnapshot(DStreamNode<T> node, String uid, Time time) {
        Optional<Dataset<T>> state = node.rememberedAt(time);
        if (state.isEmpty()) {
            return;
        }
        awaitLaggingCheckpoint(node, uid, time);
        Dataset<T> ds = state.get();
        StateCodec<T> codec = ((AsyncCheckpointed<T>) node).stateCodec();
        List<List<T>> partitions = new ArrayList<>(ds.numPartitions());
        for (int p = 0; p < ds.numPartitions(); p++) {
            Optional<List<T>> stored = services.storedPartition(ds, p);
            if (stored.isEmpty()) {
                partitions = ds.glom().collect(); // not cached (no output read it): computed now, once
                break;
            }
            partitions.add(stored.get());
        }
        List<StateCodec.KeyedState> keyed = null;
        List<List<?>> records = null;
        if (codec.incremental()) {
            keyed = new ArrayList<>(partitions.size());
            for (List<T> p : partitions) {
                keyed.add(codec.keyedState(p));
            }
        } else {
            records = new ArrayList<>(partitions);
        }
        writer.submit(new StateCheckpointWriter.Snapshot(uid, time.millis(), codec, keyed, records, ds));
    }

    /**
     * Bounds how far the durable checkpoint may lag (so the lineage kept until it, and the inputs
     * recorded back to it, stay bounded): when the newest durable state checkpoint is more than
     * {@value #MAX_LAG_INTERVALS} checkpoint intervals old and the writer is busy with a newer one,
     * this batch waits for it (at most {@link #MAX_LAG_WAIT}). A writer that keeps up is never
     * waited for; one whose writes fail is not waited for either.
     */
    private void awaitLaggingCheckpoint(DStreamNode<?> node, String uid, Time time) {
        OperatorState durable = latest.get(uid);
        long last = durable == null ? zero.millis() : durable.stateTime().millis();
        long interval = node.checkpointInterval().map(Duration::toMillis).orElse(graph.batchInterval().toMillis());
        if (time.millis() - last <= MAX_LAG_INTERVALS * interval) {
            return;
        }
        long start = System.nanoTime();
        try {
            writer.awaitCommitNewerThan(uid, last, MAX_LAG_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long waited = (System.nanoTime() - start) / 1_000_000;
        if (waited > 0) {
            log.debug("batch {}: waited {} ms for the state checkpoint of '{}' (the durable one is of {} ms)",
                    time.millis(), waited, uid, last);
        }
        for (StateCheckpointWriter.Committed c : writer.takeCommitted().values()) {
            adoptStateCheckpoint(c);
            pendingReferences.add(c);
        }
    }

    /** Writer thread, right after a commit: the snapshot's dataset reads the durable files from now on. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private void cutLineage(StateCheckpointWriter.Committed c) {
        StateManifest m = c.manifest();
        for (Map.Entry<DStreamNode<?>, String> e : stateful.entrySet()) {
            if (e.getValue().equals(m.uid()) && e.getKey() instanceof AsyncCheckpointed<?> a) {
                Dataset ds = (Dataset) c.handle();
                if (ds != null && !ds.isCheckpointed()) {
                    services.truncateLineage(ds, StateCheckpointDataset.of(graph.engine(), stateFiles, m,
                            a.stateCodec(), e.getKey().statePartitioner().orElse(null), null));
                }
            }
        }
    }

    /** A state checkpoint became complete: its dataset reads its files from now on, the metadata names it. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private void adoptStateCheckpoint(StateCheckpointWriter.Committed c) {
        StateManifest m = c.manifest();
        for (Map.Entry<DStreamNode<?>, String> e : stateful.entrySet()) {
            if (!e.getValue().equals(m.uid()) || !(e.getKey() instanceof AsyncCheckpointed<?>)) {
                continue;
            }
            latest.put(m.uid(), new OperatorState(m.uid(), new Time(m.stateTime()), c.uri(), m.partitions().size()));
        }
    }

    private <T> OperatorState newestCheckpoint(DStreamNode<T> node, String uid) {
        if (node instanceof AsyncCheckpointed<?>) {
            OperatorState known = latest.get(uid);
            if (known != null) {
                return known;
            }
            int partitions = node.statePartitioner().map(p -> p.numPartitions()).orElse(1);
            return new OperatorState(uid, zero, "", partitions);
        }
        List<Time> times = node.rememberedTimes();
        for (int i = times.size() - 1; i >= 0; i--) {
            Time t = times.get(i);
            Dataset<T> ds = node.rememberedAt(t).orElse(null);
            if (ds != null && ds.isCheckpointed() && ds.checkpointFile().isPresent()) {
                OperatorState state = new OperatorState(uid, t, ds.checkpointFile().get(), ds.numPartitions());
                latest.put(uid, state);
                return state;
            }
        }
        OperatorState known = latest.get(uid);
        if (known != null) {
            return known;
        }
        // No checkpoint yet: the state is recomputed from the start, whose inputs are all recorded.
        int partitions = node.statePartitioner().map(p -> p.numPartitions()).orElse(1);
        return new OperatorState(uid, zero, "", partitions);
    }
}
