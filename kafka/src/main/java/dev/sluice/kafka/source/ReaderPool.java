package dev.sluice.kafka.source;

import dev.sluice.kafka.KafkaRecord;
import dev.sluice.kafka.OffsetRange;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Consumer;

/**
 * The range readers of one direct stream, shared by its tasks: a task borrows an idle reader (or
 * makes one), reads its range and gives the reader back, so each worker thread keeps reusing a
 * consumer and its connections instead of opening one per batch. A reader whose read failed is
 * closed, not given back (its consumer may be in any state).
 *
 * <p>Threading: thread-safe; {@link #close} closes the idle readers and every reader given back after it.
 */
final class ReaderPool<K, V> implements AutoCloseable {
    private final Properties consumerProperties;
    private final ConcurrentLinkedDeque<RangeReader<K, V>> idle = new ConcurrentLinkedDeque<>();
    private volatile boolean closed;

    ReaderPool(Properties consumerProperties) {
        this.consumerProperties = consumerProperties;
    }

    /** Reads {@code range} into {@code sink} with a pooled reader; returns how many records. */
    long read(OffsetRange range, Consumer<? super KafkaRecord<K, V>> sink) {
        if (range.isEmpty()) {
            return 0;
        }
        RangeReader<K, V> reader = idle.pollFirst();
        if (reader == null) {
            reader = new RangeReader<>(consumerProperties);
        }
        long n;
        try {
            n = reader.read(range, sink);
        } catch (RuntimeException | Error e) {
            reader.close();
            throw e;
        }
        idle.offerFirst(reader);
        if (closed) {
            close();
        }
        return n;
    }

    @Override
    public void close() {
        closed = true;
        for (RangeReader<K, V> r = idle.pollFirst(); r != null; r = idle.pollFirst()) {
            r.close();
        }
    }
}
