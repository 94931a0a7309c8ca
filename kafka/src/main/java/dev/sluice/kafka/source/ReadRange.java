package dev.sluice.kafka.source;

import dev.sluice.core.function.MapMultiFunction;
import dev.sluice.kafka.KafkaRecord;
import dev.sluice.kafka.OffsetRange;
import java.util.function.Consumer;

/**
 * The task function of a direct stream's batch: each partition of the batch's dataset holds one
 * offset range, and this reads exactly its records (through the stream's {@link ReaderPool}).
 */
final class ReadRange<K, V> implements MapMultiFunction<OffsetRange, KafkaRecord<K, V>> {
    private static final long serialVersionUID = 1L;
    /** Not shipped: tasks run in this JVM (a remote backend would open its own pool). */
    private final transient ReaderPool<K, V> pool;

    ReadRange(ReaderPool<K, V> pool) {
        this.pool = pool;
    }

    @Override
    public void call(OffsetRange range, Consumer<? super KafkaRecord<K, V>> out) {
        pool.read(range, out);
    }
}
