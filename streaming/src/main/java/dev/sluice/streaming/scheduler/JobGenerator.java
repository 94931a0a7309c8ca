package dev.sluice.streaming.scheduler;

import dev.sluice.core.spi.UserExceptions;
import dev.sluice.streaming.Clock;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.dstream.BatchJob;
import dev.sluice.streaming.dstream.DStreamGraph;
import dev.sluice.streaming.input.ReceiverTracker;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The generator thread: waits on the clock for each batch time, allocates received blocks to the
 * batch, builds the batch's datasets and jobs, takes the batch's input record counts from the
 * inputs (a receiver's from the tracker's allocation), and queues the batch on the job scheduler.
 *
 * <p>Building a batch mostly builds lineage without touching records, so the generator stays on
 * time even when jobs run behind. The exception is user code that runs a job while the lineage
 * is built: a {@code transform} function that calls an action, or that calls {@code sortByKey},
 * which samples its input to choose the range bounds, runs that job here, on the generator
 * thread, and the batch is queued only when it finishes.
 */
final class JobGenerator {
    private static final Logger log = LoggerFactory.getLogger(JobGenerator.class);

    private final Clock clock;
    private final Duration interval;
    private final DStreamGraph graph;
    private final ReceiverTracker tracker;
    private final JobScheduler scheduler;
    private volatile boolean stopped;
    private volatile java.util.function.Consumer<Time> onGenerated = t -> { };
    private volatile long lastBatchMillis = Long.MAX_VALUE;
    private volatile long generatedMillis = -1;
    private Thread thread;

    JobGenerator(Clock clock, Duration interval, DStreamGraph graph, ReceiverTracker tracker,
                 JobScheduler scheduler) {
        this.clock = clock;
        this.interval = interval;
        this.graph = graph;
        this.tracker = tracker;
        this.scheduler = scheduler;
    }

    void start(Time zero) {
        startAfter(zero);
    }

    /** Starts generating with the batch after {@code last} (the zero time, or a recovered last completed batch). */
    void startAfter(Time last) {
        thread = new Thread(() -> loop(last.millis() + interval.toMillis()), "sluice-generator");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop(long first) {
        long next = first;
        try {
            while (!stopped && next <= lastBatchMillis) {
                clock.waitUntil(next);
                if (stopped) {
                    break;
                }
                generate(new Time(next));
                generatedMillis = next;
                next += interval.toMillis();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.debug("generator stopped after batch {}", generatedMillis);
    }

    private void generate(Time time) {
        long submittedNanos = System.nanoTime();
        tracker.allocate(time);
        List<BatchJob> jobs = List.of();
        Throwable error = null;
        try {
            jobs = graph.generateJobs(time);
        } catch (RuntimeException e) {
            error = UserExceptions.unwrap(e);
        }
        if (stopped) {
            return;
        }
        onGenerated.accept(time);
        scheduler.submit(new JobSet(time, jobs, graph.inputRecords(time), clock.millis(), submittedNanos, error));
    }

    /** Calls {@code hook} with each batch time once its jobs are built, before it is queued. */
    void onGenerated(java.util.function.Consumer<Time> hook) {
        this.onGenerated = hook;
    }

    /** Stops generating without waiting for the thread (it may be the caller's own). */
    void abandon() {
        stopped = true;
        if (thread != null) {
            thread.interrupt();
        }
    }

    /** Stops at once, generating nothing more. */
    void stop() {
        stopped = true;
        if (thread != null) {
            thread.interrupt();
            join(Duration.ofSeconds(10));
        }
    }

    /**
     * Lets the generator make the first batch strictly after {@code millis}, which takes everything
     * received up to then, and stop; waits at most {@code timeout}. (Not "at or after": a batch at
     * exactly {@code millis} may already have been allocated before the last records arrived.)
     */
    void stopAfter(long millis, Duration timeout) {
        long step = interval.toMillis();
        lastBatchMillis = millis / step * step + step;
        join(timeout);
        stop();
    }

    private void join(Duration timeout) {
        try {
            thread.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
