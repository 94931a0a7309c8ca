package dev.sluice.streaming.recovery;

import dev.sluice.core.Dataset;
import dev.sluice.core.Partitioner;
import dev.sluice.core.spi.EngineServices;
import dev.sluice.streaming.RecoveryReport;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.checkpoint.Compatibility;
import dev.sluice.streaming.checkpoint.GraphShape;
import dev.sluice.streaming.checkpoint.InputAllocation;
import dev.sluice.streaming.checkpoint.MetadataCheckpoint;
import dev.sluice.streaming.checkpoint.MetadataCheckpoint.OperatorState;
import dev.sluice.streaming.checkpoint.MetadataCheckpoint.PendingBatch;
import dev.sluice.streaming.checkpoint.RecoveredCheckpoint;
import dev.sluice.streaming.dstream.DStreamGraph;
import dev.sluice.streaming.dstream.DStreamNode;
import dev.sluice.streaming.dstream.InputDStream;
import dev.sluice.streaming.dstream.ReceiverInputDStream;
import dev.sluice.streaming.dstream.RecoverableInput;
import dev.sluice.streaming.statestore.AsyncCheckpointed;
import dev.sluice.streaming.statestore.StateCheckpointDataset;
import dev.sluice.streaming.statestore.StateCheckpointException;
import dev.sluice.streaming.statestore.StateCheckpointWriter;
import dev.sluice.streaming.statestore.StateCodec;
import dev.sluice.streaming.statestore.StateFiles;
import dev.sluice.streaming.statestore.StateManifest;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resumes a graph from a metadata checkpoint, on the starting thread, after the graph was
 * initialized with the recorded zero time and before any batch: checks compatibility, restores
 * each stateful operator's dataset from its dataset checkpoint, gives the replayable inputs their
 * recorded batches, and deletes the dataset checkpoint directories no checkpoint refers to.
 */
public final class Recovery {
    private static final Logger log = LoggerFactory.getLogger(Recovery.class);

    private final MetadataCheckpoint checkpoint;
    private final RecoveredCheckpoint recovered;
    private final Map<String, OperatorState> restoredStates = new HashMap<>();
    private RecoveryReport report;

    private Recovery(RecoveredCheckpoint recovered) {
        this.recovered = recovered;
        this.checkpoint = recovered.checkpoint();
    }

    /**
     * Checks that {@code recovered} can resume {@code graph}, whose stateful and input nodes have
     * {@code uids}; returns the recovery to {@link #restore} once the graph is initialized.
     *
     * @throws IllegalStateException with the compatibility report if it cannot
     */
    public static Recovery check(RecoveredCheckpoint recovered, DStreamGraph graph, Map<DStreamNode<?>, String> uids,
                                 boolean allowDroppingState) {
        Map<String, Integer> partitions = new HashMap<>();
        uids.forEach((node, uid) -> {
            if (node.isStateful()) {
                partitions.put(uid, node.statePartitioner().map(Partitioner::numPartitions).orElse(1));
            }
        });
        Compatibility c = Compatibility.check(recovered.checkpoint(), new GraphShape(graph.batchInterval(), partitions),
                allowDroppingState);
        if (!c.isCompatible()) {
            throw new IllegalStateException("cannot resume from " + recovered.describe() + ": " + c.message());
        }
        log.info("{}: {}", recovered.path(), c.message());
        return new Recovery(recovered);
    }

    /** Returns the recorded zero time, which the graph must be initialized with. */
    public Time zeroTime() {
        return checkpoint.zeroTime();
    }

    /** Returns the last completed batch: the clock resumes after it. */
    public Time lastCompletedBatch() {
        return checkpoint.lastCompletedBatch();
    }

    /** Returns the batches generated but not completed, which the generator runs again. */
    public List<Time> replayedBatches() {
        List<Time> out = new ArrayList<>();
        for (PendingBatch b : checkpoint.pendingBatches()) {
            if (b.time().isAfter(checkpoint.lastCompletedBatch())) {
                out.add(b.time());
            }
        }
        return out;
    }

    /**
     * Returns the times of every batch the checkpoint recorded inputs for: the next checkpoints
     * record them again (a restored state still recomputes the completed ones, and the others are
     * re-run), until newer state checkpoints make them unnecessary.
     */
    public List<Time> recordedBatches() {
        List<Time> out = new ArrayList<>();
        for (PendingBatch b : checkpoint.pendingBatches()) {
            out.add(b.time());
        }
        return out;
    }

    /** Returns the operator states read back, for the next checkpoints until the operators checkpoint again. */
    public Map<String, OperatorState> restoredStates() {
        return Map.copyOf(restoredStates);
    }

    /**
     * Restores the graph (initialized with {@link #zeroTime()}): state datasets, input records,
     * then deletes unreferenced dataset checkpoints under {@code checkpointDir}.
     *
     * @throws IllegalStateException if a recorded state's files are missing
     */
    public RecoveryReport restore(DStreamGraph graph, Map<DStreamNode<?>, String> uids, String checkpointDir) {
        long start = System.nanoTime();
        EngineServices services = EngineServices.of(graph.engine());
        Map<String, Long> keys = new TreeMap<>();
        Map<String, Time> times = new TreeMap<>();
        List<String> startedEmpty = new ArrayList<>();
        Set<String> present = new HashSet<>();
        for (Map.Entry<DStreamNode<?>, String> e : uids.entrySet()) {
            if (!e.getKey().isStateful()) {
                continue;
            }
            String uid = e.getValue();
            present.add(uid);
            OperatorState state = checkpoint.operators().get(uid);
            if (state == null) {
                startedEmpty.add(uid);
                e.getKey().startEmptyAfter(checkpoint.lastCompletedBatch());
                continue;
            }
            restoredStates.put(uid, state);
            if (state.location().isEmpty()) {
                // Not checkpointed yet when the run ended: recomputed from the recorded inputs since the start.
                keys.put(uid, 0L);
                times.put(uid, state.stateTime());
                continue;
            }
            keys.put(uid, StateFiles.isManifest(state.location())
                    ? restoreFromStateStore(e.getKey(), state, services, checkpointDir)
                    : restoreState(e.getKey(), state, services));
            times.put(uid, state.stateTime());
        }
        List<String> dropped = new ArrayList<>(checkpoint.operators().keySet());
        dropped.removeAll(present);
        // Receiver batches are rebuilt from the write-ahead log back to the oldest state any operator
        // restores (the completed batches after it are recomputed into the state, without their outputs).
        Time receiversFrom = checkpoint.lastCompletedBatch();
        for (Time t : times.values()) {
            if (t.compareTo(receiversFrom) < 0) {
                receiversFrom = t;
            }
        }
        replayInputs(graph, uids, receiversFrom);
        List<String> deleted = deleteUnreferenced(services, checkpointDir);
        report = new RecoveryReport(recovered.describe(), checkpoint.checkpointTime(), checkpoint.lastCompletedBatch(),
                keys, times, replayedBatches(), dropped, startedEmpty, deleted,
                Duration.ofNanos(System.nanoTime() - start));
        return report;
    }

    private static <T> long restoreState(DStreamNode<T> node, OperatorState state, EngineServices services) {
        int found = services.checkpointPartitions(state.location());
        if (found != state.partitions()) {
            throw new IllegalStateException("cannot restore the state of '" + state.uid() + "' (batch "
                    + state.stateTime().millis() + " ms): its dataset checkpoint " + state.location() + " has "
                    + found + " of " + state.partitions() + " partition files; were files deleted? Restore them, "
                    + "or start over with an empty checkpoint directory");
        }
        Dataset<T> restored = services.checkpointedDataset(state.location(), state.partitions(),
                node.statePartitioner().orElse(null));
        restored.setName("restored state of " + state.uid() + " at " + state.stateTime().millis() + " ms");
        node.restore(state.stateTime(), restored);
        return node.keyCount(restored);
    }

    /**
     * Restores a state store checkpoint: reads the manifest, then every partition's base and
     * deltas in parallel (one task per partition), bulk-loading each; deletes the operator's files
     * the manifest does not name (newer checkpoints the metadata never referred to, older chains).
     */
    @SuppressWarnings("unchecked")
    private static <T> long restoreFromStateStore(DStreamNode<T> node, OperatorState state, EngineServices services,
                                                  String checkpointDir) {
        if (!(node instanceof AsyncCheckpointed<?> async)) {
            throw new IllegalStateException("cannot restore the state of '" + state.uid() + "': its checkpoint "
                    + state.location() + " is a state store checkpoint, but the operator " + node + " does not "
                    + "checkpoint through the state store; was the operator's kind changed?");
        }
        StateCodec<T> codec = ((AsyncCheckpointed<T>) async).stateCodec();
        StateFiles files = StateFiles.of(services, checkpointDir);
        StateManifest manifest = files.readManifest(state.location());
        if (manifest.partitions().size() != state.partitions() || !manifest.uid().equals(state.uid())) {
            throw new StateCheckpointException(state.location(), "is the checkpoint of '" + manifest.uid() + "' with "
                    + manifest.partitions().size() + " partitions, the metadata expected '" + state.uid() + "' with "
                    + state.partitions(), null);
        }
        int n = manifest.partitions().size();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(n, Runtime.getRuntime().availableProcessors()),
                r -> {
                    Thread t = new Thread(r, "sluice-state-restore");
                    t.setDaemon(true);
                    return t;
                });
        List<List<T>> loaded = new ArrayList<>(n);
        try {
            List<Future<List<T>>> futures = new ArrayList<>(n);
            for (int p = 0; p < n; p++) {
                int partition = p;
                futures.add(pool.submit(() -> files.loadPartition(manifest, partition, codec)));
            }
            for (Future<List<T>> f : futures) {
                loaded.add(f.get());
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("cannot restore the state of '" + state.uid() + "' from "
                    + state.location() + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while restoring the state of '" + state.uid() + "'", e);
        } finally {
            pool.shutdownNow();
        }
        long keys = 0;
        for (List<T> partition : loaded) {
            keys += codec.incremental() ? codec.keyedState(partition).size() : partition.size();
        }
        Dataset<T> restored = StateCheckpointDataset.of(services.engine(), files, manifest, codec,
                node.statePartitioner().orElse(null), loaded);
        restored.setName("restored state of " + state.uid() + " at " + state.stateTime().millis() + " ms");
        node.restore(state.stateTime(), restored);
        try {
            List<String> deleted = StateCheckpointWriter.deleteUnreferenced(files, manifest, Long.MAX_VALUE);
            if (!deleted.isEmpty()) {
                log.info("state of '{}': deleted {} state checkpoint file(s) the restored checkpoint does not use",
                        state.uid(), deleted.size());
            }
        } catch (IOException e) {
            log.warn("could not delete unused state checkpoint files of '{}': {}", state.uid(), e.toString());
        }
        return keys;
    }

    private void replayInputs(DStreamGraph graph, Map<DStreamNode<?>, String> uids, Time receiversFrom) {
        NavigableMap<Time, Map<String, InputAllocation>> batches = new TreeMap<>();
        for (PendingBatch b : checkpoint.pendingBatches()) {
            batches.put(b.time(), b.inputs());
        }
        for (InputDStream<?> input : graph.inputs()) {
            String uid = uids.get(input);
            if (input instanceof RecoverableInput replayable) {
                replayable.replay(uid, batches);
            } else if (input instanceof ReceiverInputDStream<?> receiver) {
                // The tracker logs what it restored (batches, blocks, records, and the unallocated rest).
                if (receiver.recover(receiversFrom).isEmpty()) {
                    log.warn("input {} ('{}') has no write-ahead log (writeAheadLog(false)): the records of its "
                            + "unfinished batches are not recovered", input, uid);
                }
            } else {
                log.warn("input {} ('{}') is not replayable: the records of its unfinished batches are not recovered",
                        input, uid);
            }
        }
    }

    /**
     * Deletes the {@code run-*} directories under {@code checkpointDir} that no operator state of
     * the checkpoint used lies in (except this engine's), and in the others every dataset directory
     * not used. Older metadata checkpoints may refer to what is deleted: they stop being usable as
     * fallbacks, which the newest valid one (used here) replaces.
     */
    private List<String> deleteUnreferenced(EngineServices services, String checkpointDir) {
        Set<Path> used = new HashSet<>();
        for (OperatorState s : checkpoint.operators().values()) {
            if (!s.location().isEmpty() && !StateFiles.isManifest(s.location())) {
                used.add(qualified(services, s.location()));
            }
        }
        Path current = services.checkpointRunDir().map(d -> qualified(services, d)).orElse(null);
        List<String> deleted = new ArrayList<>();
        try {
            Path root = new Path(checkpointDir);
            FileSystem fs = root.getFileSystem(services.hadoopConf());
            for (FileStatus run : list(fs, root)) {
                Path runPath = fs.makeQualified(run.getPath());
                if (!run.isDirectory() || !runPath.getName().startsWith("run-") || runPath.equals(current)) {
                    continue;
                }
                boolean anyUsed = used.stream().anyMatch(u -> runPath.equals(u.getParent()));
                if (!anyUsed) {
                    delete(fs, runPath, deleted);
                    continue;
                }
                for (FileStatus child : list(fs, runPath)) {
                    Path childPath = fs.makeQualified(child.getPath());
                    if (!used.contains(childPath)) {
                        delete(fs, childPath, deleted);
                    }
                }
            }
        } catch (IOException e) {
            log.warn("could not delete unreferenced dataset checkpoints under {}: {}", checkpointDir, e.toString(), e);
        }
        return deleted;
    }

    private static FileStatus[] list(FileSystem fs, Path dir) throws IOException {
        try {
            return fs.listStatus(dir);
        } catch (FileNotFoundException e) {
            return new FileStatus[0];
        }
    }

    private static void delete(FileSystem fs, Path path, List<String> deleted) throws IOException {
        if (fs.delete(path, true)) {
            deleted.add(path.toString());
        }
    }

    private static Path qualified(EngineServices services, String uri) {
        Path p = new Path(uri);
        try {
            return p.getFileSystem(services.hadoopConf()).makeQualified(p);
        } catch (IOException e) {
            return p;
        }
    }
}
