package dev.sluice.streaming.dstream;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.core.Dataset;
import dev.sluice.streaming.OutputBatch;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.function.ForeachBatchFunction;
import dev.sluice.streaming.output.OutputCommitLog;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An output operation ({@code foreachBatch}, {@code print}, {@code saveAsTextFiles},
 * {@code writeTransactionally}): registers itself as an output of the graph and yields one job
 * per batch that runs its {@link Action} with the parent's dataset.
 *
 * <p>Exactly-once bookkeeping: unless made {@link #atLeastOnce()} (print is), an output has a
 * uid ({@link DStreamGraph#outputUids()}) and, with a checkpoint directory, an
 * {@link OutputCommitLog}: a batch whose entry exists (a replay after a crash that followed this
 * output's success) is not run again; its dataset is still computed, so the state it depends on
 * advances and checkpoints as in the first run.
 *
 * <p>Threading: configured on the user's thread, {@link #open} on the starting thread, jobs on
 * the job thread; fields are volatile.
 */
public final class OutputDStream<T> extends SingleParentNode<T, Void> {
    private static final Logger log = LoggerFactory.getLogger(OutputDStream.class);

    /** What an output does with each batch, and with its lifecycle. */
    public interface Action<T> {
        /** Writes the dataset of {@code batch}. */
        void run(Dataset<T> dataset, OutputBatch batch) throws Exception;

        /** Called once at start, with the output's uid. */
        default void open(String uid) throws Exception {
        }

        /** Called once when the context stops. */
        default void close() throws Exception {
        }
    }

    private final Action<T> action;
    private volatile boolean committed = true;
    private volatile String explicitUid;
    private volatile String uid;
    private volatile OutputCommitLog commits;
    private volatile long replayAfter = Long.MAX_VALUE;
    private volatile long replayUntil = Long.MIN_VALUE;

    /** Creates the output of {@code kind} over {@code parent} and registers it. */
    public OutputDStream(DStreamNode<T> parent, OperatorKind kind, Action<T> action) {
        super(parent, kind);
        this.action = checkNotNull(action, "action");
        setName(kind.operation() + " of " + parent.name());
        graph().addOutput(this);
    }

    /** Returns the action that calls {@code function} with each batch's dataset and time. */
    public static <T> Action<T> timed(ForeachBatchFunction<T> function) {
        checkNotNull(function, "function");
        return (ds, batch) -> function.call(ds, batch.time());
    }

    /** Gives this output the stable uid its commit log is kept under. */
    public void setOutputUid(String newUid) {
        checkNotNull(newUid, "uid");
        checkArgument(!newUid.isBlank() && newUid.strip().equals(newUid),
                "output uid must be non-blank, without leading or trailing spaces, got '%s'", newUid);
        this.explicitUid = newUid;
    }

    /** Returns the uid given with {@link #setOutputUid}, if any. */
    public Optional<String> explicitOutputUid() {
        return Optional.ofNullable(explicitUid);
    }

    /** Makes this output run again for replayed batches: no commit log. */
    public void atLeastOnce() {
        this.committed = false;
    }

    /** Returns true if this output keeps a commit log (when the context has a checkpoint directory). */
    public boolean isCommitted() {
        return committed;
    }

    /**
     * Opens the output at start: {@code commitLog} is its log (null without a checkpoint directory,
     * or for an at-least-once output); the batches after {@code replayAfter} up to
     * {@code replayUntil} (ms) are replays, which a crashed run may have begun writing.
     *
     * @throws Exception what the action's open throws
     */
    public void open(String outputUid, OutputCommitLog commitLog, long replayAfter, long replayUntil) throws Exception {
        this.uid = checkNotNull(outputUid, "outputUid");
        this.commits = commitLog;
        this.replayAfter = replayAfter;
        this.replayUntil = replayUntil;
        action.open(outputUid);
    }

    /** Closes the output when the context stops. */
    public void close() throws Exception {
        action.close();
    }

    /** An output has no dataset of its own: its work is {@link #jobAt}. */
    @Override
    protected Optional<Dataset<Void>> compute(Time time) {
        return Optional.empty();
    }

    /** Returns the job of batch {@code time}, if the parent has a dataset then. */
    public Optional<BatchJob> jobAt(Time time) {
        Optional<Dataset<T>> ds = parent().datasetAt(time);
        return ds.map(dataset -> {
            OutputBatch batch = new OutputBatch(time, time.millis() > replayAfter && time.millis() <= replayUntil,
                    uid == null ? "" : uid);
            OutputCommitLog log = commits;
            BatchJob.Body body = () -> action.run(dataset, batch);
            return new BatchJob(time, toString(), body, log == null ? BatchJob.Commit.NONE
                    : new LoggedCommit(log, dataset, time));
        });
    }

    /** The commit log entry of one batch of this output. */
    private final class LoggedCommit implements BatchJob.Commit {
        private final OutputCommitLog commitLog;
        private final Dataset<T> dataset;
        private final Time time;

        LoggedCommit(OutputCommitLog commitLog, Dataset<T> dataset, Time time) {
            this.commitLog = commitLog;
            this.dataset = dataset;
            this.time = time;
        }

        @Override
        public boolean isCommitted() {
            return commitLog.isCommitted(time.millis());
        }

        @Override
        public void skip() {
            log.info("batch {}: output {} ('{}') was committed by an earlier run; not run again", time.millis(),
                    OutputDStream.this, commitLog.uid());
            dataset.count();
        }

        @Override
        public void record() {
            commitLog.commit(time.millis());
        }

        @Override
        public boolean isLogged() {
            return true;
        }
    }
}
