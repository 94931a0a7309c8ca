package dev.sluice.streaming;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.core.Engine;
import dev.sluice.core.SluiceException;
import dev.sluice.core.spi.EngineServices;
import dev.sluice.streaming.checkpoint.MetadataCheckpointStore;
import dev.sluice.streaming.checkpoint.RecoveredCheckpoint;
import dev.sluice.streaming.dstream.DStreamNode;
import dev.sluice.streaming.dstream.FileInputDStream;
import dev.sluice.streaming.dstream.ListInputDStream;
import dev.sluice.streaming.dstream.QueueInputDStream;
import dev.sluice.streaming.dstream.ReceiverInputDStream;
import dev.sluice.streaming.dstream.UnionDStream;
import dev.sluice.streaming.input.ReceiverSupervisor;
import dev.sluice.streaming.input.SocketReceiver;
import dev.sluice.streaming.recovery.BatchCheckpointer;
import dev.sluice.streaming.recovery.Recovery;
import dev.sluice.streaming.scheduler.StreamingRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry point of a streaming program: chops incoming data into one batch per batch interval
 * and runs the pipeline of {@link DStream} transformations on each batch as a job of its
 * {@link Engine}.
 *
 * <pre>{@code
 * StreamingContext ssc = StreamingContext.builder()
 *         .appName("word-count").batchInterval(Duration.ofSeconds(1)).parallelism(2).build();
 * ssc.socketTextStream("localhost", 9999)
 *         .flatMap(line -> List.of(line.split(" ")))
 *         .mapToPair(word -> Pair.of(word, 1))
 *         .reduceByKey(Integer::sum)
 *         .print();
 * ssc.start();
 * ssc.awaitTermination();
 * }</pre>
 *
 * <p>Lifecycle: {@link Lifecycle#INITIALIZED} while the pipeline is defined, {@link Lifecycle#ACTIVE}
 * after {@link #start()}, {@link Lifecycle#STOPPED} after {@link #stop()}. A stopped context cannot
 * be restarted: build a new one with the same setup code.
 *
 * <p>Thread-safety: define the pipeline on one thread; {@code start}, {@code stop},
 * {@code awaitTermination} and {@code lifecycle} may be called from any thread.
 */
public final class StreamingContext implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StreamingContext.class);

    /** The lifecycle of a context. */
    public enum Lifecycle {
        /** Being defined: operations may be added. */
        INITIALIZED,
        /** Running batches. */
        ACTIVE,
        /** Stopped for good. */
        STOPPED;

        private Set<Lifecycle> next() {
            return switch (this) {
                case INITIALIZED -> EnumSet.of(ACTIVE, STOPPED);
                case ACTIVE -> EnumSet.of(STOPPED);
                case STOPPED -> EnumSet.noneOf(Lifecycle.class);
            };
        }
    }

    /**
     * The lifecycle of a context, under its former name.
     *
     * @deprecated use {@link Lifecycle} and {@link #lifecycle()}: {@code State} is also the name of
     *             mapWithState's per-key {@link dev.sluice.streaming.State} in the same package
     */
    @Deprecated
    public enum State {
        /** Being defined: operations may be added. */
        INITIALIZED,
        /** Running batches. */
        ACTIVE,
        /** Stopped for good. */
        STOPPED
    }

    private final Engine engine;
    private final boolean ownsEngine;
    private final Duration batchInterval;
    private final Clock clock;
    private final int maxLineBytes;
    private final Duration receiverRestartDelay;
    private final Duration receiverMaxRestartDelay;
    private final Duration stopTimeout;
    private final boolean stopOnFailure;
    private final double receiverMaxRate;
    private final StreamingRuntime runtime;
    private final AtomicReference<Lifecycle> state = new AtomicReference<>(Lifecycle.INITIALIZED);
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile Throwable stopCause;
    private final boolean allowDroppingState;
    /** Set by {@link #getOrCreate}: start() resumes from the checkpoint directory if it holds a checkpoint. */
    private volatile boolean resumable;
    private volatile RecoveryReport recoveryReport;

    private StreamingContext(Builder b) {
        this.allowDroppingState = b.allowDroppingState;
        this.ownsEngine = b.engine == null;
        this.engine = b.engine != null ? b.engine : b.engineSettings.build();
        this.batchInterval = b.batchInterval;
        this.clock = b.clock;
        this.maxLineBytes = b.maxLineBytes;
        this.receiverRestartDelay = b.receiverRestartDelay;
        this.receiverMaxRestartDelay = b.receiverMaxRestartDelay;
        this.stopTimeout = b.stopTimeout;
        this.stopOnFailure = b.stopOnFailure;
        this.runtime = new StreamingRuntime(engine, clock, batchInterval, this::onBatchFailure,
                this::checkCanAddOperation);
        this.receiverMaxRate = b.receiverMaxRate;
        // Backpressure weighs wall-clock processing time against the batch interval, which is real
        // time only under the system clock; under a manual clock (tests) it would throttle at random.
        if (b.backpressure && clock == Clock.system()) {
            runtime.enableBackpressure();
        }
    }

    /** Returns a builder; {@code batchInterval} is required. */
    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------- recovery

    /**
     * Returns the context {@code setup} builds, prepared to resume from the checkpoint in
     * {@code checkpointDir} if there is one. {@code setup} always runs: the program's current code
     * defines the graph (no function or graph is ever read from a checkpoint), so the same program
     * runs unchanged the first time and after every crash. At {@link #start()}, a context resuming
     * checks the graph against the checkpoint (same batch interval, same stateful uids and partition
     * counts), restores every stateful operator's state, re-runs the batches that had not completed
     * and continues with the clock; {@link #recoveryReport()} says what it restored.
     *
     * @throws IllegalArgumentException if the context's own checkpoint directory is not {@code checkpointDir}
     */
    public static StreamingContext getOrCreate(String checkpointDir, Supplier<StreamingContext> setup) {
        checkNotNull(checkpointDir, "checkpointDir");
        checkNotNull(setup, "setup");
        StreamingContext context = checkNotNull(setup.get(), "setup returned null; it must return the context it built");
        String own = context.engine.checkpointDir().orElse(null);
        if (own == null || !sameDir(own, checkpointDir)) {
            context.stop(false);
            throw new IllegalArgumentException("getOrCreate(\"" + checkpointDir + "\", setup): the context setup built "
                    + (own == null ? "has no checkpoint directory" : "has checkpoint directory \"" + own + "\"")
                    + "; build it with checkpointDir(\"" + checkpointDir + "\") so it checkpoints where it resumes from");
        }
        context.resumable = true;
        return context;
    }

    private static boolean sameDir(String a, String b) {
        return strip(a).equals(strip(b));
    }

    private static String strip(String dir) {
        String d = dir;
        while (d.length() > 1 && d.endsWith("/")) {
            d = d.substring(0, d.length() - 1);
        }
        return d;
    }

    /** Returns what this context restored at start, if it resumed from a checkpoint; empty on a fresh start. */
    public Optional<RecoveryReport> recoveryReport() {
        return Optional.ofNullable(recoveryReport);
    }

    // ---------------------------------------------------------------- inputs

    /**
     * Returns a stream of the UTF-8 lines read from a TCP server, by a receiver on its own
     * thread; a lost or refused connection is retried with back-off and reported to listeners.
     */
    public DStream<String> socketTextStream(String host, int port) {
        return socketTextStream(host, port, maxLineBytes);
    }

    /** {@link #socketTextStream(String, int)}, dropping (and counting) lines longer than {@code maxLineBytes}. */
    public DStream<String> socketTextStream(String host, int port, int maxLineBytes) {
        checkNotNull(host, "host");
        checkArgument(port > 0 && port < 65536, "port must be in 1..65535, got %s", port);
        checkArgument(maxLineBytes > 0, "maxLineBytes must be > 0, got %s", maxLineBytes);
        return receiverStream(new SocketReceiver(host, port, maxLineBytes));
    }

    /** Returns a stream of the records {@code receiver} stores. */
    public <T> DStream<T> receiverStream(Receiver<T> receiver) {
        checkNotNull(receiver, "receiver");
        ReceiverInputDStream<T> input = new ReceiverInputDStream<>(runtime.graph(), runtime.receiverTracker(),
                streamId -> new ReceiverSupervisor<>(receiver, streamId,
                        error -> runtime.bus().post(l -> l.onReceiverError(error)), receiverRestartDelay,
                        receiverMaxRestartDelay), receiver.name());
        receiver.attach(input.supervisor());
        if (!Double.isInfinite(receiverMaxRate)) {
            input.supervisor().setMaxBatchQuota(Math.max(1, Math.round(receiverMaxRate * batchInterval.toMillis() / 1000.0)));
        }
        return new DStream<>(this, input);
    }

    /**
     * Returns a stream of the lines of files that appear in directory {@code uri} (any Hadoop
     * FileSystem URI), each file read once, in the first batch after it appears. Move finished
     * files into the directory (rename) rather than writing them in place.
     */
    public DStream<String> textFileStream(String uri) {
        checkNotNull(uri, "uri");
        return new DStream<>(this, new FileInputDStream(runtime.graph(), uri));
    }

    /** Returns a stream that takes one list from {@code queue} per batch (an empty batch if none). */
    public <T> DStream<T> queueStream(Queue<List<T>> queue) {
        return queueStream(queue, true);
    }

    /** Returns a stream over {@code queue}: one list per batch, or every queued list if not {@code oneAtATime}. */
    public <T> DStream<T> queueStream(Queue<List<T>> queue, boolean oneAtATime) {
        checkNotNull(queue, "queue");
        return new DStream<>(this, new QueueInputDStream<>(runtime.graph(), queue, oneAtATime));
    }

    /**
     * Returns a stream whose batch {@code i + 1} holds {@code batches.get(i)} and whose later
     * batches are empty, each split into {@code parallelism} contiguous partitions. Which list
     * a batch holds depends on the batch's time alone, never on when a batch is computed, so a
     * run over the same lists always gives the same batches: the test kit's input, and a way to
     * replay recorded batches.
     */
    public <T> DStream<T> listStream(List<List<T>> batches) {
        checkNotNull(batches, "batches");
        return new DStream<>(this, new ListInputDStream<>(runtime.graph(), batches));
    }

    /**
     * Returns the union of {@code streams}, which must have the same slide.
     *
     * @throws IllegalArgumentException if {@code streams} is empty or their slides differ
     */
    public <T> DStream<T> union(List<? extends DStream<T>> streams) {
        checkNotNull(streams, "streams");
        List<DStreamNode<T>> nodes = new ArrayList<>(streams.size());
        for (DStream<T> s : streams) {
            nodes.add(s.node());
        }
        return new DStream<>(this, new UnionDStream<>(nodes));
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Starts receiving and processing: checks the pipeline, starts the receivers and the batch
     * clock. The first batch is at the next multiple of the batch interval.
     *
     * @throws IllegalStateException if already started or stopped, if no output is defined, or if
     *                               a stream needs a checkpoint directory the context lacks
     */
    public synchronized void start() {
        Lifecycle current = state.get();
        if (current == Lifecycle.ACTIVE) {
            throw new IllegalStateException("StreamingContext already started; start() may be called once");
        }
        if (current == Lifecycle.STOPPED) {
            throw new IllegalStateException("cannot restart a stopped StreamingContext; build a new one with the same "
                    + "setup code to run again");
        }
        Time zero = startBatches();
        transition(Lifecycle.ACTIVE);
        runtime.bus().post(l -> l.onStreamingStarted(zero.millis()));
        RecoveryReport report = recoveryReport;
        long first = (report != null ? report.lastCompletedBatch() : zero).millis() + batchInterval.toMillis();
        log.info("streaming started: batch interval {}, first batch at {} ms", batchInterval, first);
    }

    /**
     * Starts the runtime: fresh, or resuming from the checkpoint directory; returns the zero time.
     * With a checkpoint directory, a metadata checkpoint is written after every batch.
     */
    private Time startBatches() {
        long now = clock.millis();
        Time zero = new Time(now - now % batchInterval.toMillis());
        Optional<String> dir = engine.checkpointDir();
        if (dir.isEmpty()) {
            runtime.start(zero);
            return zero;
        }
        EngineServices services = EngineServices.of(engine);
        MetadataCheckpointStore store = MetadataCheckpointStore.of(dir.get(), services.hadoopConf());
        Map<DStreamNode<?>, String> uids = runtime.graph().uids();
        if (resumable) {
            for (DStreamNode<?> node : runtime.graph().inputs()) {
                if (node instanceof QueueInputDStream<?>) {
                    throw new IllegalStateException("cannot start: stream " + node + " is a queueStream, which cannot "
                            + "be replayed after a crash, but this context resumes from checkpoints (getOrCreate); "
                            + "use a replayable input (files, a receiver, listStream) or a context without getOrCreate");
                }
            }
        }
        warnAboutDerivedUids(uids);
        Optional<RecoveredCheckpoint> found = resumable ? store.latest() : Optional.empty();
        if (!resumable && !store.checkpointFiles().isEmpty()) {
            throw new IllegalStateException("cannot start: checkpoint directory " + dir.get() + " already holds "
                    + "the checkpoint of another run (" + store.checkpointFiles().get(store.checkpointFiles().size() - 1)
                    + "); use StreamingContext.getOrCreate(\"" + dir.get() + "\", setup) to resume from it, or an "
                    + "empty checkpoint directory to start over");
        }
        String runDir = services.checkpointRunDir().orElseThrow();
        if (found.isEmpty()) {
            runtime.initialize(zero);
            runtime.startBatches(zero, new BatchCheckpointer(runtime.graph(), uids, store, runDir, zero, Map.of()));
            return zero;
        }
        Recovery recovery = Recovery.check(found.get(), runtime.graph(), uids, allowDroppingState);
        Time recoveredZero = recovery.zeroTime();
        runtime.initialize(recoveredZero);
        RecoveryReport report = recovery.restore(runtime.graph(), uids, dir.get());
        BatchCheckpointer checkpointer = new BatchCheckpointer(runtime.graph(), uids, store, runDir, recoveredZero,
                recovery.restoredStates());
        checkpointer.generatedBefore(recovery.recordedBatches());
        recoveryReport = report;
        log.info("{}", report.describe());
        runtime.startBatches(recovery.lastCompletedBatch(), checkpointer);
        return recoveredZero;
    }

    private static void warnAboutDerivedUids(Map<DStreamNode<?>, String> uids) {
        List<String> derived = new ArrayList<>();
        uids.forEach((node, uid) -> {
            if (node.explicitUid().isEmpty()) {
                derived.add(node + " as '" + uid + "'");
            }
        });
        if (!derived.isEmpty()) {
            log.warn("{} stateful or input stream(s) rely on derived ids, which change if such streams are added, removed "
                    + "or reordered, so a checkpoint may then not resume: {}; give each a stable id with uid(\"...\")",
                    derived.size(), derived);
        }
    }

    /**
     * Abandons the context as {@code kill -9} would: no graceful stop, no final checkpoint, no batch
     * completes after this instant; callable from any thread, a job's own included. For the test kit.
     */
    void abandon() {
        Lifecycle current = state.getAndSet(Lifecycle.STOPPED);
        if (current == Lifecycle.STOPPED) {
            return;
        }
        runtime.abandon();
        if (ownsEngine) {
            Thread closer = new Thread(engine::close, "sluice-abandon");
            closer.setDaemon(true);
            closer.start();
        }
        log.warn("streaming context abandoned (crash): nothing more is completed or checkpointed");
        terminated.countDown();
    }

    /** Stops at once (not gracefully): the running batch ends, queued ones are dropped. */
    public void stop() {
        stop(false);
    }

    /**
     * Stops. Graceful: stop receiving, process every batch of what was already received, then
     * stop; otherwise stop at once. Also closes the engine, unless it was passed to the builder.
     * Calling it again does nothing.
     */
    public synchronized void stop(boolean graceful) {
        Lifecycle current = state.get();
        if (current == Lifecycle.STOPPED) {
            return;
        }
        transition(Lifecycle.STOPPED);
        if (current == Lifecycle.ACTIVE) {
            runtime.stop(graceful, stopTimeout);
        }
        if (ownsEngine) {
            engine.close();
        }
        runtime.bus().post(StreamingListener::onStreamingStopped);
        log.info("streaming stopped{}", graceful ? " gracefully" : "");
        terminated.countDown();
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop(false);
    }

    /**
     * Blocks until the context stops.
     *
     * @throws SluiceException if it stopped because a batch failed (with {@code stopOnFailure}),
     *                         with that failure as cause
     */
    public void awaitTermination() throws InterruptedException {
        terminated.await();
        rethrowStopCause();
    }

    /** Blocks until the context stops or {@code timeout} passes; returns true if it stopped. */
    public boolean awaitTerminationOrTimeout(Duration timeout) throws InterruptedException {
        checkNotNull(timeout, "timeout");
        boolean stopped = terminated.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (stopped) {
            rethrowStopCause();
        }
        return stopped;
    }

    private void rethrowStopCause() {
        Throwable cause = stopCause;
        if (cause != null) {
            throw new SluiceException("streaming stopped because a batch failed: " + cause, cause);
        }
    }

    private void onBatchFailure(Throwable failure) {
        if (stopOnFailure && state.get() == Lifecycle.ACTIVE) {
            stopCause = failure;
            Thread stopper = new Thread(() -> stop(false), "sluice-stop-on-failure");
            stopper.setDaemon(true);
            stopper.start();
        }
    }

    private void transition(Lifecycle target) {
        Lifecycle current = state.get();
        if (!current.next().contains(target) || !state.compareAndSet(current, target)) {
            throw new IllegalStateException("cannot go from " + current + " to " + target);
        }
    }

    void checkCanAddOperation() {
        Lifecycle current = state.get();
        if (current == Lifecycle.ACTIVE) {
            throw new IllegalStateException(
                    "cannot add an operation after start(); define the whole pipeline before calling start()");
        }
        if (current == Lifecycle.STOPPED) {
            throw new IllegalStateException("cannot add an operation to a stopped StreamingContext; build a new one");
        }
    }

    StreamingRuntime runtime() {
        return runtime;
    }

    // ---------------------------------------------------------------- accessors

    /** Returns where the context is in its lifecycle. */
    public Lifecycle lifecycle() {
        return state.get();
    }

    /**
     * Returns where the context is in its lifecycle.
     *
     * @deprecated use {@link #lifecycle()}
     */
    @Deprecated
    public State state() {
        return State.valueOf(state.get().name());
    }

    /** Returns the batch engine that runs each batch's jobs. */
    public Engine engine() {
        return engine;
    }

    /** Returns the batch interval. */
    public Duration batchInterval() {
        return batchInterval;
    }

    /** Returns the clock batch times come from. */
    public Clock clock() {
        return clock;
    }

    /** Adds a listener of batch and receiver events. */
    public void addListener(StreamingListener listener) {
        runtime.bus().add(checkNotNull(listener, "listener"));
    }

    /** Removes a listener. */
    public void removeListener(StreamingListener listener) {
        runtime.bus().remove(checkNotNull(listener, "listener"));
    }

    /** Returns the counters of every receiver. */
    public List<ReceiverStatus> receiverStatuses() {
        return runtime.receiverStatuses();
    }

    /** Settings of a context; {@link #build()} checks them. */
    public static final class Builder {
        /** The settings of the engine the context creates; they check their own arguments. */
        private final Engine.Builder engineSettings = Engine.builder().appName("sluice-streaming");
        private Duration batchInterval;
        private Clock clock = Clock.system();
        private Engine engine;
        private int maxLineBytes = 1 << 20;
        private Duration receiverRestartDelay = Duration.ofMillis(100);
        private Duration receiverMaxRestartDelay = Duration.ofSeconds(5);
        private Duration stopTimeout = Duration.ofSeconds(30);
        private boolean stopOnFailure;
        private boolean backpressure = true;
        private double receiverMaxRate = Double.POSITIVE_INFINITY;
        private boolean allowDroppingState;

        private Builder() {
        }

        /**
         * Whether a context resuming from a checkpoint may drop the state of stateful operators its
         * graph no longer has (and start operators new in it with empty state); default false: such a
         * checkpoint is refused with a report of matched, missing and new uids.
         */
        public Builder allowDroppingStateOfRemovedOperators(boolean allow) {
            this.allowDroppingState = allow;
            return this;
        }

        /**
         * Whether receivers are slowed down when the engine falls behind (default true): each is
         * limited to its share of what the engine processes per second, so a source faster than
         * the pipeline cannot grow batches, delay and heap without bound. While the engine keeps
         * up, receivers are not limited. Applies under the system clock only: with another clock
         * the batch interval is not real time.
         */
        public Builder backpressure(boolean enabled) {
            this.backpressure = enabled;
            return this;
        }

        /** Sets the most records per second each receiver takes in, as a quota per batch (default: no limit). */
        public Builder receiverMaxRate(long recordsPerSecond) {
            checkArgument(recordsPerSecond > 0, "receiverMaxRate must be > 0 records/s, got %s", recordsPerSecond);
            this.receiverMaxRate = recordsPerSecond;
            return this;
        }

        /** Sets the name used in logs. */
        public Builder appName(String name) {
            engineSettings.appName(name);
            return this;
        }

        /** Sets the batch interval (required): one batch per interval. */
        public Builder batchInterval(Duration interval) {
            checkNotNull(interval, "batchInterval");
            checkArgument(interval.toMillis() > 0, "batchInterval must be at least 1 ms, got %s", interval);
            this.batchInterval = interval;
            return this;
        }

        /** Sets the number of worker threads of the engine the context creates (default: cores). */
        public Builder parallelism(int threads) {
            engineSettings.parallelism(threads);
            return this;
        }

        /** Sets the checkpoint directory, a Hadoop FileSystem URI; required by stateful operations. */
        public Builder checkpointDir(String uri) {
            engineSettings.checkpointDir(uri);
            return this;
        }

        /** Sets the clock (default: the system clock; tests use a manual clock). */
        public Builder clock(Clock newClock) {
            this.clock = checkNotNull(newClock, "clock");
            return this;
        }

        /** Runs batches on {@code existing} instead of a new engine; the context will not close it. */
        public Builder engine(Engine existing) {
            this.engine = checkNotNull(existing, "engine");
            return this;
        }

        /** Sets the longest line socket streams accept, in bytes (default 1 MiB); longer ones are dropped. */
        public Builder maxLineBytes(int bytes) {
            checkArgument(bytes > 0, "maxLineBytes must be > 0, got %s", bytes);
            this.maxLineBytes = bytes;
            return this;
        }

        /** Sets the first and the longest delay before a receiver is restarted (default 100 ms, 5 s). */
        public Builder receiverRestartDelay(Duration initial, Duration max) {
            checkNotNull(initial, "initial");
            checkNotNull(max, "max");
            checkArgument(!initial.isNegative() && initial.compareTo(max) <= 0,
                    "receiver restart delays must satisfy 0 <= initial (%s) <= max (%s)", initial, max);
            this.receiverRestartDelay = initial;
            this.receiverMaxRestartDelay = max;
            return this;
        }

        /** Sets how long stop() waits for running batches (default 30 s). */
        public Builder stopTimeout(Duration timeout) {
            this.stopTimeout = checkNotNull(timeout, "stopTimeout");
            return this;
        }

        /** Stops the context on the first failed batch (default: log it and go on). */
        public Builder stopOnFailure(boolean stop) {
            this.stopOnFailure = stop;
            return this;
        }

        /**
         * Builds the context.
         *
         * @throws IllegalStateException if no batch interval was set
         */
        public StreamingContext build() {
            if (batchInterval == null) {
                throw new IllegalStateException("batchInterval is required; call batchInterval(Duration.ofSeconds(1)) "
                        + "or similar before build()");
            }
            return new StreamingContext(this);
        }
    }
}
