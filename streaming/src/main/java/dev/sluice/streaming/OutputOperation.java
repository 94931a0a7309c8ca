package dev.sluice.streaming;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.streaming.dstream.OutputDStream;

/**
 * The handle of an output operation ({@code foreachBatch}, {@code foreachBatchWithId},
 * {@code print}, {@code saveAsTextFiles}, {@code writeTransactionally}), to give it a stable
 * identity before the context starts.
 *
 * <p>With a checkpoint directory, every output except {@code print} keeps an <b>output commit
 * log</b> there, under its uid: once the output succeeded for a batch, the batch is recorded, and
 * after a crash a replayed batch the log records is not written again (its dataset is still
 * computed, so state advances as in the first run). A crash after the output's side effect and
 * before the record is the one window left: a replayed batch then runs again with
 * {@link OutputBatch#replay()} true, which idempotent writers and {@link TransactionalSink}s
 * close. Outputs without a uid get one derived from their kind and position among the logged
 * outputs, which changes when outputs are added, removed or reordered; give each a stable one
 * with {@link #uid(String)}.
 *
 * <p>Not thread-safe; configure it on the thread that defines the pipeline.
 */
public final class OutputOperation {
    private final StreamingContext context;
    private final OutputDStream<?> node;

    OutputOperation(StreamingContext context, OutputDStream<?> node) {
        this.context = context;
        this.node = node;
    }

    /**
     * Gives this output the stable identity {@code uid}, under which its commit log is kept (and
     * which a {@link TransactionalSink} gets in {@code open}); unique among the context's outputs.
     * Returns this handle.
     *
     * @throws IllegalArgumentException if {@code uid} is blank or has leading or trailing spaces
     * @throws IllegalStateException    if the context has started
     */
    public OutputOperation uid(String uid) {
        checkNotNull(uid, "uid");
        context.checkCanAddOperation();
        node.setOutputUid(uid);
        return this;
    }

    /** Names this output, for logs, errors and the UI; returns this handle. */
    public OutputOperation name(String name) {
        checkNotNull(name, "name");
        node.setName(name);
        return this;
    }

    /** Returns the output's name: the one given with {@link #name(String)}, or the operation's. */
    public String name() {
        return node.name();
    }

    /**
     * Makes this output run again for every replayed batch (at-least-once), without a commit log:
     * for outputs whose effect does not outlive the process, such as printing, metrics or an
     * in-memory collection. {@code print} is at-least-once already. Returns this handle.
     *
     * @throws IllegalStateException if the context has started
     */
    public OutputOperation atLeastOnce() {
        context.checkCanAddOperation();
        node.atLeastOnce();
        return this;
    }

    /** Returns true unless {@link #atLeastOnce()} was called (or this is a {@code print}). */
    public boolean isCommitLogged() {
        return node.isCommitted();
    }

    @Override
    public String toString() {
        return node.toString();
    }
}
