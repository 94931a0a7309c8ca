package dev.sluice.streaming;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import dev.sluice.core.Engine;
import dev.sluice.core.SluiceException;
import dev.sluice.core.spi.EngineServices;
import dev.sluice.streaming.checkpoint.CheckpointDirectory;
import dev.sluice.streaming.checkpoint.MetadataCheckpointStore;
import dev.sluice.streaming.checkpoint.RecoveredCheckpoint;
import dev.sluice.streaming.dstream.DStreamNode;
import dev.sluice.streaming.dstream.FileInputDStream;
import dev.sluice.streaming.dstream.ListInputDStream;
import dev.sluice.streaming.dstream.OperatorKind;
import dev.sluice.streaming.dstream.QueueInputDStream;
import dev.sluice.streaming.dstream.ReceiverInputDStream;
import dev.sluice.streaming.dstream.RecordGuard;
import dev.sluice.streaming.dstream.UnionDStream;
import dev.sluice.streaming.function.FilePathFilter;
import dev.sluice.streaming.input.FileFormat;
import dev.sluice.streaming.dstream.MultiTransformedDStream;
import dev.sluice.streaming.function.MultiTransformFunction;
import dev.sluice.streaming.input.ReceiverSupervisor;
import dev.sluice.streaming.input.SocketReceiver;
import dev.sluice.streaming.recovery.BatchCheckpointer;
import dev.sluice.streaming.recovery.Recovery;
import dev.sluice.streaming.scheduler.StreamingRuntime;
import dev.sluice.streaming.ui.Observability;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
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
 * <p>Observability: while it runs, a context records Micrometer meters ({@code sluice.*}, see
 * {@link Builder#meterRegistry}) and serves a web UI and JSON API, by default at
 * {@code http://127.0.0.1:4040/} (see {@link Builder#webUi} and {@link #webUiUrl()}).
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
    private final Observability observability;
    private final AtomicReference<Lifecycle> state = new AtomicReference<>(Lifecycle.INITIALIZED);
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final AtomicReference<StopCause> stopCause = new AtomicReference<>();

    /** What stopped the context; {@code awaitTermination} throws a new exception from it on each call. */
    private record StopCause(Time batchTime, String what, Throwable failure) {
        StreamingFailedException toException() {
            return new StreamingFailedException(batchTime, what, failure);
        }
    }
    private DStream<FailedRecord<?>> deadLetters;
    private volatile StopReport stopReport;
    private final boolean allowDroppingState;
    /** Set by {@link #getOrCreate}: start() resumes from the checkpoint directory if it holds a checkpoint. */
    private volatile boolean resumable;
    private volatile RecoveryReport recoveryReport;
    private final boolean backpressure;

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
                (time, failure) -> stopBecause(new StopCause(time, "the batch generator failed", failure)),
                this::checkCanAddOperation);
        this.receiverMaxRate = b.receiverMaxRate;
        this.observability = new Observability(runtime, engine, clock, batchInterval, new Observability.Settings(
                b.meterRegistry != null ? b.meterRegistry : new SimpleMeterRegistry(), b.webUi, b.webUiBindAddress,
                b.webUiPort, b.retainedBatches, b.throttleWarningBatches));
        if (b.badRecordPolicy != BadRecordPolicy.FAIL) {
            runtime.graph().setRecordGuard(new RecordGuard(engine, b.badRecordPolicy));
        }
        if (b.writeAheadLog && engine.checkpointDir().isPresent()) {
            runtime.receiverTracker().useWriteAheadLog(engine.checkpointDir().get() + "/receiver-log",
                    EngineServices.of(engine).hadoopConf());
        }
        // Backpressure weighs wall-clock processing time against the batch interval, which is real
        // time only under the system clock; under a manual clock (tests) it would throttle at random.
        this.backpressure = b.backpressure && clock == Clock.system();
        if (backpressure) {
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
     * A last line without its newline when the peer closes is dropped and counted, never
     * delivered half; there is no read timeout (see {@link SocketOptions} for both).
     */
    public DStream<String> socketTextStream(String host, int port) {
        return socketTextStream(host, port, maxLineBytes);
    }

    /** {@link #socketTextStream(String, int)}, dropping (and counting) lines longer than {@code maxLineBytes}. */
    public DStream<String> socketTextStream(String host, int port, int maxLineBytes) {
        checkArgument(maxLineBytes > 0, "maxLineBytes must be > 0, got %s", maxLineBytes);
        return socketTextStream(host, port, SocketOptions.defaults().withMaxLineBytes(maxLineBytes));
    }

    /**
     * {@link #socketTextStream(String, int)} with {@code options}: the longest line, a read timeout
     * after which a silent peer is taken as gone (and reconnected), and whether a last line
     * without its newline at close is kept (by default it is dropped and counted: a peer that
     * closes mid-line sent half a record). See {@link SocketOptions}.
     */
    public DStream<String> socketTextStream(String host, int port, SocketOptions options) {
        checkNotNull(host, "host");
        checkArgument(port > 0 && port < 65536, "port must be in 1..65535, got %s", port);
        checkNotNull(options, "options");
        return receiverStream(new SocketReceiver(host, port, options));
    }

    /** Returns a stream of the records {@code receiver} stores. */
    public <T> DStream<T> receiverStream(Receiver<T> receiver) {
        checkNotNull(receiver, "receiver");
        ReceiverInputDStream<T> input = new ReceiverInputDStream<>(runtime.graph(), runtime.receiverTracker(),
                streamId -> new ReceiverSupervisor<>(receiver, streamId,
                        error -> runtime.bus().post(l -> l.onReceiverError(error)), receiverRestartDelay,
                        receiverMaxRestartDelay), receiver.name());
        receiver.attach(input.supervisor());
        input.supervisor().useClock(clock::millis);
        if (!Double.isInfinite(receiverMaxRate)) {
            input.supervisor().setMaxBatchQuota(Math.max(1, Math.round(receiverMaxRate * batchInterval.toMillis() / 1000.0)));
        }
        return new DStream<>(this, input);
    }

    /**
     * Returns a stream of the UTF-8 lines of the files that appear in directory {@code uri} (any
     * Hadoop FileSystem URI) after start, each file read once: the records of {@link
     * #fileStream(String, FilePathFilter, boolean) fileStream(uri, path -> true, true)}, under the
     * name {@code textFileStream <uri>}.
     */
    public DStream<String> textFileStream(String uri) {
        checkNotNull(uri, "uri");
        return fileStream(OperatorKind.FILE_INPUT, uri, path -> true, true, FileFormat.lines());
    }

    /**
     * Returns a stream of the UTF-8 lines of the files in directory {@code uri} (any Hadoop
     * FileSystem URI) that {@code filter} accepts, each file read once, one partition per file.
     *
     * <p>Rules, for a batch at time {@code t}:
     * <ul>
     *   <li>Only complete files are read: a file is read when its modification time is at least
     *       one batch interval before {@code t}. Move finished files in atomically (write them
     *       elsewhere, or under a name starting with '.' or '_', which is never read, then rename):
     *       a rename keeps the modification time, so such a file is read at once if it was written
     *       at least an interval earlier, else one batch later. A file written in place is held
     *       back until nobody has written to it for a whole interval, so it is never read half-way.
     *   <li>A file is read once: if it changes (length or modification time) after it was read, it
     *       is reported to {@link StreamingListener#onInputFileProblem} and logged at WARN with its
     *       name, and not read again.
     *   <li>A file deleted between the listing and its task is reported the same way; the batch
     *       reads its other files and does not fail.
     *   <li>With {@code newFilesOnly}, files present at start are never read; without it, they are
     *       read like new ones (in the first batch, if complete).
     *   <li>Modification times are the file system's, batch times the context's clock: under a
     *       manual clock (tests), set files' times relative to it ({@code File.setLastModified}).
     * </ul>
     */
    public DStream<String> fileStream(String uri, FilePathFilter filter, boolean newFilesOnly) {
        checkNotNull(uri, "uri");
        checkNotNull(filter, "filter");
        return fileStream(OperatorKind.FILTERED_FILE_INPUT, uri, filter, newFilesOnly, FileFormat.lines());
    }

    /**
     * Returns a stream of the fixed-length binary records of the files that appear in directory
     * {@code uri} after start: each file is cut into records of {@code recordLength} bytes, one
     * {@code byte[]} each. The rules of {@link #fileStream(String, FilePathFilter, boolean)} apply.
     * A file whose length is not a multiple of {@code recordLength} fails its batch with an error
     * naming the file, its length and the record length.
     *
     * @throws IllegalArgumentException if {@code recordLength <= 0}
     */
    public DStream<byte[]> binaryRecordsStream(String uri, int recordLength) {
        checkNotNull(uri, "uri");
        checkArgument(recordLength > 0, "recordLength must be > 0 bytes, got %s", recordLength);
        return fileStream(OperatorKind.BINARY_RECORDS_INPUT, uri, path -> true, true,
                FileFormat.fixedLength(recordLength));
    }

    private <T> DStream<T> fileStream(OperatorKind kind, String uri, FilePathFilter filter, boolean newFilesOnly,
                                      FileFormat<T> format) {
        return new DStream<>(this, new FileInputDStream<>(runtime.graph(), kind, uri, filter, newFilesOnly, format,
                problem -> runtime.bus().post(l -> l.onInputFileProblem(problem))));
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

    /**
     * Returns the stream whose dataset at each batch is {@code f} of the datasets of {@code
     * streams} at that batch (in the order given), and its time: a per-batch operation over
     * several streams of the same slide. A batch in which any of the streams has no dataset has
     * none either.
     *
     * @throws IllegalArgumentException if {@code streams} is empty, their slides differ or one
     *                                  belongs to another context
     */
    public <R> DStream<R> transform(List<? extends DStream<?>> streams, MultiTransformFunction<R> f) {
        checkNotNull(streams, "streams");
        checkNotNull(f, "f");
        List<DStreamNode<?>> nodes = new ArrayList<>(streams.size());
        for (DStream<?> s : streams) {
            checkArgument(s.context() == this, "stream %s belongs to another context", s);
            nodes.add(s.node());
        }
        return new DStream<>(this, new MultiTransformedDStream<R>(nodes, f::call));
    }

    /**
     * Returns the dead-letter stream: the records skipped under {@link BadRecordPolicy#SKIP},
     * each with its operator and exception, to write anywhere (a file, a topic, a table). A
     * record skipped while batch {@code t} ran appears in the first batch generated after {@code
     * t} completed (usually the next one). Calling it again returns the same stream.
     *
     * @throws IllegalStateException if the policy is not {@code SKIP} (nothing would ever arrive),
     *                               or on the first call after start
     */
    public synchronized DStream<FailedRecord<?>> deadLetters() {
        RecordGuard guard = runtime.graph().recordGuard();
        checkState(guard.skips(), "deadLetters() needs StreamingContext.builder().badRecordPolicy(BadRecordPolicy.SKIP);"
                + " under %s a failing record fails its batch and is never a dead letter", guard.policy());
        if (deadLetters == null) {
            deadLetters = new DStream<>(this, new QueueInputDStream<>(runtime.graph(), guard.deadLetterQueue(), false));
            deadLetters.setName("deadLetters");
            guard.readDeadLetters();
        }
        return deadLetters;
    }

    /**
     * Makes every stream of this context keep its batches' datasets for at least {@code
     * duration} (beyond what its own operations need), so that {@link DStream#slice} can query
     * that far back. Remembered datasets stay in memory (or on disk, as persisted) that long.
     *
     * @throws IllegalArgumentException if {@code duration} is not positive
     * @throws IllegalStateException if the context has already started
     */
    public StreamingContext remember(Duration duration) {
        checkNotNull(duration, "duration");
        checkArgument(!duration.isNegative() && !duration.isZero(), "remember duration must be positive, got %s",
                duration);
        runtime.graph().rememberAtLeast(duration);
        return this;
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Starts receiving and processing: checks the pipeline, starts the receivers and the batch
     * clock. The first batch is at the next multiple of the batch interval.
     *
     * @throws IllegalStateException if already started or stopped, if no output is defined, or if
     *                               a stream needs a checkpoint directory the context lacks, or if
     *                               the checkpoint directory is not a valid URI, is a file, lies under
     *                               a file, or cannot be created or written (the message names it)
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
        engine.checkpointDir().ifPresent(dir -> CheckpointDirectory.check(dir, EngineServices.of(engine).hadoopConf()));
        long now = clock.millis();
        observability.start(now - now % batchInterval.toMillis());
        Time zero;
        try {
            zero = startBatches();
        } catch (RuntimeException e) {
            observability.stop();
            throw e;
        }
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
            runtime.initialize(zero);
            runtime.graph().openOutputs(null, EngineServices.of(engine).hadoopConf(), null);
            runtime.startBatches(zero, null);
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
            runtime.graph().openOutputs(dir.get(), services.hadoopConf(), null);
            runtime.startBatches(zero, new BatchCheckpointer(runtime.graph(), uids, store, runDir, zero, Map.of(),
                    dir.get(), this::postCheckpointWritten));
            return zero;
        }
        Recovery recovery = Recovery.check(found.get(), runtime.graph(), uids, allowDroppingState);
        Time recoveredZero = recovery.zeroTime();
        runtime.initialize(recoveredZero);
        RecoveryReport report = recovery.restore(runtime.graph(), uids, dir.get());
        BatchCheckpointer checkpointer = new BatchCheckpointer(runtime.graph(), uids, store, runDir, recoveredZero,
                recovery.restoredStates(), dir.get(), this::postCheckpointWritten);
        checkpointer.generatedBefore(recovery.recordedBatches());
        recoveryReport = report;
        log.info("{}", report.describe());
        runtime.graph().openOutputs(dir.get(), services.hadoopConf(), recovery.lastCompletedBatch());
        runtime.startBatches(recovery.lastCompletedBatch(), checkpointer);
        return recoveredZero;
    }

    private void postCheckpointWritten(dev.sluice.streaming.CheckpointInfo info) {
        runtime.bus().post(l -> l.onCheckpointWritten(info));
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
            stopReport = runtime.stop(graceful, stopTimeout);
            runtime.graph().closeOutputs();
        }
        observability.stop();
        if (ownsEngine) {
            engine.close();
        }
        runtime.bus().post(StreamingListener::onStreamingStopped);
        log.info("streaming stopped{}", graceful ? " gracefully" : "");
        terminated.countDown();
    }

    /**
     * Returns what the stop did once the context stopped: whether a graceful stop ran past its
     * timeout and which batches (and how many input records) were dropped; empty before a stop,
     * or if the context never started.
     */
    public java.util.Optional<StopReport> stopReport() {
        return java.util.Optional.ofNullable(stopReport);
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop(false);
    }

    /**
     * Blocks until the context stops.
     *
     * @throws StreamingFailedException if it stopped because of an error: a failed batch (with
     *                                  {@code stopOnFailure}) or a failed batch generator; it names
     *                                  the batch time and has the user's exception as cause
     */
    public void awaitTermination() throws InterruptedException {
        terminated.await();
        rethrowStopCause();
    }

    /**
     * Blocks until the context stops or {@code timeout} passes; returns true if it stopped.
     *
     * @throws StreamingFailedException if it stopped because of an error, as {@link #awaitTermination()}
     */
    public boolean awaitTerminationOrTimeout(Duration timeout) throws InterruptedException {
        checkNotNull(timeout, "timeout");
        boolean stopped = terminated.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (stopped) {
            rethrowStopCause();
        }
        return stopped;
    }

    private void rethrowStopCause() {
        StopCause cause = stopCause.get();
        if (cause != null) {
            throw cause.toException();
        }
    }

    private void onBatchFailure(Time time, Throwable failure) {
        if (stopOnFailure) {
            stopBecause(new StopCause(time, "a batch failed", failure));
        }
    }

    /** Records the first error that stops the context, and stops it on a thread of its own. */
    private void stopBecause(StopCause cause) {
        if (state.get() == Lifecycle.ACTIVE && stopCause.compareAndSet(null, cause)) {
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

    /** Whether backpressure is on (for rate-limited inputs, through the streaming SPI). */
    boolean backpressure() {
        return backpressure;
    }

    /** The metrics and UI (for tests in this package). */
    Observability observability() {
        return observability;
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

    /**
     * Returns the address of the web UI's front page while the context runs with the UI on (see
     * {@link Builder#webUi(boolean)}), e.g. {@code http://127.0.0.1:4040/}; empty before start,
     * after stop, or with the UI off.
     */
    public Optional<URI> webUiUrl() {
        return observability.url();
    }

    /** Returns the registry the context's meters are in: the one given to the builder, or its default. */
    public MeterRegistry meterRegistry() {
        return observability.registry();
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
        private MeterRegistry meterRegistry;
        private boolean webUi = true;
        private String webUiBindAddress = "127.0.0.1";
        private int webUiPort = 4040;
        private int retainedBatches = 1_000;
        private int throttleWarningBatches = 10;
        private BadRecordPolicy badRecordPolicy = BadRecordPolicy.FAIL;
        private boolean writeAheadLog = true;
        private boolean allowDroppingState;

        private Builder() {
        }

        /**
         * Sets the Micrometer registry the context's meters go to (default: a new
         * {@code SimpleMeterRegistry}). Pass a {@code PrometheusMeterRegistry} or
         * {@code JmxMeterRegistry} to export them; meters are named {@code sluice.*} and removed
         * from the registry when the context stops.
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = checkNotNull(registry, "meterRegistry");
            return this;
        }

        /**
         * Whether the context serves its web UI and JSON API while it runs (default true), at
         * {@code http://127.0.0.1:4040/} or the next free port; see {@link StreamingContext#webUiUrl()}.
         */
        public Builder webUi(boolean enabled) {
            this.webUi = enabled;
            return this;
        }

        /** Sets the web UI's port (default 4040; if taken, the next free one); 0 takes any free port. */
        public Builder webUiPort(int port) {
            checkArgument(port >= 0 && port < 65536, "webUiPort must be in 0..65535 (0: any free port), got %s", port);
            this.webUiPort = port;
            return this;
        }

        /**
         * Sets the address the web UI listens on (default {@code 127.0.0.1}, this machine only);
         * {@code 0.0.0.0} serves every network interface, to anyone who can reach the port.
         */
        public Builder webUiBindAddress(String address) {
            this.webUiBindAddress = checkNotNull(address, "webUiBindAddress");
            return this;
        }

        /** Sets how many completed batches the UI and JSON API keep (default 1,000). */
        public Builder retainedBatches(int batches) {
            checkArgument(batches > 0, "retainedBatches must be > 0, got %s", batches);
            this.retainedBatches = batches;
            return this;
        }

        /**
         * Sets after how many consecutive batches in which backpressure held a receiver one WARN
         * says the source is faster than the pipeline (default 10); the UI then says the stream is behind.
         */
        public Builder throttleWarningBatches(int batches) {
            checkArgument(batches > 0, "throttleWarningBatches must be > 0, got %s", batches);
            this.throttleWarningBatches = batches;
            return this;
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

        /**
         * Whether received records go through a write-ahead log in the checkpoint directory
         * (default true; applies only when a checkpoint directory is set). With the log, a record
         * is durable before {@link Receiver#store} returns, so a reliable receiver may acknowledge
         * its source after {@code store}, and a restarted context can replay what a crash
         * interrupted. Off: received records live only in memory until their batch ran.
         */
        public Builder writeAheadLog(boolean enabled) {
            this.writeAheadLog = enabled;
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

        /**
         * Sets a Hadoop configuration property of the engine the context creates, used for every
         * file system access: checkpoints, file streams, {@code saveAsTextFiles} and {@link
         * ManifestFileSink} (see {@code Engine.Builder.hadoopProperty}).
         */
        public Builder hadoopProperty(String key, String value) {
            engineSettings.hadoopProperty(key, value);
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
            checkNotNull(timeout, "stopTimeout");
            checkArgument(!timeout.isNegative() && !timeout.isZero(),
                    "stopTimeout must be > 0 (how long a stop waits for running batches), got %s", timeout);
            this.stopTimeout = timeout;
            return this;
        }

        /**
         * Sets what happens to a record whose function throws in an element-wise operation
         * (default {@link BadRecordPolicy#FAIL}: its task, and then its batch, fails). Under
         * {@link BadRecordPolicy#SKIP} the record is skipped and reported to listeners
         * ({@link StreamingListener#onRecordFailed}) and to {@link StreamingContext#deadLetters()}.
         */
        public Builder badRecordPolicy(BadRecordPolicy policy) {
            this.badRecordPolicy = checkNotNull(policy, "policy");
            return this;
        }

        /**
         * Stops the context on the first failed batch (default: log it and go on); {@code
         * awaitTermination} then throws a {@link StreamingFailedException} naming the batch, with the
         * user's exception as cause. A failure of the batch generator itself always stops the context.
         */
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
