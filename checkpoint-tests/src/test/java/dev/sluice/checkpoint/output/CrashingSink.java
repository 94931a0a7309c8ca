package dev.sluice.checkpoint.output;

import dev.sluice.streaming.OutputContext;
import dev.sluice.streaming.TransactionalSink;
import java.util.Iterator;
import java.util.function.LongConsumer;
import java.util.function.LongPredicate;

/**
 * A transactional sink that hands every call to another one and runs hooks just before and just
 * after its commit: a test crashes the kit there, between a batch's data files and its manifest
 * entry, or between the entry and the output commit log.
 */
public final class CrashingSink<T> implements TransactionalSink<T> {
    private final TransactionalSink<T> delegate;
    volatile LongPredicate beforeCommit = b -> false;
    volatile LongConsumer afterCommit = b -> { };

    public CrashingSink(TransactionalSink<T> delegate) {
        this.delegate = delegate;
    }

    /**
     * Sets the hook run with the batch id before the delegate commits; if it returns true (it
     * crashed the kit), the commit is not made, as in a killed process. Returns this sink.
     */
    public CrashingSink<T> beforeCommit(LongPredicate hook) {
        this.beforeCommit = hook;
        return this;
    }

    /** Sets the hook run with the batch id after the delegate committed; returns this sink. */
    public CrashingSink<T> afterCommit(LongConsumer hook) {
        this.afterCommit = hook;
        return this;
    }

    @Override
    public void open(OutputContext context) throws Exception {
        delegate.open(context);
    }

    @Override
    public boolean isCommitted(long batchId) throws Exception {
        return delegate.isCommitted(batchId);
    }

    @Override
    public void begin(long batchId, boolean replay) throws Exception {
        delegate.begin(batchId, replay);
    }

    @Override
    public void writePartition(long batchId, int partition, Iterator<T> records) throws Exception {
        delegate.writePartition(batchId, partition, records);
    }

    @Override
    public void commit(long batchId) throws Exception {
        if (beforeCommit.test(batchId)) {
            throw new IllegalStateException("crashed before the commit of batch " + batchId);
        }
        delegate.commit(batchId);
        afterCommit.accept(batchId);
    }

    @Override
    public void abort(long batchId, Throwable cause) {
        delegate.abort(batchId, cause);
    }

    @Override
    public void close() throws Exception {
        delegate.close();
    }
}
