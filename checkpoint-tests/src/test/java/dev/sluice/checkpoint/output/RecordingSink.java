package dev.sluice.checkpoint.output;

import dev.sluice.streaming.TransactionalSink;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.LongConsumer;

/**
 * A transactional sink that keeps its committed batches in memory (standing for a durable store
 * that outlives a crashed context: the same instance serves the kit that crashes and the one
 * that recovers) and records every call the engine makes, for protocol tests. Failures and
 * crashes are injected by call: {@link #failOnce}, {@link #failAlways}, hooks after a write and
 * after a commit.
 */
final class RecordingSink implements TransactionalSink<Integer> {
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    /** Committed records by batch id: what a reader of the store sees. */
    final SortedMap<Long, List<Integer>> committed;
    /** Batches the sink claims to have committed without holding them (as if written by its own earlier run). */
    final Set<Long> claimed = ConcurrentHashMap.newKeySet();
    /** Calls ("write 3000 1", "commit 4000") that throw the first time they are made. */
    final Set<String> failOnce = ConcurrentHashMap.newKeySet();
    /** Calls that always throw. */
    final Set<String> failAlways = ConcurrentHashMap.newKeySet();
    volatile LongConsumer afterWrite = b -> { };
    volatile LongConsumer afterCommit = b -> { };
    private final Map<Integer, List<Integer>> pending = new ConcurrentHashMap<>();

    RecordingSink() {
        this(new ConcurrentSkipListMap<>());
    }

    /** A sink over the store {@code committed} (another sink's, after a crash: the store outlives the process). */
    RecordingSink(SortedMap<Long, List<Integer>> committed) {
        this.committed = committed;
    }

    @Override
    public void open(String outputUid) {
        calls.add("open " + outputUid);
    }

    @Override
    public boolean isCommitted(long batchId) {
        calls.add("isCommitted " + batchId);
        return claimed.contains(batchId) || committed.containsKey(batchId);
    }

    @Override
    public void begin(long batchId, boolean replay) {
        calls.add("begin " + batchId + (replay ? " replay" : ""));
        pending.clear();
    }

    @Override
    public void writePartition(long batchId, int partition, Iterator<Integer> records) {
        String call = "write " + batchId + " " + partition;
        calls.add(call);
        List<Integer> out = new ArrayList<>();
        records.forEachRemaining(out::add);
        inject(call);
        pending.put(partition, out);
        afterWrite.accept(batchId);
    }

    @Override
    public void commit(long batchId) {
        String call = "commit " + batchId;
        calls.add(call);
        inject(call);
        List<Integer> all = new ArrayList<>();
        pending.values().forEach(all::addAll);
        all.sort(null);
        committed.put(batchId, all);
        pending.clear();
        afterCommit.accept(batchId);
    }

    @Override
    public void abort(long batchId, Throwable cause) {
        calls.add("abort " + batchId + " " + cause.getMessage());
        pending.clear();
    }

    @Override
    public void close() {
        calls.add("close");
    }

    private void inject(String call) {
        if (failAlways.contains(call) || failOnce.remove(call)) {
            throw new IllegalStateException("injected failure of " + call);
        }
    }

    /** Returns the calls made for batch {@code batchId}, in order. */
    List<String> callsOf(long batchId) {
        synchronized (calls) {
            return calls.stream().filter(c -> c.matches("\\w+ " + batchId + "( .*)?")).toList();
        }
    }
}
