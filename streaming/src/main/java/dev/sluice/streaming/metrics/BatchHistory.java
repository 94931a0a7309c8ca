package dev.sluice.streaming.metrics;

import static com.google.common.base.Preconditions.checkArgument;

import dev.sluice.streaming.BatchInfo;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The last {@code retained} completed batches and every batch not yet completed, for the UI and
 * the JSON API; plus running totals over the whole run. Memory is bounded by {@code retained}
 * (each entry holds counts, delays and at most {@link #MAX_ERROR_CHARS} of error text) and by the
 * batches in flight, which the engine holds anyway.
 *
 * <p>Threading: written by the generator and job threads, read by HTTP threads; one lock.
 */
public final class BatchHistory {
    /** A failed batch keeps this much of its error's text. */
    static final int MAX_ERROR_CHARS = 4_000;

    private final int retained;
    private final ArrayDeque<BatchRecord> completed;
    private final TreeMap<Long, BatchRecord> pending = new TreeMap<>();
    private long totalCompleted;
    private long totalFailed;
    private long totalRecords;

    /** Creates a history keeping the last {@code retained} completed batches. */
    public BatchHistory(int retained) {
        checkArgument(retained > 0, "retainedBatches must be > 0, got %s", retained);
        this.retained = retained;
        this.completed = new ArrayDeque<>(Math.min(retained, 1024));
    }

    synchronized void submitted(long time, long records, Map<Integer, Long> byStream, long submissionMillis,
                                long oldestRecordMillis) {
        pending.put(time, new BatchRecord(time, records, byStream, submissionMillis, BatchRecord.Status.QUEUED, -1, -1,
                -1, 0, Optional.empty(), oldestRecordMillis, List.of()));
    }

    synchronized void started(long time) {
        BatchRecord r = pending.get(time);
        if (r != null) {
            pending.put(time, r.withStatus(BatchRecord.Status.PROCESSING));
        }
    }

    synchronized BatchRecord completed(BatchInfo info, List<StageRecord> stages) {
        long time = info.batchTime().millis();
        BatchRecord before = pending.remove(time);
        BatchRecord done = new BatchRecord(time, info.numInputRecords(), before == null ? Map.of() : before.inputByStream(),
                info.submissionMillis(), info.succeeded() ? BatchRecord.Status.COMPLETED : BatchRecord.Status.FAILED,
                millis(info.schedulingDelay()), millis(info.processingTime()), millis(info.totalDelay()), info.numJobs(),
                info.failure().map(BatchHistory::describe), before == null ? -1 : before.oldestRecordMillis(), stages);
        if (completed.size() == retained) {
            completed.removeFirst();
        }
        completed.addLast(done);
        totalCompleted++;
        totalRecords += info.numInputRecords();
        if (!info.succeeded()) {
            totalFailed++;
        }
        return done;
    }

    private static double millis(java.time.Duration d) {
        return d.toNanos() / 1e6;
    }

    /** The failure's class and message, then each cause's, cut to {@link #MAX_ERROR_CHARS}. */
    static String describe(Throwable failure) {
        StringBuilder text = new StringBuilder(failure.toString());
        for (Throwable c = failure.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            text.append("\ncaused by: ").append(c);
        }
        return text.length() <= MAX_ERROR_CHARS ? text.toString() : text.substring(0, MAX_ERROR_CHARS) + "…";
    }

    /** Returns the retained completed batches, oldest first. */
    public synchronized List<BatchRecord> retained() {
        return new ArrayList<>(completed);
    }

    /** Returns the batches queued or running, oldest first. */
    public synchronized List<BatchRecord> pending() {
        return new ArrayList<>(pending.values());
    }

    /** Returns the batch of {@code time}, completed (if still retained) or pending. */
    public synchronized Optional<BatchRecord> find(long time) {
        BatchRecord p = pending.get(time);
        if (p != null) {
            return Optional.of(p);
        }
        for (BatchRecord r : completed) {
            if (r.batchTime() == time) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** Returns the input records of batches submitted and not yet completed. */
    public synchronized long pendingRecords() {
        long n = 0;
        for (BatchRecord r : pending.values()) {
            n += r.inputRecords();
        }
        return n;
    }

    /** Returns the time of the oldest batch not yet completed. */
    public synchronized Optional<Long> oldestPending() {
        return pending.isEmpty() ? Optional.empty() : Optional.of(pending.firstKey());
    }

    /** Returns the number of batches completed since start (retained or not). */
    public synchronized long totalCompleted() {
        return totalCompleted;
    }

    /** Returns the number of failed batches since start. */
    public synchronized long totalFailed() {
        return totalFailed;
    }

    /** Returns the input records of every completed batch since start. */
    public synchronized long totalRecords() {
        return totalRecords;
    }

    /** Returns how many completed batches are kept. */
    public int capacity() {
        return retained;
    }
}
