package dev.sluice.streaming.dstream;

import dev.sluice.core.Dataset;
import dev.sluice.core.StorageLevel;
import dev.sluice.core.spi.EngineServices;
import dev.sluice.streaming.Time;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long each node of a graph keeps its batches, and the releasing of what no node needs any
 * more: at start, it sets each node's zero time, default checkpoint interval and remember
 * duration (how far back its children read, at least two checkpoint intervals for a node that
 * checkpoints); after each batch, it forgets every node's datasets older than its remember
 * duration, uncaches them, deletes checkpoint files nothing reads any more, and clears the
 * shuffle outputs that fed datasets now fully cached.
 *
 * <p>Threading: {@link #initialize} runs once, on the thread that starts the context, before the
 * generator and job threads start (their {@code Thread.start} publishes what it wrote).
 * {@link #release} runs on the job thread only, after each batch; the bookkeeping maps here are
 * therefore plain ones, confined to that thread. Nodes' memos are concurrent maps because the
 * generator thread adds to them meanwhile.
 *
 * <p>Invariants: a node remembers at least one slide, at least what {@code StreamingContext.remember}
 * asked for, and at least what each child asked for
 * (a window asks for its length on top of its own remember duration), so a child never
 * recomputes a parent's batch that was forgotten. Of the checkpoints of forgotten datasets, the
 * newest is kept: remembered datasets older than every remembered checkpoint still read it.
 */
final class BatchRetention {
    private static final Logger log = LoggerFactory.getLogger(BatchRetention.class);

    private final DStreamGraph graph;
    /** Checkpoint directories of forgotten datasets, by node and batch time. */
    private final Map<DStreamNode<?>, TreeMap<Time, String>> forgottenCheckpoints = new IdentityHashMap<>();
    /** Remembered times whose cached dataset already released its stage's shuffle outputs, by node. */
    private final Map<DStreamNode<?>, Set<Time>> shufflesReleased = new IdentityHashMap<>();

    BatchRetention(DStreamGraph graph) {
        this.graph = graph;
    }

    // ---------------------------------------------------------------- remember (at start)

    /** Sets the zero time and remember durations of every node an input or output reaches. */
    void initialize(Time zero) {
        for (InputDStream<?> input : graph.inputs()) {
            initialize(input, zero);
        }
        for (OutputDStream<?> output : graph.outputs()) {
            initialize(output, zero);
        }
    }

    private void initialize(DStreamNode<?> node, Time zero) {
        if (zero.equals(node.zeroTime)) {
            return;
        }
        node.zeroTime = zero;
        if (node.mustCheckpoint() && node.checkpointInterval == null) {
            node.checkpointInterval = Durations.defaultCheckpointInterval(node.slideDuration());
        }
        Duration minimum = node.slideDuration();
        Duration asked = graph.rememberedAtLeast();
        if (asked != null) {
            minimum = Durations.max(minimum, asked);
        }
        if (node.checkpointInterval != null) {
            minimum = Durations.max(minimum, node.checkpointInterval.multipliedBy(2));
        }
        rememberAtLeast(node, minimum);
        for (DStreamNode<?> parent : node.parents()) {
            initialize(parent, zero);
        }
        for (DStreamNode<?> parent : node.parents()) {
            remember(parent, node.parentRememberDuration());
        }
    }

    /** Makes {@code node} keep datasets for at least {@code duration}: a child reads that far back. */
    private void remember(DStreamNode<?> node, Duration duration) {
        Duration asked = node.childRemember;
        if (asked == null || duration.compareTo(asked) > 0) {
            node.childRemember = duration;
        }
        rememberAtLeast(node, duration);
    }

    private void rememberAtLeast(DStreamNode<?> node, Duration duration) {
        Duration current = node.rememberDuration;
        if (current == null || duration.compareTo(current) > 0) {
            node.rememberDuration = duration;
            for (DStreamNode<?> parent : node.parents()) {
                remember(parent, node.parentRememberDuration());
            }
        }
    }

    // ---------------------------------------------------------------- release (after each batch)

    /** Releases, after batch {@code time} completed, what no node needs; each node once, children first. */
    void release(Time time) {
        Set<DStreamNode<?>> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        for (OutputDStream<?> output : graph.outputs()) {
            release(output, time, visited);
        }
        for (InputDStream<?> input : graph.inputs()) {
            release(input, time, visited);
        }
    }

    private void release(DStreamNode<?> node, Time time, Set<DStreamNode<?>> visited) {
        if (!visited.add(node)) {
            return;
        }
        forgetOld(node, time);
        deleteOldCheckpoints(node, time);
        releaseShufflesOfCachedDatasets(node);
        node.afterRelease(time);
        for (DStreamNode<?> parent : node.parents()) {
            release(parent, time, visited);
        }
    }

    /** Forgets the datasets older than the remember duration before {@code time}, uncaching them. */
    private <T> void forgetOld(DStreamNode<T> node, Time time) {
        long oldest = time.millis() - node.rememberDuration().toMillis();
        List<Time> old = new ArrayList<>();
        for (Time t : node.liveTimes()) {
            if (t.millis() > oldest) {
                break;
            }
            old.add(t);
        }
        if (old.isEmpty()) {
            return;
        }
        Set<Time> released = shufflesReleased.get(node);
        for (Time t : old) {
            Dataset<T> ds = node.forget(t);
            if (released != null) {
                released.remove(t);
            }
            if (ds != null && node.storageLevel() != StorageLevel.NONE && ds.storageLevel() != StorageLevel.NONE) {
                ds.unpersist();
            }
            // Only the node that checkpoints deletes: its remember duration covers its children's needs.
            if (ds != null && node.checkpointInterval != null
                    && !(node instanceof dev.sluice.streaming.statestore.AsyncCheckpointed<?>)) {
                ds.checkpointFile().ifPresent(dir ->
                        forgottenCheckpoints.computeIfAbsent(node, n -> new TreeMap<>()).put(t, dir));
            }
            node.releaseBatch(t);
        }
    }

    /**
     * Deletes the checkpoint files of forgotten datasets, except the newest: a remembered dataset
     * older than every remembered checkpoint still reads from that one (its lineage stops there),
     * while nothing reads from the older ones.
     */
    private void deleteOldCheckpoints(DStreamNode<?> node, Time time) {
        TreeMap<Time, String> forgotten = forgottenCheckpoints.get(node);
        while (forgotten != null && forgotten.size() > 1) {
            Map.Entry<Time, String> oldest = forgotten.pollFirstEntry();
            EngineServices.of(node.engine()).deleteCheckpoint(oldest.getValue());
            log.debug("batch {}: deleted old checkpoint {} of stream {}", time.millis(), oldest.getValue(), node);
        }
    }

    /**
     * A dataset this node persisted and that is now fully cached is read from the block store:
     * the shuffle outputs that fed its stage are not read again (if a block is lost, the scheduler
     * recomputes them from the remembered input), so they are cleared. A window keeps its whole
     * window of reduced batches cached, and without this each also kept its shuffle output.
     */
    private <T> void releaseShufflesOfCachedDatasets(DStreamNode<T> node) {
        if (node.storageLevel() == StorageLevel.NONE) {
            return;
        }
        Set<Time> released = shufflesReleased.computeIfAbsent(node, n -> new HashSet<>());
        EngineServices runtime = EngineServices.of(node.engine());
        for (Time t : node.liveTimes()) {
            if (released.contains(t)) {
                continue;
            }
            node.rememberedAt(t).filter(Dataset::isFullyCached).ifPresent(ds -> {
                runtime.releaseShuffleOutputs(ds);
                released.add(t);
            });
        }
    }
}
