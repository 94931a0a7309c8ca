package dev.sluice.streaming.scheduler;

/**
 * Whether a batch is running on the job thread, and how busy the stream has been lately, for
 * background work that should not compete with batches for the cores (the state checkpoint
 * writer, {@code StateCheckpointWriter#yieldWhile}).
 *
 * <p>{@link #yieldWanted} is true while a batch runs and the stream has slack: batches took at most
 * {@value #SLACK_BUSY_FRACTION} of the wall time lately (an average over about the last
 * {@code 1 / ALPHA} batches of each batch's time over the time from the previous batch's end to
 * its end). A saturated stream, whose batches run back to back, gets no yielding: the background
 * work then takes its share of the cores, as it did before, since waiting for a gap that never
 * comes would only make it lag.
 *
 * <p>Threading: {@link #started} and {@link #ended} run on the job thread; the rest may be called
 * from any thread.
 */
public final class BatchActivity {
    static final double SLACK_BUSY_FRACTION = 0.6;
    private static final double ALPHA = 0.2;

    private volatile boolean running;
    private volatile double busyFraction = 1.0; // no history: no slack assumed
    private long startNanos;
    private long lastEndNanos = -1;

    void started(long nanos) {
        startNanos = nanos;
        running = true;
    }

    void ended(long nanos) {
        running = false;
        if (lastEndNanos >= 0 && nanos > lastEndNanos) { // the first batch has no gap to measure
            double busy = Math.min(1.0, (nanos - startNanos) / (double) (nanos - lastEndNanos));
            busyFraction = ALPHA * busy + (1 - ALPHA) * busyFraction;
        }
        lastEndNanos = nanos;
    }

    /** Returns true if a batch is running. */
    public boolean running() {
        return running;
    }

    /** Returns the recent share of wall time the stream's batches took (0 to 1). */
    public double busyFraction() {
        return busyFraction;
    }

    /** Returns true if background work should wait: a batch is running and the stream has slack. */
    public boolean yieldWanted() {
        return running && busyFraction <= SLACK_BUSY_FRACTION;
    }
}
