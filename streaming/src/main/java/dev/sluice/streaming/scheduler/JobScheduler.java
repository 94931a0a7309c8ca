package dev.sluice.streaming.scheduler;

import dev.sluice.core.spi.EngineServices;
import dev.sluice.core.spi.UserExceptions;
import dev.sluice.streaming.BatchInfo;
import dev.sluice.streaming.FailedRecord;
import dev.sluice.streaming.StopReport;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.dstream.BatchJob;
import dev.sluice.streaming.dstream.DStreamGraph;
import dev.sluice.streaming.input.ReceiverGate;
import dev.sluice.streaming.recovery.CrashPoint;
import dev.sluice.streaming.recovery.CrashPoints;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs batches one at a time, in batch order, on one job thread: the next batch starts when this
 * one is done, so batches queue if they fall behind (and the listener's scheduling delay shows
 * it). A batch's jobs (one per output operation) run in the order the outputs were defined.
 * An output with a commit log is skipped (its dataset only computed) if the log records the
 * batch, and otherwise recorded there right after its job succeeded, unless the context was
 * abandoned meanwhile (see {@code BatchJob.Commit}).
 *
 * <p>Failure: a job that throws fails that batch only; the failure is logged with the batch time,
 * reported in {@link BatchInfo#failure()}, and handed to the failure handler (which stops the
 * context if it was built with {@code stopOnFailure}). Later batches run as usual.
 */
final class JobScheduler {
    private static final Logger log = LoggerFactory.getLogger(JobScheduler.class);

    private final DStreamGraph graph;
    private final ListenerBus bus;
    private final BiConsumer<Time, Throwable> failureHandler;
    /** Batches submitted and not yet completed. */
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private volatile ReceiverGate gate;
    private volatile Consumer<Time> afterBatch = t -> { };
    private volatile boolean abandoned;
    private final BatchActivity activity = new BatchActivity();
    private final ExecutorService jobThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sluice-jobs");
        t.setDaemon(true);
        return t;
    });

    /** Creates the scheduler; {@code failureHandler} gets each failed batch's time and first error. */
    JobScheduler(DStreamGraph graph, ListenerBus bus, BiConsumer<Time, Throwable> failureHandler) {
        this.graph = graph;
        this.bus = bus;
        this.failureHandler = failureHandler;
    }

    /**
     * Turns on queue backpressure: while a batch waits behind a running one, {@code gate} is
     * closed, so receivers take in nothing more until the engine is free for it.
     */
    void closeGateWhenBehind(ReceiverGate receiverGate) {
        this.gate = receiverGate;
    }

    /** Returns whether a batch runs now, and how busy the stream has been. */
    BatchActivity activity() {
        return activity;
    }

    /** Calls {@code hook} on the job thread after each batch's jobs ran, before its data is released. */
    void afterBatch(Consumer<Time> hook) {
        this.afterBatch = hook;
    }

    /**
     * Abandons the scheduler as a killed process would: nothing more completes (no checkpoint, no
     * release, no listener event), and the job thread is interrupted; does not wait.
     */
    void abandon() {
        abandoned = true;
        jobThread.shutdownNow();
    }

    void submit(JobSet set) {
        if (abandoned) {
            return;
        }
        ReceiverGate g = gate;
        if (inFlight.incrementAndGet() >= 2 && g != null) {
            g.close();
        }
        bus.post(l -> l.onBatchSubmitted(set.time(), set.numInputRecords()));
        log.debug("batch {}: submitted with {} job(s), {} input record(s)", set.time().millis(), set.jobs().size(),
                set.numInputRecords());
        jobThread.execute(new QueuedBatch(set));
    }

    /** A batch on the job thread's queue; a stop that drops it can say which batch it was. */
    private final class QueuedBatch implements Runnable {
        private final JobSet set;

        QueuedBatch(JobSet set) {
            this.set = set;
        }

        @Override
        public void run() {
            JobScheduler.this.run(set);
        }
    }

    private void run(JobSet set) {
        Time time = set.time();
        long start = System.nanoTime();
        activity.started(start);
        try {
            runBatch(set, time, start);
        } finally {
            activity.ended(System.nanoTime());
        }
    }

    private void runBatch(JobSet set, Time time, long start) {
        bus.post(l -> l.onBatchStarted(time));
        Throwable failure = set.generationError();
        VirtualMachineError fatal = null;
        if (failure == null) {
            CrashPoints.reached(CrashPoint.AFTER_BATCH_STATE_BEFORE_OUTPUT);
            List<BatchJob> jobs = set.jobs();
            for (int i = 0; i < jobs.size(); i++) {
                BatchJob job = jobs.get(i);
                if (abandoned) {
                    return;
                }
                Object previousTag = EngineServices.setJobTag(new BatchJobTag(graph, time.millis(), i, job.output()));
                try {
                    if (!runJob(job)) {
                        return;
                    }
                } catch (Throwable e) {
                    // Any Throwable fails this batch only, and the batch still completes below
                    // (released data, listeners, failure handler); only a VM error is rethrown, after.
                    Throwable cause = UserExceptions.unwrap(e);
                    if (abandoned) {
                        return; // the context was abandoned (a crash) while the job ran: nothing to report
                    }
                    log.error("batch {}: output {} failed", time.millis(), job.output(), cause);
                    if (failure == null) {
                        failure = cause;
                    }
                    if (e instanceof VirtualMachineError vm) {
                        fatal = vm;
                        break;
                    }
                } finally {
                    EngineServices.setJobTag(previousTag);
                }
            }
        } else {
            log.error("batch {}: could not build its datasets", time.millis(), failure);
        }
        complete(set, start, failure);
        if (fatal != null) {
            throw fatal;
        }
    }

    /**
     * Runs one output's job: skipped (computing only) if its commit log records the batch, else
     * the body and then the commit log entry. Returns false if the context was abandoned (a crash)
     * before the entry was written: nothing is written after that instant.
     */
    private boolean runJob(BatchJob job) throws Exception {
        BatchJob.Commit commit = job.commit();
        if (commit.isCommitted()) {
            commit.skip();
            return true;
        }
        job.body().run();
        if (commit.isLogged()) {
            CrashPoints.reached(CrashPoint.AFTER_OUTPUT_BEFORE_COMMIT);
        }
        if (abandoned) {
            return false;
        }
        commit.record();
        return true;
    }

    private void complete(JobSet set, long start, Throwable failure) {
        if (abandoned) {
            return;
        }
        Time time = set.time();
        try {
            afterBatch.accept(time);
        } catch (RuntimeException e) {
            log.error("batch {}: could not write the metadata checkpoint; a crash now would resume from an "
                    + "earlier one", time.millis(), e);
        }
        long end = System.nanoTime();
        BatchInfo info = new BatchInfo(time, set.numInputRecords(), set.submittedMillis(),
                Duration.ofNanos(start - set.submittedNanos()), Duration.ofNanos(end - start), set.jobs().size(),
                Optional.ofNullable(failure));
        log.debug("batch {}: done in {} µs (waited {} µs)", time.millis(), (end - start) / 1000,
                (start - set.submittedNanos()) / 1000);
        try {
            graph.releaseOldBatches(time);
        } catch (RuntimeException e) {
            log.warn("batch {}: could not release old data", time.millis(), e);
        }
        ReceiverGate g = gate;
        if (inFlight.decrementAndGet() < 2 && g != null) {
            g.open();
        }
        Map<String, Object> accumulated = EngineServices.of(graph.engine()).drainAccumulatorUpdates();
        List<FailedRecord<?>> failedRecords = graph.recordGuard().takeFailures(accumulated, time);
        if (!failedRecords.isEmpty()) {
            log.debug("batch {}: skipped {} record(s) whose function threw", time.millis(), failedRecords.size());
            graph.recordGuard().offerDeadLetters(failedRecords);
            for (FailedRecord<?> failed : failedRecords) {
                bus.post(l -> l.onRecordFailed(failed));
            }
        }
        if (!accumulated.isEmpty()) {
            bus.post(l -> l.onAccumulatorsUpdated(time, accumulated));
        }
        bus.post(l -> l.onBatchCompleted(info));
        if (failure != null) {
            failureHandler.accept(time, failure);
        }
    }

    /**
     * Stops: with {@code drain}, after the queued batches ran (bounded by {@code timeout}); else now.
     * Once the job thread has ended, releases what the streams still remember. Returns what was
     * dropped: every batch still queued when the drain timed out (logged at WARN) or, without
     * {@code drain}, every queued batch.
     */
    StopReport stop(boolean drain, Duration timeout) {
        List<Runnable> dropped = List.of();
        boolean timedOut = false;
        if (drain) {
            jobThread.shutdown();
        } else {
            dropped = jobThread.shutdownNow();
        }
        try {
            if (!jobThread.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                timedOut = true;
                dropped = concat(dropped, jobThread.shutdownNow());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        StopReport report = report(drain, timedOut, dropped);
        if (timedOut) {
            log.warn("graceful stop: batches still running after the stop timeout of {}; dropped {} queued batch(es) "
                    + "{} with {} input record(s) (raise stopTimeout to let them finish)", timeout,
                    report.droppedBatches().size(), report.droppedBatches(), report.droppedRecords());
        } else {
            if (!dropped.isEmpty()) {
                log.info("stopped at once: dropped {} queued batch(es) with {} input record(s)",
                        report.droppedBatches().size(), report.droppedRecords());
            }
            releaseRemembered();
        }
        return report;
    }

    private static List<Runnable> concat(List<Runnable> a, List<Runnable> b) {
        List<Runnable> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static StopReport report(boolean graceful, boolean timedOut, List<Runnable> dropped) {
        List<Long> times = new ArrayList<>();
        long records = 0;
        for (Runnable r : dropped) {
            if (r instanceof QueuedBatch q) {
                times.add(q.set.time().millis());
                records += q.set.numInputRecords();
            }
        }
        return new StopReport(graceful, timedOut, times, records);
    }

    /**
     * Releases the received blocks and cached datasets of the batches the streams still remember:
     * nothing reads them again, and an engine the context does not own would keep them for good.
     * Runs on the stopping thread, only once the job thread (which owns them while running) ended.
     */
    private void releaseRemembered() {
        try {
            graph.releaseOldBatches(new Time(Long.MAX_VALUE));
        } catch (RuntimeException e) {
            log.warn("stopped, but could not release the data of remembered batches", e);
        }
    }
}
