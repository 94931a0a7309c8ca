package dev.sluice.streaming.dstream;

/**
 * An input that takes in at most a quota of records per batch, which the engine's backpressure
 * ({@code scheduler.RateController}) cuts when batches take longer than the interval and lets grow
 * back when they are small; receivers have the same quota through their supervisors. An input
 * that starts unlimited ({@link Long#MAX_VALUE}) stays so until a batch is too big.
 *
 * <p>Threading: the quota is read on the generator thread and set on the job thread; keep it
 * volatile.
 */
public interface RateLimitedInput {

    /** Returns the current quota: records per batch for the whole input, {@link Long#MAX_VALUE} if unlimited. */
    long batchQuota();

    /** Sets the quota (at least 1), records per batch for the whole input. */
    void setBatchQuota(long records);
}
