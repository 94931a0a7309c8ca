package dev.sluice.streaming;

import java.io.Serializable;
import java.util.Iterator;

/**
 * An output that the engine drives through a commit protocol, so that each batch's records take
 * effect exactly once across crashes, restarts and upgrades (the transaction-id rule: the sink
 * keeps the id of each batch it committed with the data, and a batch it already committed is not
 * applied again).
 *
 * <p>For each batch the engine calls {@link #isCommitted}; if the sink already committed that
 * batch (a replay after a crash between the sink's commit and the engine's output commit log),
 * nothing else is called. Otherwise it calls {@link #begin}, then {@link #writePartition} once per
 * partition of the batch's dataset (possibly concurrently, from task threads, and again for a
 * partition whose task attempt failed and was retried), then {@link #commit}, and then records
 * the batch in its output commit log. If any step throws, it calls {@link #abort} and the batch
 * fails. After a crash, a batch that was begun but not committed is begun again, with
 * {@code replay} set (it is set for every batch the crashed run may have begun, so it may also be
 * set for one that run never reached; see {@code OutputBatch.replay()}). A batch the output
 * commit log records is not run again at all: not even {@link #isCommitted} is called for it.
 *
 * <p>Drive a sink with {@code DStream.writeTransactionally(sink)}; {@code writePartition} runs
 * as ordinary tasks of the engine, so a failed attempt is retried up to the engine's
 * {@code maxTaskAttempts}. After a crash (a killed process) nothing more is called on the sink
 * instance of the crashed run: neither {@code commit} nor {@code abort}.
 *
 * <p>The batch id is the batch time in milliseconds: the same for a batch across restarts and
 * upgrades of the program. Batches are committed in time order, one at a time.
 *
 * @param <T> the record type
 */
public interface TransactionalSink<T> extends Serializable {

    /**
     * Called once on the driver before the first batch (after recovery), with the uid of the
     * output operation (stable across restarts: use it to name transactional ids or directories).
     */
    default void open(String outputUid) throws Exception {
    }

    /**
     * Called once on the driver before the first batch (after recovery), with the output's uid,
     * the application's checkpoint directory and who writes. The engine calls this one; by
     * default it calls {@link #open(String)} with the uid. A sink that wraps another passes it on.
     */
    default void open(OutputContext context) throws Exception {
        open(context.outputUid());
    }

    /** Whether this sink already committed batch {@code batchId}, by its own durable record. */
    boolean isCommitted(long batchId) throws Exception;

    /** Begins batch {@code batchId}; {@code replay} is true when a previous run began it and did not commit it. */
    void begin(long batchId, boolean replay) throws Exception;

    /**
     * Writes partition {@code partition} of batch {@code batchId}. A retried attempt of the same
     * partition calls this again: the sink must make only one attempt's records take effect (or
     * tolerate the repeat, as an at-least-once sink).
     */
    void writePartition(long batchId, int partition, Iterator<T> records) throws Exception;

    /** Makes batch {@code batchId} take effect, atomically, durably. */
    void commit(long batchId) throws Exception;

    /** Undoes what batch {@code batchId} wrote (it failed); must not throw. */
    void abort(long batchId, Throwable cause);

    /** Called once when the context stops. */
    default void close() throws Exception {
    }
}
