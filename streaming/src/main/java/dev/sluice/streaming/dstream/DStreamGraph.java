package dev.sluice.streaming.dstream;

import dev.sluice.core.Engine;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.output.OutputCommitLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    private static final Logger log = LoggerFactory.getLogger(DStreamGraph.class);
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
    private volatile boolean abandoned;

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
        return kindName(node) + "-" + position;
    }

    private static String kindName(DStreamNode<?> node) {
        return node.descriptor().kind().name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * Returns the uid of every output, in definition order: the one given with {@code uid(...)},
     * else one derived from the output's kind and its position among the outputs that keep a
     * commit log ({@code "foreach-batch-1"}); an at-least-once output (print) without one gets
     * {@code "<kind>-at-least-once-<n>"}, so adding or removing a print changes no other uid.
     *
     * @throws IllegalStateException if two outputs have the same uid
     */
    public Map<OutputDStream<?>, String> outputUids() {
        Map<OutputDStream<?>, String> out = new LinkedHashMap<>();
        Map<String, OutputDStream<?>> byUid = new HashMap<>();
        int position = 0;
        int unlogged = 0;
        for (OutputDStream<?> output : outputs) {
            String uid = output.explicitOutputUid().orElse(output.isCommitted() ? kindName(output) + "-" + position
                    : kindName(output) + "-at-least-once-" + unlogged);
            if (output.isCommitted()) {
                position++;
            } else {
                unlogged++;
            }
            OutputDStream<?> other = byUid.putIfAbsent(uid, output);
            if (other != null) {
                throw new IllegalStateException(String.format("outputs %s and %s both have uid '%s'; give each output "
                        + "its own uid(\"...\")", other, output, uid));
            }
            out.put(output, uid);
        }
        return out;
    }

    /**
     * Opens every output at start, before any batch: gives each its uid, and, with a checkpoint
     * directory, its output commit log there. {@code resumedAfter} is the last batch a recovered
     * run completed (null on a fresh start): the batches after it that the crashed run may have
     * begun writing are replays ({@code OutputBatch.replay()}): the one right after it (batches
     * run one at a time, so no later one can have started), and any an output's commit log records
     * (after a fallback to an older metadata checkpoint). Logs one WARN listing the outputs with a
     * commit log that rely on derived uids.
     *
     * @throws IllegalStateException if two outputs have the same uid, or an output cannot be opened
     */
    public void openOutputs(String checkpointDir, Configuration conf, Time resumedAfter) {
        Map<OutputDStream<?>, String> uids = outputUids();
        Map<OutputDStream<?>, OutputCommitLog> logs = new LinkedHashMap<>();
        List<String> derived = new ArrayList<>();
        long replayUntil = resumedAfter == null ? Long.MIN_VALUE : resumedAfter.millis() + batchInterval.toMillis();
        for (Map.Entry<OutputDStream<?>, String> e : uids.entrySet()) {
            OutputDStream<?> output = e.getKey();
            if (output.isCommitted() && output.explicitOutputUid().isEmpty()) {
                derived.add(output + " as '" + e.getValue() + "'");
            }
            if (checkpointDir != null && output.isCommitted()) {
                OutputCommitLog commits = OutputCommitLog.open(checkpointDir, e.getValue(), conf,
                        OutputCommitLog.DEFAULT_RETAIN);
                logs.put(output, commits);
                if (resumedAfter != null && !commits.committed().isEmpty()) {
                    replayUntil = Math.max(replayUntil, commits.committed().last());
                }
            }
        }
        long replayAfter = resumedAfter == null ? Long.MAX_VALUE : resumedAfter.millis();
        for (Map.Entry<OutputDStream<?>, String> e : uids.entrySet()) {
            try {
                e.getKey().open(e.getValue(), logs.get(e.getKey()), replayAfter, replayUntil);
            } catch (Exception ex) {
                throw new IllegalStateException("cannot start: output " + e.getKey() + " ('" + e.getValue()
                        + "') failed to open: " + ex, ex);
            }
        }
        if (checkpointDir != null && !derived.isEmpty()) {
            log.warn("{} output operation(s) rely on derived ids, which change if outputs are added, removed or "
                    + "reordered, so their commit logs would not match after such a change: {}; give each a stable id "
                    + "with uid(\"...\") on the handle the output operation returns", derived.size(), derived);
        }
    }

    /** Marks the context abandoned (a crash): outputs commit nothing more. Any thread. */
    public void abandon() {
        abandoned = true;
    }

    /** Returns true once the context was abandoned (a crash). */
    public boolean isAbandoned() {
        return abandoned;
    }

    /** Closes every output (a transactional sink's {@code close}); what one throws is logged, not rethrown. */
    public void closeOutputs() {
        for (OutputDStream<?> output : outputs) {
            try {
                output.close();
            } catch (Exception e) {
                log.warn("output {} failed to close", output, e);
            }
        }
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
     * Releases what no node needs any more once batch {@code time} completed: datasets older
     * than each node's remember duration (uncached), their blocks, old checkpoint files and
     * shuffle outputs. Job thread only.
     */
    public void releaseOldBatches(Time time) {
        retention.release(time);
    }
}
