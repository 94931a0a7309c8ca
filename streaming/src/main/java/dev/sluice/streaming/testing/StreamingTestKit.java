package dev.sluice.streaming.testing;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.core.Engine;
import dev.sluice.core.Pair;
import dev.sluice.core.SluiceException;
import dev.sluice.streaming.BatchInfo;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.PairDStream;
import dev.sluice.streaming.StreamingContext;
import dev.sluice.streaming.StreamingListener;
import dev.sluice.streaming.Time;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a streaming pipeline batch by batch under a {@link ManualClock}, for unit tests.
 *
 * <p>The clock starts at 0, so the first batch is at {@code 1 × interval}. Input list {@code i}
 * of {@link #input} is the data of batch {@code i + 1}, split into {@code parallelism} (default
 * 2) contiguous partitions in order. {@link #run(int)} starts the context on first use, then for
 * each batch advances the clock one interval and waits until that batch has completed, so a test
 * never depends on timing.
 *
 * <p>By default a failed batch makes {@link #run} throw (with the batch's exception as cause);
 * build with {@code failOnBatchError(false)} to test failure handling instead.
 *
 * <p>Recovery: a kit built with a {@code checkpointDir} writes a metadata checkpoint after every
 * batch, and a kit built on a directory that holds a checkpoint resumes from it at its first
 * {@link #run} (the test defines the same pipeline first, as a restarted program would): its
 * clock starts at the last batch the earlier kit completed, the batches that had not completed
 * run again, and {@code context().recoveryReport()} says what was restored. {@link #crash()}
 * abandons a kit as {@code kill -9} would abandon a process.
 */
public final class StreamingTestKit implements AutoCloseable {
    private final StreamingContext context;
    private final ManualClock clock;
    private final Duration interval;
    private final Duration batchTimeout;
    private final boolean failOnBatchError;
    private final Map<Long, CompletableFuture<BatchInfo>> completed = new ConcurrentHashMap<>();
    private final List<BatchInfo> infos = new CopyOnWriteArrayList<>();
    private final List<ReceiverInput<?>> receiverInputs = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> crashed = new CompletableFuture<>();

    private StreamingTestKit(Builder b) {
        this.clock = new ManualClock();
        this.interval = b.batchInterval;
        this.batchTimeout = b.batchTimeout;
        this.failOnBatchError = b.failOnBatchError;
        StreamingContext.Builder settings = b.contextSettings.clock(clock);
        this.context = b.checkpointDir == null ? settings.build()
                : StreamingContext.getOrCreate(b.checkpointDir, settings::build);
    }

    /**
     * Registered at start, after the test's own listeners: the bus calls listeners in order, so
     * {@link #run} returns only once every listener has seen the batch complete.
     */
    private StreamingListener completionListener() {
        return new StreamingListener() {
            @Override
            public void onBatchCompleted(BatchInfo info) {
                infos.add(info);
                future(info.batchTime().millis()).complete(info);
            }
        };
    }

    /** Returns a kit with batch interval {@code batchInterval}, parallelism 2 and no checkpoint directory. */
    public static StreamingTestKit create(Duration batchInterval) {
        return builder().batchInterval(batchInterval).build();
    }

    /** Returns a builder for a kit with more settings. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns a stream whose batch {@code i + 1} holds {@code batches.get(i)}; later batches are empty. */
    public <T> DStream<T> input(List<List<T>> batches) {
        checkNotNull(batches, "batches");
        return context.listStream(batches);
    }

    /**
     * Returns a receiver-backed input: its {@code stream()} is a receiver's stream, and its
     * {@code send(List)} stores records through the real receiver path (blocks, and the
     * write-ahead log when the kit has a checkpoint directory) before it returns. Records sent
     * before {@link #run} land in the first batch it runs; later ones in the next batch run.
     */
    public <T> ReceiverInput<T> receiverInput() {
        ReceiverInput<T> input = new ReceiverInput<>(context, batchTimeout);
        receiverInputs.add(input);
        return input;
    }

    /** Returns a keyed stream whose batch {@code i + 1} holds {@code batches.get(i)}. */
    public <K, V> PairDStream<K, V> pairInput(List<List<Pair<K, V>>> batches) {
        return PairDStream.of(input(batches));
    }

    /**
     * Collects every dataset {@code stream} produces: an at-least-once output operation of the
     * pipeline (no output commit log), so a recovered kit collects the batches it replays too.
     */
    public <T> BatchOutput<T> collect(DStream<T> stream) {
        checkNotNull(stream, "stream");
        BatchOutput<T> out = new BatchOutput<>();
        // At-least-once: the collection is this kit's memory, so a recovered kit records replayed batches too.
        stream.foreachBatch((ds, time) -> out.add(time, ds.collect())).atLeastOnce();
        return out;
    }

    /**
     * Starts the context if needed, then runs {@code batches} more batches: advances the clock one
     * interval at a time and waits for each batch to complete: its outputs ran and every listener
     * added before the first {@code run} has seen {@code onBatchCompleted}.
     *
     * @throws SluiceException if a batch failed (unless built with {@code failOnBatchError(false)})
     *                         or did not complete within the batch timeout
     */
    public void run(int batches) {
        checkArgument(batches >= 0, "batches must be >= 0, got %s", batches);
        if (context.lifecycle() == StreamingContext.Lifecycle.INITIALIZED) {
            context.addListener(completionListener());
            context.start();
            // Resuming: the clock starts where the earlier run's last completed batch was.
            context.recoveryReport().ifPresent(r -> clock.setTime(r.lastCompletedBatch().millis()));
            receiverInputs.forEach(ReceiverInput::awaitStarted);
        }
        for (int i = 0; i < batches; i++) {
            if (crashed.isDone()) {
                return;
            }
            long next = clock.millis() + interval.toMillis();
            clock.setTime(next);
            BatchInfo info = await(next);
            if (info == null) {
                return; // crashed while the batch ran: it never completes
            }
            if (failOnBatchError && info.failure().isPresent()) {
                Throwable cause = info.failure().get();
                throw new SluiceException("batch " + next + " ms failed: " + cause, cause);
            }
        }
    }

    private BatchInfo await(long batchMillis) {
        try {
            Object done = CompletableFuture.anyOf(future(batchMillis), crashed)
                    .get(batchTimeout.toMillis(), TimeUnit.MILLISECONDS);
            return done instanceof BatchInfo info ? info : null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SluiceException("interrupted while waiting for batch " + batchMillis + " ms", e);
        } catch (ExecutionException e) {
            throw new SluiceException("batch " + batchMillis + " ms failed", e.getCause());
        } catch (TimeoutException e) {
            throw new SluiceException("batch " + batchMillis + " ms did not complete within " + batchTimeout
                    + "; is a job stuck?", e);
        }
    }

    private CompletableFuture<BatchInfo> future(long batchMillis) {
        return completed.computeIfAbsent(batchMillis, t -> new CompletableFuture<>());
    }

    /**
     * Abandons the kit's context as {@code kill -9} would a process: no graceful stop, no final
     * checkpoint, and no batch completes after this instant (a batch running now never does), so
     * a later kit on the same checkpoint directory resumes from the last batch completed before and
     * re-runs the rest. Callable from any thread, also from inside a user function during a batch
     * (to crash at that point); {@link #run} then returns without waiting for more batches.
     */
    public void crash() {
        try {
            java.lang.reflect.Method abandon = StreamingContext.class.getDeclaredMethod("abandon");
            abandon.setAccessible(true);
            abandon.invoke(context);
        } catch (ReflectiveOperationException e) {
            throw new SluiceException("cannot crash the test kit's context: " + e, e);
        } finally {
            crashed.complete(null);
        }
    }

    /** Returns true once {@link #crash()} was called. */
    public boolean isCrashed() {
        return crashed.isDone();
    }

    /** Returns the time of the last batch run, or 0 before the first. */
    public Time time() {
        return new Time(clock.millis());
    }

    /** Returns the information of every completed batch, in order. */
    public List<BatchInfo> batchInfos() {
        return new ArrayList<>(infos);
    }

    /** Returns the context, to add inputs, listeners or outputs. */
    public StreamingContext context() {
        return context;
    }

    /** Returns the manual clock. */
    public ManualClock clock() {
        return clock;
    }

    /** Stops the context, and its engine unless the builder was given one. */
    @Override
    public void close() {
        context.stop(false);
    }

    /** Settings of a test kit. */
    public static final class Builder {
        private Duration batchInterval = Duration.ofSeconds(1);
        /** The context's settings; they check their own arguments. */
        private final StreamingContext.Builder contextSettings = StreamingContext.builder().appName("test-kit")
                .batchInterval(batchInterval).parallelism(2).webUi(false);
        private Duration batchTimeout = Duration.ofSeconds(60);
        private boolean failOnBatchError = true;
        private String checkpointDir;

        private Builder() {
        }

        /** Sets the batch interval (default 1 s). */
        public Builder batchInterval(Duration interval) {
            contextSettings.batchInterval(interval);
            this.batchInterval = interval;
            return this;
        }

        /** Sets the engine's parallelism (default 2). */
        public Builder parallelism(int threads) {
            contextSettings.parallelism(threads);
            return this;
        }

        /**
         * Runs batches on {@code existing} instead of a new engine; closing the kit does not close
         * it, so a test can check what the engine still holds after the kit stopped.
         */
        public Builder engine(Engine existing) {
            contextSettings.engine(existing);
            return this;
        }

        /** Sets the context's bad-record policy (see {@code StreamingContext.Builder.badRecordPolicy}). */
        public Builder badRecordPolicy(dev.sluice.streaming.BadRecordPolicy policy) {
            contextSettings.badRecordPolicy(policy);
            return this;
        }

        /** Caps each receiver at {@code recordsPerSecond}, as a quota per batch (see {@code StreamingContext.Builder}). */
        public Builder receiverMaxRate(long recordsPerSecond) {
            contextSettings.receiverMaxRate(recordsPerSecond);
            return this;
        }

        /** Sets the checkpoint directory URI (use a temporary directory). */
        public Builder checkpointDir(String uri) {
            contextSettings.checkpointDir(uri);
            this.checkpointDir = uri;
            return this;
        }

        /** Sets a Hadoop configuration property of the kit's engine (see {@code StreamingContext.Builder.hadoopProperty}). */
        public Builder hadoopProperty(String key, String value) {
            contextSettings.hadoopProperty(key, value);
            return this;
        }

        /** Sets how long {@link #run} waits for one batch before giving up (default 60 s): a safety net. */
        public Builder batchTimeout(Duration timeout) {
            this.batchTimeout = checkNotNull(timeout, "batchTimeout");
            return this;
        }

        /** Whether {@link #run} throws when a batch fails (default true). */
        public Builder failOnBatchError(boolean fail) {
            this.failOnBatchError = fail;
            return this;
        }

        /** Sets the Micrometer registry the context's meters go to (default: a new {@code SimpleMeterRegistry}). */
        public Builder meterRegistry(MeterRegistry registry) {
            contextSettings.meterRegistry(registry);
            return this;
        }

        /**
         * Whether the context serves its web UI (default false in tests); on, it listens on a free
         * loopback port, see {@code context().webUiUrl()}.
         */
        public Builder webUi(boolean enabled) {
            contextSettings.webUi(enabled).webUiPort(0);
            return this;
        }

        /** Sets how many completed batches the UI keeps (default 1,000). */
        public Builder retainedBatches(int batches) {
            contextSettings.retainedBatches(batches);
            return this;
        }

        /** Lets a resuming kit drop the state of operators its graph no longer has (see {@code StreamingContext.Builder}). */
        public Builder allowDroppingStateOfRemovedOperators(boolean allow) {
            contextSettings.allowDroppingStateOfRemovedOperators(allow);
            return this;
        }

        /** Builds the kit; on a checkpoint directory that holds a checkpoint, the kit resumes from it at its first run. */
        public StreamingTestKit build() {
            return new StreamingTestKit(this);
        }
    }
}
