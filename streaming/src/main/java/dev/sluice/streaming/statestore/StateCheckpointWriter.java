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
 *   <li>This writer's thread writes each partition's file (a delta of what changed since the
 *       previous checkpoint it committed, or a base; none if the partition did not change), then
 *       the manifest under a temporary name, renamed into place: only then is the checkpoint
 *       complete ({@link #takeCommitted}).</li>
 *   <li>The job thread, after a later batch, takes the committed checkpoints, points the
 *       metadata checkpoint at their manifests, writes it, and calls {@link #referenced}: only
 *       then are the files no manifest newer than the metadata's needs deleted, by a cleaner
 *       thread of their own (so a long base being written does not keep old chains on disk). A
 *       crash anywhere before leaves the metadata checkpoint naming the previous complete state
 *       checkpoint, whose files are still there.</li>
 * </ol>
 *
 * <h2>Base or delta, per partition, and the bounds</h2>
 * The first checkpoint of a chain (no committed or restored one, a changed partition count, or a
 * records codec) writes a base of every partition. After it each partition decides on its own
 * ({@link RebasePolicy}): a delta, unless its chain is full ({@value #MAX_DELTAS} deltas, or this
 * delta, encoded first, would take its deltas past {@value #DELTA_RATIO} of its own base's
 * bytes) or its state lost a change (a merge into the root dropped a newer removal); and a few
 * half-full chains, at most {@code max(1, ceil(P / 4))}, are rebased early so that partitions
 * updated alike do not all rebase at the same checkpoint. A base is written from the in-memory
 * snapshot in the background (the compaction: that partition's chain is replaced, no batch
 * waits, no file is merged). So a recovery reads at most {@code 1 + MAX_DELTAS} files per
 * partition, each live chain takes at most {@code 1 + DELTA_RATIO} = 1.5 times its base, and the
 * transient peak while bases are written and the old chains wait for the metadata checkpoint is
 * at most 2 times the state when no more than the budget must be rebased at once
 * ({@link RebasePolicy} derives it). The manifest's {@code base} and the reported kind
 * {@code STATE_BASE} mean every partition was written as a base; {@link CheckpointInfo#basePartitions}
 * counts the partitions rebased.
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
 * and {@link #close} may be called from any thread; the deletions run on the cleaner thread;
 * everything else runs on the writer thread. One lock guards the queues of both.
 *
 * <p>Why one class: the queues, the lifecycle (close, abandon) and the stuck reporting are shared
 * by the job thread, the writer and the cleaner under that one lock; the decision what to write
 * is apart ({@link RebasePolicy}), and so are the file formats ({@link StateFiles}).
 */
public final class StateCheckpointWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StateCheckpointWriter.class);
    static final int MAX_DELTAS = RebasePolicy.MAX_DELTAS;
    static final double DELTA_RATIO = RebasePolicy.DELTA_RATIO;
    static final int ATTEMPTS = 3;
    static final long MAX_YIELD_MILLIS = 2_000;
    private volatile java.util.function.BooleanSupplier yieldWanted;
    private final java.util.concurrent.atomic.AtomicLong yieldedNanos = new java.util.concurrent.atomic.AtomicLong();
    /** Threads in {@link #awaitCommitNewerThan} or {@link #awaitIdle}: the writer does not yield while any waits. */
    private final java.util.concurrent.atomic.AtomicInteger waiters = new java.util.concurrent.atomic.AtomicInteger();
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

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
    private final Thread cleaner;
    private volatile boolean abandoned;
    /** Run on the writer thread right after each commit (the checkpointer cuts the dataset's lineage there). */
    private volatile Consumer<Committed> onCommit = c -> { };
    private final Set<String> failing = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private String writing;
    private boolean closed;
    private boolean busy;
    private boolean cleaning;

    // written by the writer thread only (and by seed, before any submit)
    /** Per operator: the manifest of its last committed (or restored) checkpoint, whose chains the next one extends. */
    private final Map<String, StateManifest> chains = new java.util.concurrent.ConcurrentHashMap<>();
    /** Per operator: the state time of its last complete checkpoint, or of the first one tried. */
    private final Map<String, Long> lastSuccess = new java.util.concurrent.ConcurrentHashMap<>();
    private final Set<String> stuckLogged = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicInteger stuckReports = new java.util.concurrent.atomic.AtomicInteger();

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
        this.cleaner = new Thread(this::runCleanups, "sluice-state-cleanup");
        cleaner.setDaemon(true);
        thread.start();
        cleaner.start();
    }

    /**
     * Continues the chain of a checkpoint recovery restored: the next checkpoint of {@code uid}
     * may be a delta on it. Before the first {@link #submit} of that uid.
     */
    public void seed(StateManifest manifest, String uri) {
        chains.put(manifest.uid(), manifest); // each partition's chain decides on its own (RebasePolicy)
    }

    /**
     * Makes the writer wait, between blocks of entries, while {@code yieldWanted} is true (a
     * batch runs and the stream has slack: {@code BatchActivity#yieldWanted}), so that on a
     * machine whose cores the batches use the checkpoint does not slow them; it waits at most
     * {@value #MAX_YIELD_MILLIS} ms at a time, and not at all while a newer snapshot is pending
     * (it is behind) or while a thread waits for it ({@link #awaitCommitNewerThan}: the batch
     * held back by the bounded-lag rule; {@link #awaitIdle}). Without it, or with {@code null},
     * the writer never waits.
     */
    public void yieldWhile(java.util.function.BooleanSupplier yieldWanted) {
        this.yieldWanted = yieldWanted;
    }

    /** Returns the time the writer spent waiting for running batches, in total. */
    public Duration yielded() {
        return Duration.ofNanos(yieldedNanos.get());
    }

    /** Writer thread, between blocks: waits while a batch runs and the stream has slack (see {@link #yieldWhile}). */
    private void pace() {
        java.util.function.BooleanSupplier wanted = yieldWanted;
        if (wanted == null || waiters.get() > 0 || !wanted.getAsBoolean() || abandoned) {
            return; // someone (the bounded-lag rule's batch, a close) waits for this write
        }
        synchronized (lock) {
            if (!pending.isEmpty() || closed) {
                return; // behind: a newer snapshot waits, so this one goes on at full speed
            }
        }
        yieldedNanos.addAndGet(YieldToBatches.waitWhile(
                () -> wanted.getAsBoolean() && waiters.get() == 0 && !abandoned, MAX_YIELD_MILLIS * 1_000_000L));
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
        waiters.incrementAndGet(); // the writer stops yielding to the batch that waits for it
        try {
            awaitCommit(uid, time, timeout);
        } finally {
            waiters.decrementAndGet();
        }
    }

    private void awaitCommit(String uid, long time, Duration timeout) throws InterruptedException {
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
        waiters.incrementAndGet();
        try {
            return awaitIdleFor(timeout);
        } finally {
            waiters.decrementAndGet();
        }
    }

    private boolean awaitIdleFor(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (busy || cleaning || !pending.isEmpty() || !cleanups.isEmpty()) {
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

    /**
     * Lets the checkpoint being written finish (bounded), drops the pending ones, deletes what the
     * checkpoints already referenced no longer need, stops the threads.
     */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            pending.clear();
            lock.notifyAll();
        }
        try {
            thread.join(Duration.ofSeconds(30).toMillis());
            cleaner.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- writer thread

    private void run() {
        while (true) {
            Snapshot next;
            synchronized (lock) {
                busy = false;
                writing = null;
                lock.notifyAll();
                while (!abandoned && !closed && pending.isEmpty()) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (abandoned || closed) {
                    return;
                }
                Map.Entry<String, Snapshot> first = pending.entrySet().iterator().next();
                pending.remove(first.getKey());
                next = first.getValue();
                writing = next.uid();
                busy = true;
            }
            writeWithRetries(next);
        }
    }

    /**
     * The cleaner thread: deletes what each referenced checkpoint no longer needs, at once rather
     * than after the write in progress. It never races the writer: it deletes only files of times
     * up to a committed checkpoint's, and the writer writes only newer ones.
     */
    private void runCleanups() {
        while (true) {
            Committed cleanup;
            synchronized (lock) {
                cleaning = false;
                lock.notifyAll();
                while (!abandoned && !closed && cleanups.isEmpty()) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (abandoned || cleanups.isEmpty()) {
                    return; // abandoned (a crash: nothing more happens), or closed with nothing left
                }
                cleanup = cleanups.poll();
                cleaning = true;
            }
            deleteOlderThan(cleanup.manifest());
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
        StateManifest c = chains.get(s.uid());
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
        long cpuStart = THREADS.getCurrentThreadCpuTime();
        long yieldedStart = yieldedNanos.get();
        StateManifest last = chains.get(s.uid());
        Plan plan = plan(s, last);
        int rebased = 0;
        for (boolean b : plan.base()) {
            rebased += b ? 1 : 0;
        }
        boolean allBases = rebased == s.partitions();
        CheckpointInfo.Kind kind = allBases ? CheckpointInfo.Kind.STATE_BASE : CheckpointInfo.Kind.STATE_DELTA;
        List<List<FileRef>> partitions = new ArrayList<>(s.partitions());
        long bytes = 0;
        long keys = 0;
        int written = 0;
        for (int p = 0; p < s.partitions(); p++) {
            if (abandoned) {
                return null;
            }
            StateFiles.Written e = writePartition(s, p, plan);
            List<FileRef> chainFiles = plan.base()[p] ? new ArrayList<>() : new ArrayList<>(last.partitions().get(p));
            if (e != null) {
                bytes += e.length();
                keys += e.keys();
                written++;
                chainFiles.add(new FileRef(plan.name(s, p), e.length(), e.crc(), plan.base()[p], e.keys()));
            }
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
        StateManifest manifest = new StateManifest(s.uid(), s.time(), allBases, partitions);
        String uri = files.commit(manifest);
        chains.put(s.uid(), manifest);
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
        if (log.isDebugEnabled()) { // the writer's CPU beside its wall time: a writer short of CPU, or slow at encoding
            log.debug("state checkpoint of '{}' at {} ms: {} of {} keys, {} bytes, {} of {} partitions rebased; {} ms, "
                    + "{} ms of the writer's CPU, {} ms waiting for running batches", s.uid(), s.time(), kind, keys,
                    bytes, rebased, s.partitions(), (System.nanoTime() - start) / 1_000_000,
                    (THREADS.getCurrentThreadCpuTime() - cpuStart) / 1_000_000,
                    (yieldedNanos.get() - yieldedStart) / 1_000_000);
        }
        return new CheckpointInfo(kind, s.uid(), new Time(s.time()), bytes, written + 1, keys,
                Duration.ofNanos(System.nanoTime() - start), Optional.empty(), rebased);
    }

    /**
     * What a checkpoint writes per partition: a base, or its delta (encoded; {@code null} when the
     * partition did not change, which keeps its chain as it is).
     */
    private record Plan(boolean[] base, List<StateFiles.Encoded> deltas, boolean records) {
        String name(Snapshot s, int p) {
            return StateFiles.partitionFileName(p, s.time(), records ? StateFiles.RECORDS
                    : base[p] ? StateFiles.BASE : StateFiles.DELTA);
        }
    }

    /**
     * Decides each partition's file ({@link RebasePolicy}): a base for every partition of the first
     * checkpoint of a chain (or of a records codec); otherwise the planned bases, and a delta,
     * encoded first, for each of the others, unless it would outgrow its chain's bound.
     */
    private Plan plan(Snapshot s, StateManifest last) {
        int n = s.partitions();
        boolean[] base = new boolean[n];
        List<StateFiles.Encoded> deltas = new ArrayList<>(java.util.Collections.nCopies(n, null));
        if (!s.codec().incremental() || last == null || last.partitions().size() != n) {
            java.util.Arrays.fill(base, true);
            return new Plan(base, deltas, !s.codec().incremental());
        }
        boolean[] must = new boolean[n];
        long[] deltaBytes = new long[n];
        for (int p = 0; p < n; p++) {
            List<FileRef> chain = last.partitions().get(p);
            KeyedState k = s.keyed().get(p);
            if (!k.hasChangesSince(last.stateTime()) || RebasePolicy.overflows(chain, 0)) {
                must[p] = true; // no delta to encode: it could not be kept
                continue;
            }
            StateFiles.Encoded e = encodeDelta(k, chain, s.time(), last.stateTime());
            if (e.keys() == 0) {
                continue; // nothing changed: the chain stays as it is, no file
            }
            must[p] = RebasePolicy.overflows(chain, e.length());
            deltaBytes[p] = e.length();
            deltas.set(p, must[p] ? null : e);
        }
        base = RebasePolicy.rebases(last.partitions(), must, deltaBytes);
        for (int p = 0; p < n; p++) {
            if (base[p]) {
                deltas.set(p, null);
            }
        }
        return new Plan(base, deltas, false);
    }

    /** Writes partition {@code p}'s file as planned; returns null if it keeps its chain unchanged. */
    private StateFiles.Written writePartition(Snapshot s, int p, Plan plan) throws IOException {
        String name = plan.name(s, p);
        if (plan.records()) {
            return files.write(s.uid(), name, files.encodeRecords(s.time(), s.records().get(p)));
        }
        if (plan.base()[p]) {
            // Streamed to the file as the state is visited (CRC on the way): no copy of the state in memory.
            KeyedState state = s.keyed().get(p);
            return files.writeEntries(this::pace, s.uid(), name, StateFiles.BASE, s.time(), Long.MIN_VALUE,
                    state.size(), state::forEachEntry);
        }
        StateFiles.Encoded delta = plan.deltas().set(p, null);
        return delta == null ? null : files.write(s.uid(), name, delta);
    }

    /**
     * Encodes the changes of {@code state} since {@code since} in memory (their sizes decide the
     * plan), the buffer sized from the chain's newest file: a delta of a large state runs to tens
     * of megabytes, and grown by doubling from a guess its buffer was allocated about twice over,
     * a humongous array under G1 each time.
     */
    private StateFiles.Encoded encodeDelta(KeyedState state, List<FileRef> chain, long time, long since) {
        FileRef newest = chain.get(chain.size() - 1);
        long expected = newest.base() ? 1024 : newest.keys() + newest.keys() / 4 + 1024;
        // The newest file's bytes per entry, its 8-byte times left out, with a margin.
        int perEntry = newest.keys() == 0 ? 24 : (int) Math.min(1 << 16, newest.length() / newest.keys() - 8 + 4);
        return files.encodeEntries(this::pace, StateFiles.DELTA, time, since, expected, perEntry,
                visitor -> state.forEachChangeSince(since, visitor));
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
