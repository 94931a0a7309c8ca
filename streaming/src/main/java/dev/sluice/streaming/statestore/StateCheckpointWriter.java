package dev.sluice.streaming.statestore;

import dev.sluice.streaming.CheckpointInfo;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.statestore.StateCodec.KeyedState;
import dev.sluice.streaming.statestore.StateManifest.FileRef;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes state checkpoints in the background, from immutable snapshots the job thread hands over
 * after a batch, while the next batches run.
 *
 * <h2>Protocol</h2>
 * <ol>
 *   <li>The batch that reaches a checkpoint time only takes a snapshot: per partition, the
 *       finished {@code StateMap} chain (immutable once its batch ended) or the cached records,
 *       and {@link #submit}s it. A newer snapshot of an operator replaces one not yet started.</li>
 *   <li>This writer's thread writes every partition file (a delta of what changed since the
 *       previous checkpoint it committed, or a base), then the manifest under a temporary name,
 *       renamed into place: only then is the checkpoint complete ({@link #takeCommitted}).</li>
 *   <li>The job thread, after a later batch, takes the committed checkpoints, points the
 *       metadata checkpoint at their manifests, writes it, and calls {@link #referenced}: only
 *       then are the files no manifest newer than the metadata's needs deleted. A crash anywhere
 *       before leaves the metadata checkpoint naming the previous complete state checkpoint,
 *       whose files are still there.</li>
 * </ol>
 *
 * <h2>Base or delta, and the bound</h2>
 * A checkpoint is a delta when the operator's codec is incremental, a previous checkpoint of
 * this writer is committed, every partition still knows all its changes since it (no merge into
 * a root dropped a newer removal), fewer than {@value #MAX_DELTAS} deltas follow the base, and
 * the deltas' bytes, this one's included (it is encoded first), stay within {@value #DELTA_RATIO}
 * of the base's; otherwise it is a base, written from the in-memory snapshot in the background
 * (the compaction: the chain of files is replaced, no batch waits, no file is merged). So a
 * recovery reads at most {@code 1 + MAX_DELTAS} files per partition, and the live checkpoint
 * takes at most {@code 1 + DELTA_RATIO} = 1.5 times its base. While a new base is written and
 * until the metadata checkpoint refers to it, the previous chain stays too (a crash then resumes
 * from it): a transient peak of at most 2.5 times.
 *
 * <h2>Failures</h2>
 * A write that fails is retried ({@value #ATTEMPTS} attempts), then reported to the listener
 * with its error and given up; the next checkpoint tries again (its files replace leftovers of
 * the failed one, which no manifest names). No batch fails. When an operator has not completed a
 * checkpoint for longer than {@code stuckAfter}, one ERROR says so (once per episode, with how
 * long), and one INFO when checkpoints succeed again. "How long" is measured in batch time: from
 * the state time of the operator's last complete checkpoint (or of the first one tried) to the
 * batch time of the checkpoint that failed, or that was skipped because the writer was still
 * busy (a hanging file system). So it follows the stream's clock (a manual one in tests), and a
 * stream that stops submitting does not count as stuck.
 *
 * <p>Threading: {@link #submit}, {@link #takeCommitted}, {@link #referenced}, {@link #abandon}
 * and {@link #close} may be called from any thread; everything else runs on the writer thread.
 */
public final class StateCheckpointWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StateCheckpointWriter.class);
    static final int MAX_DELTAS = 8;
    static final double DELTA_RATIO = 0.5;
    static final int ATTEMPTS = 3;

    /**
     * Called on the writer thread after the first partition file of every state checkpoint is
     * written and before the rest: tests set it to crash there (the engine's own crash point is
     * the {@code midWrite} of the constructor). Arguments: uid, kind.
     */
    public static volatile java.util.function.BiConsumer<String, CheckpointInfo.Kind> testMidWriteHook;

    /** What the job thread hands over: one operator's state at one batch. */
    public record Snapshot(String uid, long time, StateCodec<?> codec, List<KeyedState> keyed, List<List<?>> records,
                           Object handle) {
        int partitions() {
            return keyed != null ? keyed.size() : records.size();
        }
    }

    /** A complete checkpoint: its manifest, where it is, and the snapshot's handle (the dataset). */
    public record Committed(StateManifest manifest, String uri, Object handle) {
    }

    private final StateFiles files;
    private final Consumer<CheckpointInfo> listener;
    private final Runnable midWrite;
    private final long stuckAfterMillis;
    private final long backoffMillis;
    private final Object lock = new Object();
    private final LinkedHashMap<String, Snapshot> pending = new LinkedHashMap<>();
    private final ArrayDeque<Committed> cleanups = new ArrayDeque<>();
    private final Map<String, Committed> committed = new HashMap<>();
    private final Thread thread;
    private volatile boolean abandoned;
    /** Run on the writer thread right after each commit (the checkpointer cuts the dataset's lineage there). */
    private volatile Consumer<Committed> onCommit = c -> { };
    private final Set<String> failing = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private String writing;
    private boolean closed;
    private boolean busy;

    // written by the writer thread only (and by seed, before any submit)
    private final Map<String, Chain> chains = new java.util.concurrent.ConcurrentHashMap<>();
    /** Per operator: the state time of its last complete checkpoint, or of the first one tried. */
    private final Map<String, Long> lastSuccess = new java.util.concurrent.ConcurrentHashMap<>();
    private final Set<String> stuckLogged = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicInteger stuckReports = new java.util.concurrent.atomic.AtomicInteger();

    /** The chain of files the next delta of an operator extends. */
    private record Chain(StateManifest last, long baseBytes, long deltaBytes, int deltas) {
    }

    /**
     * Starts the writer thread.
     *
     * @param listener   told of every checkpoint write that ended, on the writer thread
     * @param midWrite   run after some but not all files of each checkpoint are written (the crash point)
     * @param stuckAfter how long an operator may go without a complete checkpoint before the ERROR
     */
    public StateCheckpointWriter(StateFiles files, Consumer<CheckpointInfo> listener, Runnable midWrite,
                                 Duration stuckAfter) {
        this(files, listener, midWrite, stuckAfter, Duration.ofMillis(200));
    }

    /**
     * Starts the writer thread; {@code backoff} is the wait before the first retry of a failed
     * write (multiplied by 4 before each further one; zero in tests, where it only slows).
     */
    public StateCheckpointWriter(StateFiles files, Consumer<CheckpointInfo> listener, Runnable midWrite,
                                 Duration stuckAfter, Duration backoff) {
        this.files = files;
        this.listener = listener;
        this.midWrite = midWrite;
        this.stuckAfterMillis = stuckAfter.toMillis();
        this.backoffMillis = backoff.toMillis();
        this.thread = new Thread(this::run, "sluice-state-checkpoint");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Continues the chain of a checkpoint recovery restored: the next checkpoint of {@code uid}
     * may be a delta on it. Before the first {@link #submit} of that uid.
     */
    public void seed(StateManifest manifest, String uri) {
        long base = 0;
        long deltas = 0;
        int maxDeltas = 0;
        for (List<FileRef> chain : manifest.partitions()) {
            base += chain.get(0).length();
            for (int i = 1; i < chain.size(); i++) {
                deltas += chain.get(i).length();
            }
            maxDeltas = Math.max(maxDeltas, chain.size() - 1);
        }
        chains.put(manifest.uid(), new Chain(manifest, base, deltas, maxDeltas));
    }

    /** Sets what runs on the writer thread right after each commit. */
    public void onCommit(Consumer<Committed> action) {
        this.onCommit = action;
    }

    /** Hands a snapshot over; replaces a snapshot of the same operator not started yet. */
    public void submit(Snapshot snapshot) {
        synchronized (lock) {
            if (closed || abandoned) {
                return;
            }
            Snapshot replaced = pending.remove(snapshot.uid());
            Long success = lastSuccess.get(snapshot.uid());
            if (replaced != null && success != null && snapshot.time() - success > stuckAfterMillis
                    && stuckLogged.add(snapshot.uid())) {
                stuckReports.incrementAndGet();
                log.error("state checkpoints of '{}' have not completed for {} s of batch time: the writer is still "
                        + "busy with an older one (the file system is slow or hangs); a crash now resumes from an old "
                        + "checkpoint and recomputes everything since", snapshot.uid(),
                        (snapshot.time() - success) / 1000);
            }
            if (replaced != null) {
                log.debug("state checkpoint of '{}' at {} ms skipped: the writer is still busy; {} ms replaces it",
                        snapshot.uid(), replaced.time(), snapshot.time());
            }
            pending.put(snapshot.uid(), snapshot);
            lock.notifyAll();
        }
    }

    /**
     * Waits (at most {@code timeout}) until a checkpoint of {@code uid} newer than {@code time} is
     * committed, while the writer is making progress on it; returns at once if its last write
     * failed (a failing file system must not stall the stream) or nothing of it is in flight.
     */
    public void awaitCommitNewerThan(String uid, long time, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (!abandoned && !closed && !failing.contains(uid)
                    && (committed.get(uid) == null || committed.get(uid).manifest().stateTime() <= time)
                    && (pending.containsKey(uid) || uid.equals(writing))) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                lock.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    /** Returns how many times the "not completed for too long" ERROR was logged (once per episode and operator). */
    public int stuckReports() {
        return stuckReports.get();
    }

    /** Returns and forgets the newest complete checkpoint of each operator committed since the last call. */
    public Map<String, Committed> takeCommitted() {
        synchronized (lock) {
            Map<String, Committed> out = Map.copyOf(committed);
            committed.clear();
            return out;
        }
    }

    /**
     * Says the metadata checkpoint now refers to {@code c}: the files of older checkpoints of its
     * operator that it does not name are deleted (in the background).
     */
    public void referenced(Committed c) {
        synchronized (lock) {
            if (!closed && !abandoned) {
                cleanups.add(c);
                lock.notifyAll();
            }
        }
    }

    /** Waits until nothing is pending or being written (for tests and benchmarks); false on timeout. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (busy || !pending.isEmpty() || !cleanups.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed || abandoned) {
                    return false;
                }
                lock.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    /** Stops at once, as a crash would: no file is written after the one in progress. */
    public void abandon() {
        abandoned = true;
        synchronized (lock) {
            pending.clear();
            cleanups.clear();
            lock.notifyAll();
        }
    }

    /** Lets the checkpoint being written finish (bounded), drops the pending ones, stops the thread. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            pending.clear();
            lock.notifyAll();
        }
        try {
            thread.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- writer thread

    private void run() {
        while (true) {
            Snapshot next = null;
            Committed cleanup = null;
            synchronized (lock) {
                busy = false;
                writing = null;
                lock.notifyAll();
                while (!abandoned && !closed && pending.isEmpty() && cleanups.isEmpty()) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (abandoned || closed) {
                    return;
                }
                if (!cleanups.isEmpty()) {
                    cleanup = cleanups.poll();
                } else {
                    Map.Entry<String, Snapshot> first = pending.entrySet().iterator().next();
                    pending.remove(first.getKey());
                    next = first.getValue();
                    writing = next.uid();
                }
                busy = true;
            }
            if (cleanup != null) {
                deleteOlderThan(cleanup.manifest());
            } else {
                writeWithRetries(next);
            }
        }
    }

    private void writeWithRetries(Snapshot s) {
        long start = System.nanoTime();
        lastSuccess.putIfAbsent(s.uid(), s.time());
        Throwable failure = null;
        for (int attempt = 1; attempt <= ATTEMPTS && !abandoned; attempt++) {
            try {
                CheckpointInfo info = write(s, start);
                if (info == null) {
                    return; // abandoned mid-write
                }
                if (stuckLogged.remove(s.uid())) {
                    log.info("state checkpoints of '{}' succeed again (batch {} ms)", s.uid(), s.time());
                }
                lastSuccess.put(s.uid(), s.time());
                failing.remove(s.uid());
                listener.accept(info);
                return;
            } catch (IOException | RuntimeException e) {
                failure = e;
                log.warn("state checkpoint of '{}' at {} ms, attempt {} of {} failed: {}", s.uid(), s.time(), attempt,
                        ATTEMPTS, e.toString());
                if (attempt < ATTEMPTS) {
                    try {
                        Thread.sleep(backoffMillis << (2 * (attempt - 1))); // before a retry; decides nothing else
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
        if (abandoned || failure == null) {
            return;
        }
        failing.add(s.uid());
        Chain c = chains.get(s.uid());
        CheckpointInfo.Kind kind = c == null || !s.codec().incremental() ? CheckpointInfo.Kind.STATE_BASE
                : CheckpointInfo.Kind.STATE_DELTA;
        listener.accept(new CheckpointInfo(kind, s.uid(), new Time(s.time()), 0, 0, 0,
                Duration.ofNanos(System.nanoTime() - start), Optional.of(failure)));
        long since = s.time() - lastSuccess.get(s.uid());
        if (since > stuckAfterMillis && stuckLogged.add(s.uid())) {
            stuckReports.incrementAndGet();
            log.error("state checkpoints of '{}' have failed for {} s of batch time (last failure at batch {} ms: {}); "
                    + "a crash now resumes from an older checkpoint and recomputes everything since; check the "
                    + "checkpoint directory's file system", s.uid(), since / 1000, s.time(), failure.toString(),
                    failure);
        }
    }

    /** Writes one checkpoint; returns what to report, or null if abandoned on the way. */
    private CheckpointInfo write(Snapshot s, long start) throws IOException {
        Chain chain = chains.get(s.uid());
        boolean base = !s.codec().incremental() || chain == null || chain.deltas() >= MAX_DELTAS
                || chain.deltaBytes() > DELTA_RATIO * chain.baseBytes()
                || chain.last().partitions().size() != s.partitions();
        if (!base) {
            for (KeyedState k : s.keyed()) {
                if (!k.hasChangesSince(chain.last().stateTime())) {
                    base = true;
                    break;
                }
            }
        }
        // A delta is encoded first: if the chain's deltas would then outgrow the bound, a base is written instead.
        List<StateFiles.Encoded> deltas = null;
        if (!base) {
            deltas = new ArrayList<>(s.partitions());
            long deltaBytes = 0;
            for (KeyedState k : s.keyed()) {
                StateFiles.Encoded e = encode(k, StateFiles.DELTA, s.time(), chain.last().stateTime());
                deltas.add(e);
                deltaBytes += e.bytes().length;
            }
            if (chain.deltaBytes() + deltaBytes > DELTA_RATIO * chain.baseBytes()) {
                base = true;
                deltas = null;
            }
        }
        CheckpointInfo.Kind kind = base ? CheckpointInfo.Kind.STATE_BASE : CheckpointInfo.Kind.STATE_DELTA;
        List<List<FileRef>> partitions = new ArrayList<>(s.partitions());
        long bytes = 0;
        long keys = 0;
        for (int p = 0; p < s.partitions(); p++) {
            if (abandoned) {
                return null;
            }
            StateFiles.Written e;
            byte fileKind = !s.codec().incremental() ? StateFiles.RECORDS : base ? StateFiles.BASE : StateFiles.DELTA;
            String name = StateFiles.partitionFileName(p, s.time(), fileKind);
            if (fileKind == StateFiles.RECORDS) {
                StateFiles.Encoded encoded = files.encodeRecords(s.time(), s.records().get(p));
                e = files.write(s.uid(), name, encoded);
            } else if (base) {
                // Streamed to the file as it is encoded (CRC on the way): no full copy of the state in memory.
                Entries entries = entries(s.keyed().get(p), fileKind, Long.MIN_VALUE);
                e = files.writeEntries(s.uid(), name, fileKind, s.time(), Long.MIN_VALUE, entries.keys,
                        entries.states, entries.times, entries.count);
            } else {
                e = files.write(s.uid(), name, deltas.set(p, null));
            }
            bytes += e.length();
            keys += e.keys();
            List<FileRef> chainFiles = base ? new ArrayList<>() : new ArrayList<>(chain.last().partitions().get(p));
            chainFiles.add(new FileRef(name, e.length(), e.crc(), base, e.keys()));
            partitions.add(chainFiles);
            if (p == 0) {
                midWrite.run();
                java.util.function.BiConsumer<String, CheckpointInfo.Kind> hook = testMidWriteHook;
                if (hook != null) {
                    hook.accept(s.uid(), kind);
                }
            }
        }
        if (abandoned) {
            return null;
        }
        StateManifest manifest = new StateManifest(s.uid(), s.time(), base, partitions);
        String uri = files.commit(manifest);
        chains.put(s.uid(), base ? new Chain(manifest, bytes, 0, 0)
                : new Chain(manifest, chain.baseBytes(), chain.deltaBytes() + bytes, chain.deltas() + 1));
        Committed done = new Committed(manifest, uri, s.handle());
        try {
            onCommit.accept(done);
        } catch (RuntimeException e) {
            log.warn("state checkpoint of '{}' at {} ms: could not cut its lineage: {}", s.uid(), s.time(), e.toString());
        }
        synchronized (lock) {
            if (!abandoned) {
                committed.put(s.uid(), done);
                lock.notifyAll();
            }
        }
        log.debug("state checkpoint of '{}' at {} ms: {} of {} keys, {} bytes", s.uid(), s.time(), kind, keys, bytes);
        return new CheckpointInfo(kind, s.uid(), new Time(s.time()), bytes, s.partitions() + 1, keys,
                Duration.ofNanos(System.nanoTime() - start), Optional.empty());
    }

    private StateFiles.Encoded encode(KeyedState state, byte kind, long time, long since) {
        Entries entries = entries(state, kind, since);
        return files.encodeEntries(kind, time, since, entries.keys, entries.states, entries.times, entries.count);
    }

    private static Entries entries(KeyedState state, byte kind, long since) {
        int expected = (int) Math.min(Integer.MAX_VALUE - 8, kind == StateFiles.BASE ? state.size() : 1024);
        Entries entries = new Entries(Math.max(16, expected));
        if (kind == StateFiles.BASE) {
            state.forEachEntry(entries::add);
        } else {
            state.forEachChangeSince(since, entries::add);
        }
        return entries;
    }

    /** Growable parallel arrays of entries. */
    private static final class Entries {
        Object[] keys;
        Object[] states;
        long[] times;
        int count;

        Entries(int capacity) {
            keys = new Object[capacity];
            states = new Object[capacity];
            times = new long[capacity];
        }

        void add(Object key, Object state, long time) {
            if (count == keys.length) {
                int n = keys.length * 2;
                keys = java.util.Arrays.copyOf(keys, n);
                states = java.util.Arrays.copyOf(states, n);
                times = java.util.Arrays.copyOf(times, n);
            }
            keys[count] = key;
            states[count] = state;
            times[count] = time;
            count++;
        }
    }

    /** Deletes the files of {@code manifest}'s operator older than it that it does not name. */
    private void deleteOlderThan(StateManifest manifest) {
        try {
            deleteUnreferenced(files, manifest, manifest.stateTime());
        } catch (IOException e) {
            log.warn("could not delete old state checkpoint files of '{}': {}", manifest.uid(), e.toString());
        }
    }

    /**
     * Deletes {@code manifest}'s operator's files with a time up to {@code upTo} that it does not
     * name (other manifests, bases and deltas of older chains, leftovers of failed writes).
     */
    public static List<String> deleteUnreferenced(StateFiles files, StateManifest manifest, long upTo)
            throws IOException {
        Set<String> keep = new HashSet<>();
        keep.add(StateFiles.manifestName(manifest.stateTime()));
        for (List<FileRef> chain : manifest.partitions()) {
            for (FileRef f : chain) {
                keep.add(f.name());
            }
        }
        List<String> deleted = new ArrayList<>();
        for (String name : files.list(manifest.uid())) {
            long t = StateFiles.timeOf(name.startsWith(".") ? name.substring(1) : name);
            if (!keep.contains(name) && t >= 0 && t <= upTo) {
                files.delete(manifest.uid(), name);
                deleted.add(name);
            }
        }
        return deleted;
    }
}
