package dev.sluice.kafka.source;

import dev.sluice.kafka.LagReport;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.TopicPartition;

/**
 * A direct stream's lag as Micrometer gauges, one pair per topic partition:
 * {@code sluice.kafka.lag.records} and {@code sluice.kafka.lag.seconds}, tagged {@code stream},
 * {@code topic} and {@code partition}, read from the last report (a partition added at run time
 * gets its gauges at its first report). Removed from the registry when the stream stops.
 *
 * <p>Threading: {@link #update} on the generator thread; gauges are read from any thread.
 */
final class KafkaLagGauges implements AutoCloseable {
    static final String RECORDS = "sluice.kafka.lag.records";
    static final String SECONDS = "sluice.kafka.lag.seconds";

    private final MeterRegistry registry;
    private final String stream;
    private final Map<TopicPartition, LagReport.PartitionLag> current = new ConcurrentHashMap<>();
    private final List<Meter> meters = new CopyOnWriteArrayList<>();
    private volatile LagReport last = new LagReport(0, Map.of());

    KafkaLagGauges(MeterRegistry registry, String stream) {
        this.registry = registry;
        this.stream = stream;
    }

    void update(LagReport report) {
        report.partitions().forEach((tp, lag) -> {
            if (current.put(tp, lag) == null) {
                Tags tags = Tags.of("stream", stream, "topic", tp.topic(), "partition", String.valueOf(tp.partition()));
                meters.add(Gauge.builder(RECORDS, current, m -> m.get(tp).recordsBehind()).tags(tags)
                        .description("records between the stream's next offset and the end of the partition")
                        .register(registry));
                meters.add(Gauge.builder(SECONDS, current, m -> m.get(tp).secondsBehind()).tags(tags)
                        .description("age of the oldest record of the partition not yet read").baseUnit("seconds")
                        .register(registry));
            }
        });
        last = report;
    }

    LagReport last() {
        return last;
    }

    @Override
    public void close() {
        meters.forEach(registry::remove);
        meters.clear();
        current.clear();
    }
}
