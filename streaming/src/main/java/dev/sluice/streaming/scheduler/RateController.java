package dev.sluice.streaming.scheduler;

import dev.sluice.streaming.BatchInfo;
import dev.sluice.streaming.StreamingListener;
import dev.sluice.streaming.dstream.RateLimitedInput;
import dev.sluice.streaming.input.ReceiverSupervisor;
import dev.sluice.streaming.input.ReceiverTracker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backpressure: keeps receivers from taking in more than the engine processes, by a
 * per-receiver quota of records per batch that is cut hard and grows back by a few percent per
 * batch (both multiplicative: no step is a fixed number of records). After each batch:
 * <ul>
 *   <li>too big (its processing took longer than the batch interval): the quota drops to 90% of
 *       what the engine showed it processes in one interval (or of the current quota, if lower),
 *       times {@code interval / (interval + waited)} (at least a half) so that the queue drains;
 *       once per backlog: batches already taken in when the cut was made do not cut again;</li>
 *   <li>comfortably small (processing under 80% of the interval, no wait): an existing quota
 *       grows by 10%, or by 50% while processing takes under a quarter of the interval, up to the
 *       configured maximum;</li>
 *   <li>otherwise the quota stays. Receivers that were never limited stay unlimited.</li>
 * </ul>
 * A batch that only waited (behind a big one) says nothing about capacity and changes nothing;
 * the queue gate ({@code JobScheduler}) already holds receivers while a batch waits.
 *
 * <p>Why a quota per batch, not a token bucket: a bucket stores permits while a receiver is held
 * at the gate and then lets a burst through, making the next batch twice as big; a quota is
 * exact per batch. Why grow gently: small batches process faster per record than large ones
 * (caches, collections), so capacity measured on a small batch overstates it.
 *
 * <p>Why at all: a receiver reads as fast as its source sends. Without a limit, a source faster
 * than the pipeline grows every batch, the delay without bound, and the heap until it runs out.
 *
 * <p>Inputs that read by quota themselves ({@link RateLimitedInput}, such as the Kafka direct
 * stream) get the same treatment as receivers: each is one more quota holder.
 *
 * <p>Threading: called on the job thread, after each batch; supervisors' quotas are volatile.
 */
final class RateController implements StreamingListener {
    private static final Logger log = LoggerFactory.getLogger(RateController.class);
    private static final double DECREASE = 0.9;
    private static final double INCREASE = 1.1;
    private static final double FAST_INCREASE = 1.5;
    private static final double MIN_DRAIN = 0.5;
    private static final double AHEAD = 0.8;
    private static final long MIN_QUOTA = 100;

    private final ReceiverTracker tracker;
    private final Supplier<? extends Collection<? extends RateLimitedInput>> inputs;
    private final Duration interval;
    /** Batches up to this time were taken in before the last cut; their lateness is ignored. */
    private long admittedBeforeCut = -1;

    RateController(ReceiverTracker tracker, Duration interval) {
        this(tracker, List::of, interval);
    }

    /** A controller of the receivers of {@code tracker} and of the rate-limited {@code inputs}. */
    RateController(ReceiverTracker tracker, Supplier<? extends Collection<? extends RateLimitedInput>> inputs,
                   Duration interval) {
        this.tracker = tracker;
        this.inputs = inputs;
        this.interval = interval;
    }

    private List<RateLimitedInput> quotaHolders() {
        List<RateLimitedInput> holders = new ArrayList<>(inputs.get());
        for (ReceiverSupervisor<?> r : tracker.supervisors().values()) {
            holders.add(new RateLimitedInput() {
                @Override
                public long batchQuota() {
                    return r.batchQuota();
                }

                @Override
                public void setBatchQuota(long records) {
                    r.setBatchQuota(records);
                }
            });
        }
        return holders;
    }

    @Override
    public void onBatchCompleted(BatchInfo info) {
        List<RateLimitedInput> receivers = quotaHolders();
        double processing = seconds(info.processingTime());
        if (receivers.isEmpty() || info.numInputRecords() == 0 || processing <= 0) {
            return;
        }
        double intervalSeconds = seconds(interval);
        double waited = seconds(info.schedulingDelay());
        long batchMillis = info.batchTime().millis();
        boolean tooBig = processing > intervalSeconds;
        if (tooBig && batchMillis <= admittedBeforeCut) {
            return; // taken in before the last cut: its size is already answered
        }
        double perInterval = info.numInputRecords() / processing * intervalSeconds / receivers.size();
        double drain = Math.max(MIN_DRAIN, intervalSeconds / (intervalSeconds + waited));
        double growth = processing < intervalSeconds / 4 ? FAST_INCREASE : INCREASE;
        boolean small = processing < intervalSeconds * AHEAD && waited < intervalSeconds / 10;
        for (RateLimitedInput receiver : receivers) {
            long current = receiver.batchQuota();
            if (tooBig) {
                receiver.setBatchQuota(Math.max(MIN_QUOTA, Math.round(Math.min(current, perInterval) * DECREASE * drain)));
            } else if (small && current != Long.MAX_VALUE) {
                receiver.setBatchQuota(Math.max(current + 1, Math.round(current * growth)));
            }
        }
        if (tooBig) {
            admittedBeforeCut = batchMillis + Math.round((waited + processing) * 1000) + interval.toMillis();
            log.debug("batch {}: too big ({} records took {} s); receiver quotas cut to at most {} records per batch",
                    batchMillis, info.numInputRecords(), processing, Math.round(perInterval * DECREASE * drain));
        }
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }
}
