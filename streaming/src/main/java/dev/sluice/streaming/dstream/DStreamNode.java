package dev.sluice.streaming.dstream;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.core.Dataset;
import dev.sluice.core.Engine;
import dev.sluice.core.StorageLevel;
import dev.sluice.streaming.Time;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node of the stream graph: one operator, its parents, and the datasets it built per batch
 * time. The public {@code DStream} and {@code PairDStream} are handles on a node (several
 * handles may share one); making a batch's dataset is here, keeping and releasing old ones is
 * {@link BatchRetention}'s.
 *
 * <p>A node is a function from batch time to dataset: {@link #datasetAt(Time)} builds the
 * dataset of a time from the parents' datasets of that time (memoized per time), so every
 * batch's work is an ordinary lineage-tracked batch job.
 *
 * <p>Threading: built and configured on the user's thread before start; {@link #datasetAt} runs
 * on the generator thread (and on the job thread when an output reads an older batch), under
 * this node's lock. Settings are volatile. The memo is a concurrent map that only
 * {@link BatchRetention} shrinks, on the job thread.
 *
 * @param <T> the element type
 */
public abstract class DStreamNode<T> {
    private static final Logger log = LoggerFactory.getLogger(DStreamNode.class);

    private final DStreamGraph graph;
    private final int id;
    private volatile OperatorDescriptor descriptor;
    private volatile String uid;
    private final Map<Time, Dataset<T>> generated = new ConcurrentSkipListMap<>();
    private volatile StorageLevel storageLevel = StorageLevel.NONE;
    // Set by BatchRetention.initialize at start (the checkpoint interval also by the user).
    volatile Duration checkpointInterval;
    volatile Time zeroTime;
    volatile Duration rememberDuration;
    volatile Duration childRemember;

    /**
     * Creates the node of {@code kind} and registers it with {@code graph}.
     *
     * @throws IllegalStateException if the graph's context has already started
     */
    protected DStreamNode(DStreamGraph graph, OperatorKind kind) {
        this.graph = checkNotNull(graph, "graph");
        this.descriptor = OperatorDescriptor.of(kind);
        this.id = graph.register(this);
    }

    // ---------------------------------------------------------------- what operators provide

    /** Returns the interval at which this node produces a dataset. */
    public abstract Duration slideDuration();

    /** Returns the nodes this one reads. */
    public abstract List<DStreamNode<?>> parents();

    /** Builds the dataset of {@code time} (a valid time of this node) from the parents'. */
    protected abstract Optional<Dataset<T>> compute(Time time);

    /** Returns true if this node cannot work without periodic checkpoints (state, inverse windows). */
    protected boolean mustCheckpoint() {
        return false;
    }

    /** Returns how long parents must keep their datasets for this node (longer for windows). */
    protected Duration parentRememberDuration() {
        return rememberDuration();
    }

    /** Releases what else this node holds for the forgotten batch {@code time}; job thread. */
    protected void releaseBatch(Time time) {
    }

    /**
     * Called on the job thread after the batches older than the remember duration before
     * {@code time} were forgotten, for nodes that release more than whole forgotten batches.
     */
    protected void afterRelease(Time time) {
    }

    // ---------------------------------------------------------------- identity

    /** Returns this node's id: its position in the order the graph was built, stable across runs of the same setup. */
    public final int id() {
        return id;
    }

    /** Returns what operator this node is: its kind and name. */
    public final OperatorDescriptor descriptor() {
        return descriptor;
    }

    /** Returns the name given with {@link #setName}, or the operation's name. */
    public final String name() {
        return descriptor.name();
    }

    /** Names this node, for logs and error messages. */
    public final void setName(String newName) {
        descriptor = descriptor.withName(checkNotNull(newName, "name"));
    }

    /**
     * Gives this node the stable identity {@code newUid}, which crash recovery keys its state and
     * inputs by; without one, inputs, stateful and windowed nodes get one derived from their kind
     * and position (see {@link DStreamGraph#uids()}).
     */
    public final void setUid(String newUid) {
        checkNotNull(newUid, "uid");
        com.google.common.base.Preconditions.checkArgument(!newUid.isBlank() && newUid.strip().equals(newUid)
                        && !newUid.contains("#"),
                "uid must be non-blank, without leading or trailing spaces and without '#', got '%s'", newUid);
        this.uid = newUid;
    }

    /** Returns the uid given with {@link #setUid}, if any. */
    public final Optional<String> explicitUid() {
        return Optional.ofNullable(uid);
    }

    /**
     * Returns true if this node has an identity recovery needs: an input, a stateful node or a
     * window. Only these nodes get derived uids, so stateless nodes never shift them.
     */
    public final boolean needsIdentity() {
        return this instanceof InputDStream<?> || isStateful() || switch (descriptor.kind()) {
            case WINDOW, KEYED_WINDOW, INCREMENTAL_WINDOW -> true;
            default -> false;
        };
    }

    /** Returns true if this node carries state across batches that recovery restores from its dataset checkpoints. */
    public final boolean isStateful() {
        return mustCheckpoint();
    }

    /** Returns the partitioner of a stateful node's datasets (empty for other nodes). */
    public Optional<dev.sluice.core.Partitioner> statePartitioner() {
        return Optional.empty();
    }

    /** Returns how many keys a state dataset of this node holds (for the recovery report); runs a job. */
    public long keyCount(Dataset<T> state) {
        return state.count();
    }

    /**
     * Makes {@code restored} this node's dataset of batch {@code time} (recovery: the state read
     * back from a checkpoint), persisted at the node's storage level; before start's first batch.
     */
    public final synchronized void restore(Time time, Dataset<T> restored) {
        checkNotNull(restored, "restored");
        if (storageLevel != StorageLevel.NONE) {
            restored.persist(storageLevel);
        }
        generated.put(time, restored);
    }

    /**
     * Makes a stateful node that recovery found no state for (new in the graph) start with empty
     * state after batch {@code time} instead of recomputing it from the start; other nodes ignore it.
     */
    public void startEmptyAfter(Time time) {
    }

    /** Returns the graph this node belongs to. */
    public final DStreamGraph graph() {
        return graph;
    }

    /** Returns the engine that runs this node's datasets. */
    public final Engine engine() {
        return graph.engine();
    }

    @Override
    public String toString() {
        return "'" + name() + "' (stream " + id + ")";
    }

    // ---------------------------------------------------------------- per-time datasets

    /**
     * Returns the dataset of batch time {@code time}, building and remembering it on first use;
     * empty if this node produces nothing at that time (not a multiple of its slide).
     */
    public final synchronized Optional<Dataset<T>> datasetAt(Time time) {
        Dataset<T> existing = generated.get(time);
        if (existing != null) {
            return Optional.of(existing);
        }
        if (!isTimeValid(time)) {
            return Optional.empty();
        }
        Optional<Dataset<T>> made = compute(time);
        made.ifPresent(ds -> {
            if (storageLevel != StorageLevel.NONE) {
                ds.persist(storageLevel);
            }
            Duration interval = checkpointInterval;
            // A state store node's checkpoint is taken after the batch, asynchronously (BatchCheckpointer).
            if (interval != null && time.isMultipleOf(interval, zeroTime)
                    && !(this instanceof dev.sluice.streaming.statestore.AsyncCheckpointed<?>)) {
                ds.checkpoint();
                log.debug("batch {}: checkpointing dataset {} of stream {}", time.millis(), ds.id(), this);
            }
            generated.put(time, ds);
        });
        return made;
    }

    /** Returns true if {@code time} is after the start and a multiple of this node's slide. */
    protected boolean isTimeValid(Time time) {
        Time zero = zeroTime;
        return zero != null && time.isAfter(zero) && time.isMultipleOf(slideDuration(), zero);
    }

    /** Returns the dataset of {@code time} if this node still remembers it; never computes one. */
    public final Optional<Dataset<T>> rememberedAt(Time time) {
        return Optional.ofNullable(generated.get(time));
    }

    /** Returns the times this node currently remembers datasets for, oldest first. */
    public final List<Time> rememberedTimes() {
        return List.copyOf(generated.keySet());
    }

    /** Returns the remembered times, oldest first, as a live view: for {@link BatchRetention}, which must not copy per batch. */
    final Iterable<Time> liveTimes() {
        return generated.keySet();
    }

    /** Forgets and returns the dataset of {@code time} (null if none); only {@link BatchRetention} calls it. */
    final Dataset<T> forget(Time time) {
        return generated.remove(time);
    }

    /** Returns the zero time set at start: batch {@code k} is at {@code zeroTime + k * interval}. */
    public final Time zeroTime() {
        return zeroTime;
    }

    /** Returns how long this node keeps its datasets. */
    public final Duration rememberDuration() {
        Duration d = rememberDuration;
        return d != null ? d : slideDuration();
    }

    /** Returns how far back child nodes read this node's datasets (at least one slide). */
    protected final Duration childRememberDuration() {
        Duration asked = childRemember;
        return asked != null ? Durations.max(asked, slideDuration()) : slideDuration();
    }

    // ---------------------------------------------------------------- settings

    /** Persists every dataset of this node at {@code level}. */
    public final void persist(StorageLevel level) {
        this.storageLevel = checkNotNull(level, "level");
    }

    /** Returns the storage level of this node's datasets. */
    public final StorageLevel storageLevel() {
        return storageLevel;
    }

    /**
     * Checkpoints this node's dataset every {@code interval}.
     *
     * @throws IllegalArgumentException if {@code interval} is not a positive multiple of the slide
     */
    public final void checkpoint(Duration interval) {
        checkNotNull(interval, "interval");
        Durations.checkMultiple("checkpoint interval", interval, this);
        this.checkpointInterval = interval;
    }

    /** Returns true if this node checkpoints and {@code time} is one of its checkpoint times. */
    public final boolean isCheckpointTime(Time time) {
        Duration interval = checkpointInterval;
        Time zero = zeroTime;
        return interval != null && zero != null && time.isAfter(zero) && time.isMultipleOf(interval, zero);
    }

    /** Returns the checkpoint interval, if this node checkpoints. */
    public final Optional<Duration> checkpointInterval() {
        return Optional.ofNullable(checkpointInterval);
    }
}
