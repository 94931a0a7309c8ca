package dev.sluice.streaming.output;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.core.Dataset;
import dev.sluice.core.spi.UserExceptions;
import dev.sluice.streaming.OutputBatch;
import dev.sluice.streaming.OutputContext;
import dev.sluice.streaming.TransactionalSink;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's side of the {@link TransactionalSink} protocol for one output, per batch:
 * {@code isCommitted} (if the sink committed it already, nothing else), {@code begin}, one task
 * per partition calling {@code writePartition} (retried as any task), {@code commit}; if a step
 * throws, {@code abort} and the batch fails. The caller (the job scheduler) then writes the
 * output commit log entry.
 *
 * <p>Threading: batches one at a time on the job thread; {@code writePartition} on task threads.
 */
public final class TransactionalOutput<T> {
    private static final Logger log = LoggerFactory.getLogger(TransactionalOutput.class);

    private final TransactionalSink<T> sink;
    private final BooleanSupplier abandoned;

    /**
     * Drives {@code sink}; once {@code abandoned} is true (the context crashed), nothing more is
     * called on it: a killed process would not commit or abort either.
     */
    public TransactionalOutput(TransactionalSink<T> sink, BooleanSupplier abandoned) {
        this.sink = checkNotNull(sink, "sink");
        this.abandoned = checkNotNull(abandoned, "abandoned");
    }

    /** Opens the sink, once, before the first batch. */
    public void open(OutputContext context) throws Exception {
        sink.open(context);
    }

    /** Writes {@code dataset} as batch {@code batch} through the protocol. */
    public void write(Dataset<T> dataset, OutputBatch batch) throws Exception {
        long id = batch.batchId();
        if (sink.isCommitted(id)) {
            log.info("batch {}: sink of output '{}' already committed it (before a crash); recording it only", id,
                    batch.outputUid());
            return;
        }
        try {
            sink.begin(id, batch.replay());
            new SinkWriteDataset<>(dataset, sink, id, batch.outputUid()).toDataset().count();
            if (abandoned.getAsBoolean()) {
                return;
            }
            sink.commit(id);
        } catch (Exception | Error e) {
            if (!abandoned.getAsBoolean()) {
                abort(id, e);
            }
            throw e;
        }
        log.debug("batch {}: sink of output '{}' committed", id, batch.outputUid());
    }

    private void abort(long id, Throwable e) {
        try {
            sink.abort(id, UserExceptions.unwrap(e));
        } catch (RuntimeException | Error suppressed) {
            e.addSuppressed(suppressed);
        }
    }

    /** Closes the sink when the context stops. */
    public void close() throws Exception {
        sink.close();
    }
}
