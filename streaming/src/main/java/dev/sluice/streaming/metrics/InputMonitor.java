package dev.sluice.streaming.metrics;

import dev.sluice.streaming.ReceiverError;
import dev.sluice.streaming.ReceiverStatus;
import dev.sluice.streaming.input.ReceiverSupervisor;
import java.util.Optional;

/**
 * The figures of one input stream after the latest batch: records, rate, and for a receiver its
 * backpressure (time blocked, quota, estimated offered rate, consecutive throttled batches) and
 * its last error.
 *
 * <p>Why "offered rate" is an estimate: a blocked receiver does not read, so what the source
 * would have sent is unknowable; {@code records / (interval - blocked)} is the rate it took in
 * while it was reading, a lower bound of what the source offers when it was blocked at all.
 *
 * <p>Threading: {@link #afterBatch} runs on the generator thread; the fields are volatile and
 * read by HTTP threads and gauges.
 */
public final class InputMonitor {
    private final int streamId;
    private final String name;
    private final ReceiverSupervisor<?> supervisor;
    private volatile long lastRecords;
    private volatile double rate;
    private volatile double offeredRate;
    private volatile double blockedMs;
    private volatile long blockedNanosSeen;
    private volatile int throttledBatches;
    private volatile long lastErrorMillis = -1;
    private volatile String lastError;

    InputMonitor(int streamId, String name, ReceiverSupervisor<?> supervisor) {
        this.streamId = streamId;
        this.name = name;
        this.supervisor = supervisor;
    }

    /**
     * Takes in the records of one batch; returns true when this batch makes the receiver
     * throttled for exactly {@code warnAfter + 1} consecutive batches (time to warn, once).
     */
    boolean afterBatch(long records, double intervalSeconds, int warnAfter) {
        lastRecords = records;
        rate = records / intervalSeconds;
        if (supervisor == null) {
            offeredRate = rate;
            return false;
        }
        long blockedTotal = supervisor.blockedNanos();
        double blockedSeconds = Math.min(intervalSeconds, (blockedTotal - blockedNanosSeen) / 1e9);
        blockedNanosSeen = blockedTotal;
        blockedMs = blockedSeconds * 1000;
        long quota = supervisor.batchQuota();
        boolean throttled = blockedSeconds > 0 || (quota != Long.MAX_VALUE && records >= quota);
        double reading = Math.max(intervalSeconds - blockedSeconds, 0.001);
        offeredRate = blockedSeconds > 0 ? records / reading : rate;
        throttledBatches = throttled ? throttledBatches + 1 : 0;
        return throttledBatches == warnAfter + 1;
    }

    void onError(ReceiverError error, long nowMillis) {
        lastError = error.message() + error.cause().map(c -> " (" + c + ")").orElse("");
        lastErrorMillis = nowMillis;
    }

    /** Returns the input stream's id. */
    public int streamId() {
        return streamId;
    }

    /** Returns the input stream's name. */
    public String name() {
        return name;
    }

    /** Returns true if the input is a receiver (socket, custom). */
    public boolean isReceiver() {
        return supervisor != null;
    }

    /** Returns true unless the input is a receiver that is stopped. */
    public boolean isActive() {
        return supervisor == null || !supervisor.isStopped();
    }

    /** Returns the receiver's counters, if it is one. */
    public Optional<ReceiverStatus> receiverStatus() {
        return supervisor == null ? Optional.empty() : Optional.of(supervisor.status());
    }

    /** Returns the records waiting in the receiver's buffer for the next batch (0 for other inputs). */
    public long buffered() {
        return supervisor == null ? 0 : supervisor.buffered();
    }

    /** Returns the receiver's quota of records per batch, {@code Long.MAX_VALUE} if unlimited. */
    public long quota() {
        return supervisor == null ? Long.MAX_VALUE : supervisor.batchQuota();
    }

    /** Returns the records of the latest batch. */
    public long lastRecords() {
        return lastRecords;
    }

    /** Returns records per second of the latest batch. */
    public double rate() {
        return rate;
    }

    /** Returns the estimated rate the source offered during the latest batch (see the class notes). */
    public double offeredRate() {
        return offeredRate;
    }

    /** Returns the milliseconds the receiver spent blocked by backpressure during the latest batch. */
    public double blockedMs() {
        return blockedMs;
    }

    /** Returns how many batches in a row the receiver was throttled. */
    public int throttledBatches() {
        return throttledBatches;
    }

    /** Returns the receiver's last error and its clock time, if any. */
    public Optional<String> lastError() {
        return Optional.ofNullable(lastError);
    }

    /** Returns the clock time of the last error, or -1. */
    public long lastErrorMillis() {
        return lastErrorMillis;
    }
}
