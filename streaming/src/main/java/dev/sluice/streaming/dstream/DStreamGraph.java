package dev.sluice.streaming.dstream;

import dev.sluice.core.Engine;
import dev.sluice.streaming.Time;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * All nodes of one context, in the order they were made (a node's id is its index): the inputs,
 * which receive or read data, the outputs, which turn each batch into jobs, and everything in
 * between. Handles ({@code DStream}, {@code PairDStream}) are not nodes: a second handle on a
 * node adds nothing here.
 *
 * <p>Threading: built on the user's thread before start; afterwards read by the generator
 * thread, and by the job thread, which alone releases old batches (through
 * {@link BatchRetention}). The lists are copy-on-write; nodes guard their own state.
 */
public final class DStreamGraph {
    private final Engine engine;
    private final Duration batchInterval;
    private final Runnable checkCanAddOperation;
    private final List<DStreamNode<?>> nodes = new CopyOnWriteArrayList<>();
    private final List<InputDStream<?>> inputs = new CopyOnWriteArrayList<>();
    private final List<OutputDStream<?>> outputs = new CopyOnWriteArrayList<>();
    private final BatchRetention retention = new BatchRetention(this);
    /** What {@code StreamingContext.remember} asked every node to keep at least; null if nothing. */
    private volatile Duration rememberAtLeast;
    private volatile RecordGuard recordGuard;

    /**
     * Creates the graph of a context whose batches run on {@code engine};
     * {@code checkCanAddOperation} throws once the context has started or stopped.
     */
    public DStreamGraph(Engine engine, Duration batchInterval, Runnable checkCanAddOperation) {
        this.engine = engine;
        this.batchInterval = batchInterval;
        this.checkCanAddOperation = checkCanAddOperation;
        this.recordGuard = new RecordGuard(engine, dev.sluice.streaming.BadRecordPolicy.FAIL);
    }

    /** Sets the bad-record policy's guard; before any stream is made. */
    public void setRecordGuard(RecordGuard guard) {
        this.recordGuard = guard;
    }

    /** Returns the guard of the bad-record policy. */
    public RecordGuard recordGuard() {
        return recordGuard;
    }

    /**
     * Registers a new node and returns its id.
     *
     * @throws IllegalStateException if the context has already started or stopped
     */
    synchronized int register(DStreamNode<?> node) {
        checkCanAddOperation.run();
        nodes.add(node);
        if (node instanceof InputDStream<?> input) {
            inputs.add(input);
        }
        return nodes.size() - 1;
    }

    /**
     * Makes every node keep its datasets for at least {@code duration} (on top of what its
     * children need), so that {@code DStream.slice} can reach back that far.
     *
     * @throws IllegalStateException if the context has already started or stopped
     */
    public void rememberAtLeast(Duration duration) {
        checkCanAddOperation.run();
        this.rememberAtLeast = duration;
    }

    /** Returns what {@link #rememberAtLeast} asked for, or null. */
    Duration rememberedAtLeast() {
        return rememberAtLeast;
    }

    /** Adds an output operation. */
    void addOutput(OutputDStream<?> output) {
        outputs.add(output);
    }

    /** Returns the engine batches run on. */
    public Engine engine() {
        return engine;
    }

    /** Returns the batch interval: the slide of every input. */
    public Duration batchInterval() {
        return batchInterval;
    }

    /** Returns every node, by id. */
    public List<DStreamNode<?>> nodes() {
        return List.copyOf(nodes);
    }

    /** Returns the input nodes. */
    public List<InputDStream<?>> inputs() {
        return List.copyOf(inputs);
    }

    /** Returns the output nodes. */
    public List<OutputDStream<?>> outputs() {
        return List.copyOf(outputs);
    }

    /**
     * Returns the uid of every node that needs an identity ({@link DStreamNode#needsIdentity()}),
     * in graph order: the one given with {@code uid(...)}, else one derived from the node's kind
     * and its position among those nodes only ({@code "update-state-by-key-2"}), so adding or
     * removing a stateless operator such as {@code map} changes no uid.
     *
     * @throws IllegalStateException if two nodes have the same uid
     */
    public Map<DStreamNode<?>, String> uids() {
        Map<DStreamNode<?>, String> out = new LinkedHashMap<>();
        Map<String, DStreamNode<?>> byUid = new HashMap<>();
        int position = 0;
        for (DStreamNode<?> node : nodes) {
            if (!node.needsIdentity() && node.explicitUid().isEmpty()) {
                continue;
            }
            String uid = node.explicitUid().orElse(derivedUid(node, position));
            if (node.needsIdentity()) {
                position++;
            }
            DStreamNode<?> other = byUid.putIfAbsent(uid, node);
            if (other != null) {
                throw new IllegalStateException(String.format("streams %s and %s both have uid '%s'; give each "
                        + "stateful and input stream its own uid(\"...\")", other, node, uid));
            }
            out.put(node, uid);
        }
        return out;
    }

    private static String derivedUid(DStreamNode<?> node, int position) {
        return node.descriptor().kind().name().toLowerCase(Locale.ROOT).replace('_', '-') + "-" + position;
    }

    /**
     * Checks the graph before start.
     *
     * @throws IllegalStateException if there is no output, or a node an output reads must
     *                               checkpoint and the context has no checkpoint directory
     */
    public void validate() {
        if (outputs.isEmpty()) {
            throw new IllegalStateException("cannot start: no output operation is defined; call print(), "
                    + "foreachBatch(...) or saveAsTextFiles(...) on a stream before start()");
        }
        for (OutputDStream<?> output : outputs) {
            validate(output);
        }
    }

    private void validate(DStreamNode<?> node) {
        if (node.mustCheckpoint() && engine.checkpointDir().isEmpty()) {
            throw new IllegalStateException(String.format("stream %s needs periodic checkpoints, but the context "
                    + "has no checkpoint directory; set one with StreamingContext.builder().checkpointDir("
                    + "\"file:///path\")", node));
        }
        for (DStreamNode<?> parent : node.parents()) {
            validate(parent);
        }
    }

    /** Sets the zero time and remember durations of every node; on the starting thread, before any batch. */
    public void initialize(Time zero) {
        retention.initialize(zero);
    }

    /** Returns the jobs of batch {@code time}, one per output that has data at that time. */
    public List<BatchJob> generateJobs(Time time) {
        List<BatchJob> jobs = new ArrayList<>(outputs.size());
        for (OutputDStream<?> output : outputs) {
            output.jobAt(time).ifPresent(jobs::add);
        }
        return jobs;
    }

    /**
     * Returns how many records each input took in for batch {@code time}, by input id in id
     * order: a receiver's from the tracker's allocation, a queue's or list's what it took.
     */
    public Map<Integer, Long> inputRecords(Time time) {
        Map<Integer, Long> byInput = new LinkedHashMap<>();
        for (InputDStream<?> input : inputs) {
            byInput.put(input.id(), input.recordsAt(time));
        }
        return byInput;
    }

    /**
     * Returns the clock time at which the oldest record of batch {@code time} came in, over the
     * inputs that know ({@link InputDStream#oldestRecordMillis}), or -1 if none does.
     */
    public long oldestRecordMillis(Time time) {
        long oldest = -1;
        for (InputDStream<?> input : inputs) {
            long t = input.oldestRecordMillis(time);
            if (t >= 0 && (oldest < 0 || t < oldest)) {
                oldest = t;
            }
        }
        return oldest;
    }

    /**
     * Releases what no node needs any more once batch {@code time} completed: datasets older
     * than each node's remember duration (uncached), their blocks, old checkpoint files and
     * shuffle outputs. Job thread only.
     */
    public void releaseOldBatches(Time time) {
        retention.release(time);
    }
}
