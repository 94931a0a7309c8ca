package dev.sluice.streaming.input;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.core.spi.InputBlock;
import dev.sluice.streaming.Receiver;
import dev.sluice.streaming.ReceiverError;
import dev.sluice.streaming.ReceiverStatus;
import dev.sluice.streaming.wal.ReceivedBlockHandle;
import dev.sluice.streaming.wal.WalBlockHandler;
import dev.sluice.streaming.wal.WalPosition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one receiver: starts it on a thread of its own (never a worker thread, so a receiver
 * does not take a core from the jobs), buffers what it stores until the tracker drains it at
 * the next batch time, and restarts it with exponential back-off when it asks to be restarted.
 *
 * <p>Threading: {@code store} is called by the receiver's threads, {@code drain} by the
 * generator thread; the buffer is guarded by its own lock, held only to add or swap. Starts,
 * stops and restarts run on the supervisor's single thread, one at a time.
 */
public final class ReceiverSupervisor<T> {
    private static final Logger log = LoggerFactory.getLogger(ReceiverSupervisor.class);

    private final Receiver<T> receiver;
    private final int streamId;
    private final Consumer<ReceiverError> errors;
    private final Duration initialDelay;
    private final Duration maxDelay;
    private final ScheduledExecutorService thread;
    private final Object lock = new Object();
    private List<T> buffer = new ArrayList<>();
    private final AtomicLong stored = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong errorCount = new AtomicLong();
    private final AtomicLong restarts = new AtomicLong();
    /** Nanoseconds {@code store} spent blocked by backpressure (gate or quota); read by the metrics. */
    private final AtomicLong blockedNanos = new AtomicLong();
    private volatile long nextDelayMillis;
    /** At most this many records wait for the next batch; set by backpressure. */
    private volatile long batchQuota = Long.MAX_VALUE;
    private volatile long maxQuota = Long.MAX_VALUE;
    private volatile ReceiverGate gate = new ReceiverGate();
    private volatile boolean stopped = true;
    /** Set (under {@code lock}) by a graceful stop before its last drain: later stores are refused. */
    private boolean sealed;
    /** With the write-ahead log: logs one {@code store} call's records as a block, durably. */
    private volatile Function<List<T>, ReceivedBlockHandle> durableStore;
    /** With the log: blocks logged and not yet drained, in the order they were added (under {@code lock}). */
    private List<ReceivedBlockHandle> logged = new ArrayList<>();
    private long loggedRecords;
    /** The context's clock, read once per batch (when a store finds nothing waiting); null: no store times. */
    private volatile LongSupplier clock;
    /** Clock time of the first record stored since the last drain of memory or log, -1 if none (under {@code lock}). */
    private long bufferSince = -1;
    private long loggedSince = -1;
    /** The oldest store time of what the last drains took, until {@link #takeOldestDrained} (under {@code lock}). */
    private long drainedOldest = -1;
    /** Held (read) by a logged store from its seal check to its add, so a seal waits for it (write). */
    private final ReentrantReadWriteLock storing = new ReentrantReadWriteLock();

    /** Creates the supervisor of {@code receiver} for stream {@code streamId}. */
    public ReceiverSupervisor(Receiver<T> receiver, int streamId, Consumer<ReceiverError> errors,
                              Duration initialDelay, Duration maxDelay) {
        this.receiver = checkNotNull(receiver, "receiver");
        this.streamId = streamId;
        this.errors = errors;
        this.initialDelay = initialDelay;
        this.maxDelay = maxDelay;
        this.nextDelayMillis = initialDelay.toMillis();
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "sluice-receiver-" + streamId + "-" + receiver.name());
            t.setDaemon(true);
            return t;
        });
        // A restart still waiting out its back-off when we stop must be dropped, not waited for.
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.thread = executor;
    }

    /** Starts the receiver on its thread. */
    public void start() {
        stopped = false;
        thread.execute(this::startReceiver);
        log.info("receiver {} of stream {} starting", receiver.name(), streamId);
    }

    private void startReceiver() {
        if (stopped) {
            return;
        }
        try {
            receiver.onStart();
        } catch (RuntimeException e) {
            restart("onStart failed: " + e.getMessage(), e);
        }
    }

    /** Stops the receiver and waits (bounded) for its thread to finish. */
    public void stop() {
        stopped = true;
        thread.execute(this::stopReceiver);
        thread.shutdown();
        try {
            if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("receiver {} of stream {} did not stop within 10 s", receiver.name(), streamId);
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("receiver {} of stream {} stopped", receiver.name(), streamId);
    }

    private void stopReceiver() {
        try {
            receiver.onStop();
        } catch (RuntimeException e) {
            log.warn("receiver {} of stream {} failed in onStop", receiver.name(), streamId, e);
        }
    }

    /** Returns true once stopped (or not yet started). */
    public boolean isStopped() {
        return stopped;
    }

    /**
     * Sets the most records one batch takes from this receiver: {@link #store} blocks the
     * receiver's thread while that many wait for the next batch, which slows the source (a
     * socket's sender, through TCP). Never above the configured maximum.
     */
    public void setBatchQuota(long records) {
        batchQuota = Math.max(1, Math.min(records, maxQuota));
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    /** Sets the configured maximum records per batch ({@code Long.MAX_VALUE} for none) and applies it. */
    public void setMaxBatchQuota(long records) {
        maxQuota = records;
        setBatchQuota(Math.min(batchQuota, records));
    }

    /** Returns the current quota of records per batch, {@code Long.MAX_VALUE} if none. */
    public long batchQuota() {
        return batchQuota;
    }

    /** Makes {@link #store} wait on {@code shared} (the tracker's gate, closed by backpressure). */
    void useGate(ReceiverGate shared) {
        this.gate = shared;
    }

    /**
     * Makes every later {@code store} log its records as one block through {@code store} before it
     * returns (the tracker's write-ahead log), instead of buffering them in memory.
     */
    public void useDurableStore(Function<List<T>, ReceivedBlockHandle> store) {
        this.durableStore = checkNotNull(store, "store");
    }

    /** Waits (holding {@code lock}, which waiting releases) until {@code n} more records fit the quota. */
    private void awaitRoom(int n) {
        if (waiting() == 0 || waiting() + n <= batchQuota) {
            return; // the common case reads no clock
        }
        long start = System.nanoTime();
        while (waiting() > 0 && waiting() + n > batchQuota && !stopped) {
            try {
                lock.wait(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        blockedNanos.addAndGet(System.nanoTime() - start);
    }

    /** Returns the nanoseconds {@code store} has spent blocked by backpressure so far (gate and quota). */
    public long blockedNanos() {
        return blockedNanos.get();
    }

    /** Returns how many records wait for the next batch right now (in memory or logged). */
    public int buffered() {
        synchronized (lock) {
            return (int) Math.min(Integer.MAX_VALUE, waiting());
        }
    }

    /** Records waiting for the next batch, in memory or logged (holding {@code lock}). */
    private long waiting() {
        return buffer.size() + loggedRecords;
    }

    /** Buffers one record for the next batch (waiting first if backpressure says so). */
    public void store(T record) {
        checkNotNull(record, "record: receivers cannot store null");
        if (durableStore != null) {
            store(List.of(record));
            return;
        }
        long waited = gate.awaitOpen(this::isStopped);
        if (waited > 0) {
            blockedNanos.addAndGet(waited);
        }
        synchronized (lock) {
            awaitRoom(1);
            checkNotSealed();
            if (buffer.isEmpty()) {
                bufferSince = now();
            }
            buffer.add(record);
        }
        stored.incrementAndGet();
        nextDelayMillis = initialDelay.toMillis();
    }

    /** Buffers records for the next batch. */
    public void store(List<T> records) {
        for (T r : records) {
            checkNotNull(r, "records: receivers cannot store null");
        }
        long waited = gate.awaitOpen(this::isStopped);
        if (waited > 0) {
            blockedNanos.addAndGet(waited);
        }
        Function<List<T>, ReceivedBlockHandle> durable = durableStore;
        if (durable != null) {
            storeLogged(durable, records);
            return;
        }
        synchronized (lock) {
            awaitRoom(records.size());
            checkNotSealed();
            if (buffer.isEmpty() && !records.isEmpty()) {
                bufferSince = now();
            }
            buffer.addAll(records);
        }
        stored.addAndGet(records.size());
        nextDelayMillis = initialDelay.toMillis();
    }

    private void storeLogged(Function<List<T>, ReceivedBlockHandle> durable, List<T> records) {
        if (records.isEmpty()) {
            return;
        }
        synchronized (lock) {
            awaitRoom(records.size());
        }
        storing.readLock().lock();
        try {
            synchronized (lock) {
                checkNotSealed();
            }
            ReceivedBlockHandle handle = durable.apply(new ArrayList<>(records));
            synchronized (lock) {
                if (logged.isEmpty()) {
                    loggedSince = now();
                }
                logged.add(handle);
                loggedRecords += handle.records();
            }
        } finally {
            storing.readLock().unlock();
        }
        stored.addAndGet(records.size());
        nextDelayMillis = initialDelay.toMillis();
    }

    /** Returns and clears the logged blocks not yet drained (the write-ahead log's counterpart of {@link #drain}). */
    public List<ReceivedBlockHandle> drainLogged() {
        synchronized (lock) {
            if (logged.isEmpty()) {
                return List.of();
            }
            List<ReceivedBlockHandle> out = logged;
            logged = new ArrayList<>();
            loggedRecords = 0;
            drainedOldest = oldest(drainedOldest, loggedSince);
            loggedSince = -1;
            lock.notifyAll();
            return out;
        }
    }

    /** Returns the log position of the oldest logged block not yet drained, or null if none. */
    public WalPosition firstLoggedPosition() {
        synchronized (lock) {
            WalPosition first = null;
            for (ReceivedBlockHandle h : logged) {
                if (h instanceof ReceivedBlockHandle.Logged l && (first == null || l.position().compareTo(first) < 0)) {
                    first = l.position();
                }
            }
            return first;
        }
    }

    /**
     * Puts blocks a crashed run logged but never allocated back in front of what is stored next
     * (recovery, before start): they go to the next batch. {@code restore} puts each in memory.
     */
    public void restoreLogged(List<WalBlockHandler.RecoveredBlock> blocks, BiConsumer<InputBlock, List<?>> restore) {
        synchronized (lock) {
            List<ReceivedBlockHandle> restored = new ArrayList<>();
            for (WalBlockHandler.RecoveredBlock b : blocks) {
                restore.accept(b.handle().id(), b.records());
                restored.add(b.handle());
                loggedRecords += b.handle().records();
            }
            restored.addAll(logged);
            logged = restored;
        }
    }

    private void checkNotSealed() {
        if (sealed) {
            throw new IllegalStateException("receiver " + receiver.name() + " of stream " + streamId
                    + " is stopped; the record was not stored (stop storing once isStopped() is true)");
        }
    }

    /**
     * Refuses every later {@code store} (a graceful stop calls it after stopping the receiver and
     * before its last drain, so a record is either in that drain or refused, never counted and lost).
     */
    public void seal() {
        storing.writeLock().lock();
        try {
            synchronized (lock) {
                sealed = true;
                lock.notifyAll();
            }
        } finally {
            storing.writeLock().unlock();
        }
    }

    /** Makes every store into an empty buffer note the time on {@code millis} (the context's clock). */
    public void useClock(LongSupplier millis) {
        this.clock = checkNotNull(millis, "millis");
    }

    /**
     * Returns the clock time at which the oldest record the drains since the previous call took
     * was stored (-1 if they took none, or no clock is set), and forgets it: the generator asks
     * once per batch, right after the tracker drained this receiver for it.
     */
    public long takeOldestDrained() {
        synchronized (lock) {
            long t = drainedOldest;
            drainedOldest = -1;
            return t;
        }
    }

    private long now() {
        LongSupplier c = clock;
        return c == null ? -1 : c.getAsLong();
    }

    private static long oldest(long a, long b) {
        return a < 0 ? b : b < 0 ? a : Math.min(a, b);
    }

    /** Returns and clears everything stored since the last drain. */
    public List<T> drain() {
        synchronized (lock) {
            if (buffer.isEmpty()) {
                return List.of();
            }
            List<T> out = buffer;
            buffer = new ArrayList<>(Math.max(16, out.size()));
            drainedOldest = oldest(drainedOldest, bufferSince);
            bufferSince = -1;
            lock.notifyAll();
            return out;
        }
    }

    /**
     * Counts a record the receiver dropped (malformed, oversized). Logged at WARN on the 1st,
     * 10th, 100th, ... drop, so a flood of bad input cannot flood the log.
     */
    public void recordDropped(String reason) {
        long n = dropped.incrementAndGet();
        if (Long.toString(n).matches("10*")) {
            log.warn("receiver {} of stream {} dropped {} record(s) so far; latest: {}", receiver.name(), streamId, n,
                    reason);
        }
    }

    /** Reports an error to the listeners without restarting. */
    public void reportError(String message, Throwable cause) {
        errorCount.incrementAndGet();
        // One line at WARN (a refused connection is retried every few seconds); the trace at DEBUG.
        log.warn("receiver {} of stream {}: {}", receiver.name(), streamId, message);
        if (cause != null) {
            log.debug("receiver {} of stream {}: cause of '{}'", receiver.name(), streamId, message, cause);
        }
        errors.accept(new ReceiverError(streamId, receiver.name(), message, Optional.ofNullable(cause)));
    }

    /** Reports the error, stops the receiver and starts it again after the back-off delay. */
    public void restart(String message, Throwable cause) {
        if (stopped) {
            return;
        }
        // Counted before it is reported, so a listener that sees the report sees the count.
        restarts.incrementAndGet();
        reportError(message, cause);
        long delay = nextDelayMillis;
        nextDelayMillis = Math.min(maxDelay.toMillis(), Math.max(1, delay * 2));
        try {
            thread.execute(this::stopReceiver);
            thread.schedule(this::startReceiver, delay, TimeUnit.MILLISECONDS);
            log.debug("receiver {} of stream {} restarting in {} ms", receiver.name(), streamId, delay);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // Stopping: nothing to restart.
        }
    }

    /** Returns the receiver's counters. */
    public ReceiverStatus status() {
        return new ReceiverStatus(streamId, receiver.name(), stored.get(), dropped.get(), errorCount.get(),
                restarts.get());
    }
}
