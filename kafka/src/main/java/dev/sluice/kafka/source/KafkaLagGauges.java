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
 * <p>Threading: updates on the generator thread and the stream's lag thread, under this object's
 * lock; gauges are read from any thread.
 */
final class KafkaLagGauges implements AutoCloseable {
    static final String RECORDS = "sluice.kafka.lag.records";
    static final String SECONDS = "sluice.kafka.lag.seconds";

    private final MeterRegistry registry;
    private final String stream;
    private final Map<TopicPartition, LagReport.PartitionLag> current = new ConcurrentHashMap<>();
    private final List<Meter> meters = new CopyOnWriteArrayList<>();
    private volatile LagReport last = new LagReport(0, Map.of());
    private long recordsTime = -1;
    private boolean closed;

    KafkaLagGauges(MeterRegistry registry, String stream) {
        this.registry = registry;
        this.stream = stream;
    }

    /** Takes the records behind of {@code report}, keeping each partition's last seconds behind. */
    synchronized void updateRecords(LagReport report) {
        recordsTime = Math.max(recordsTime, report.batchTime());
        report.partitions().forEach((tp, lag) -> {
            LagReport.PartitionLag before = current.get(tp);
            double seconds = before == null || lag.recordsBehind() == 0 ? 0 : before.secondsBehind();
            register(tp, new LagReport.PartitionLag(lag.recordsBehind(), seconds));
        });
    }

    /**
     * Takes {@code report} whole: records and seconds behind, and the report {@link #last} returns;
     * a report older than the newest records figures (a slow measurement) gives its seconds only.
     */
    synchronized void update(LagReport report) {
        boolean newest = report.batchTime() >= recordsTime;
        report.partitions().forEach((tp, lag) -> {
            LagReport.PartitionLag now = current.get(tp);
            register(tp, newest || now == null ? lag
                    : new LagReport.PartitionLag(now.recordsBehind(), lag.secondsBehind()));
        });
        if (newest) {
            recordsTime = report.batchTime();
            last = report;
        }
    }

    private void register(TopicPartition tp, LagReport.PartitionLag value) {
        if (closed) {
            return; // a measurement that finished after the stream stopped must not bring the gauges back
        }
        if (current.put(tp, value) == null) {
            Tags tags = Tags.of("stream", stream, "topic", tp.topic(), "partition", String.valueOf(tp.partition()));
            meters.add(Gauge.builder(RECORDS, current, m -> m.get(tp).recordsBehind()).tags(tags)
                    .description("records between the stream's next offset and the end of the partition")
                    .register(registry));
            meters.add(Gauge.builder(SECONDS, current, m -> m.get(tp).secondsBehind()).tags(tags)
                    .description("age of the oldest record of the partition not yet read").baseUnit("seconds")
                    .register(registry));
        }
    }

    LagReport last() {
        return last;
    }

    @Override
    public synchronized void close() {
        closed = true;
        meters.forEach(registry::remove);
        meters.clear();
        current.clear();
    }
}
