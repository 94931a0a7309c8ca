package dev.sluice.streaming.scheduler;

import dev.sluice.core.spi.EngineServices;
import dev.sluice.core.spi.UserExceptions;
import dev.sluice.streaming.Clock;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.dstream.BatchJob;
import dev.sluice.streaming.dstream.DStreamGraph;
import dev.sluice.streaming.input.ReceiverTracker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
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
    private final BiConsumer<Time, Throwable> onFailure;
    private volatile boolean stopped;
    /** Set by {@link #abandon} (a crash): unlike a stop, not even a final batch is queued any more. */
    private volatile boolean abandoned;
    private volatile java.util.function.Consumer<Time> onGenerated = t -> { };
    private volatile long lastBatchMillis = Long.MAX_VALUE;
    private volatile long generatedMillis = -1;
    private volatile InputObserver inputObserver = (time, inputs, oldest) -> { };
    private volatile long firstMillis;
    /** Held while a batch is generated, so a stop never interrupts the generator inside one. */
    private final Object generating = new Object();
    private Thread thread;

    JobGenerator(Clock clock, Duration interval, DStreamGraph graph, ReceiverTracker tracker,
                 JobScheduler scheduler, BiConsumer<Time, Throwable> onFailure) {
        this.clock = clock;
        this.interval = interval;
        this.graph = graph;
        this.tracker = tracker;
        this.scheduler = scheduler;
        this.onFailure = onFailure;
    }

    void start(Time zero) {
        startAfter(zero);
    }

    /** Starts generating with the batch after {@code last} (the zero time, or a recovered last completed batch). */
    void startAfter(Time last) {
        firstMillis = last.millis() + interval.toMillis();
        thread = new Thread(() -> loop(firstMillis), "sluice-generator");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop(long first) {
        long next = first;
        try {
            while (!stopped && next <= lastBatchMillis) {
                clock.waitUntil(next);
                synchronized (generating) {
                    if (stopped) {
                        break;
                    }
                    generate(new Time(next));
                    generatedMillis = next;
                }
                next += interval.toMillis();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            // The generator itself failed (the clock, the tracker, the scheduler): no later batch can
            // be made, so the handler stops the context. An error building a batch's datasets is that
            // batch's failure instead (see generate).
            log.error("batch {}: the generator failed; no further batch will be generated", next, e);
            onFailure.accept(new Time(next), e);
            if (e instanceof VirtualMachineError vm) {
                throw vm;
            }
        }
        log.debug("generator stopped after batch {}", generatedMillis);
    }

    private void generate(Time time) {
        long submittedNanos = System.nanoTime();
        tracker.allocate(time);
        List<BatchJob> jobs = List.of();
        Throwable error = null;
        Object previousTag = EngineServices.setJobTag(new BatchJobTag(graph, time.millis(), -1, "building the batch"));
        try {
            jobs = graph.generateJobs(time);
        } catch (RuntimeException e) {
            error = UserExceptions.unwrap(e);
        } finally {
            EngineServices.setJobTag(previousTag);
        }
        if (abandoned) {
            return;
        }
        onGenerated.accept(time);
        Map<Integer, Long> inputs = graph.inputRecords(time);
        inputObserver.observe(time, inputs, graph.oldestRecordMillis(time));
        long records = 0;
        for (long n : inputs.values()) {
            records += n;
        }
        scheduler.submit(new JobSet(time, jobs, records, clock.millis(), submittedNanos, error));
    }

    /**
     * Hands each batch's input record counts, by input id, and the store time of its oldest
     * record to {@code observer} on the generator thread just before the batch is queued (so
     * before its {@code onBatchSubmitted}).
     */
    void observeInputs(InputObserver observer) {
        this.inputObserver = observer;
    }

    /** Calls {@code hook} with each batch time once its jobs are built, before it is queued. */
    void onGenerated(java.util.function.Consumer<Time> hook) {
        this.onGenerated = hook;
    }

    /** Stops generating without waiting for the thread (it may be the caller's own). */
    void abandon() {
        abandoned = true;
        stopped = true;
        if (thread != null) {
            thread.interrupt();
        }
    }

    /** Stops at once, generating nothing more; a batch being generated is finished first. */
    void stop() {
        stopped = true;
        if (thread != null) {
            synchronized (generating) {
                thread.interrupt();
            }
            join(Duration.ofSeconds(10));
        }
    }

    /**
     * Stops the generator thread, then generates one last batch, on the calling thread, at the
     * batch time after the last one generated: it takes everything the (already stopped and
     * sealed) receivers stored, so nothing stored is left out of a batch. Returns its time.
     */
    Time stopWithFinalBatch() {
        stop();
        long last = generatedMillis;
        Time time = new Time(last < 0 ? firstMillis : last + interval.toMillis());
        generate(time);
        generatedMillis = time.millis();
        return time;
    }

    private void join(Duration timeout) {
        try {
            thread.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
