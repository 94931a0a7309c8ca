package dev.sluice.streaming.metrics;

import dev.sluice.streaming.CheckpointInfo;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The meters of checkpoint writes ({@code sluice.checkpoint.duration}, {@code .bytes},
 * {@code .failures}, tagged by kind and uid) and of write-ahead-log flushes
 * ({@code sluice.wal.flush}, {@code sluice.wal.bytes}, tagged by log), and the latest checkpoint of
 * each operator for the UI. One sample per checkpoint write and per group flush; nothing per
 * record. Meters are made on the first event of their tags, on the thread that raised it.
 *
 * <p>Threading: events come from the job thread, asynchronous checkpoint writers and the logs'
 * writer threads; the maps are concurrent and Micrometer's registration is thread-safe.
 */
final class CheckpointMeters {
    /** The {@code uid} tag of a metadata checkpoint, which belongs to no operator. */
    static final String NO_UID = "none";
    private static final double[] PERCENTILES = {0.5, 0.95, 0.99};

    private final MeterRegistry registry;
    private final Consumer<Meter> keep;
    private final Map<String, Timer> durations = new ConcurrentHashMap<>();
    private final Map<String, DistributionSummary> bytes = new ConcurrentHashMap<>();
    private final Map<String, Counter> failures = new ConcurrentHashMap<>();
    private final Map<String, Timer> flushes = new ConcurrentHashMap<>();
    private final Map<String, DistributionSummary> flushBytes = new ConcurrentHashMap<>();
    private final Map<String, CheckpointRecord> latest = new ConcurrentHashMap<>();

    /** Creates the meters in {@code registry}; {@code keep} is told of each meter made, for removal at stop. */
    CheckpointMeters(MeterRegistry registry, Consumer<Meter> keep) {
        this.registry = registry;
        this.keep = keep;
    }

    void onCheckpointWritten(CheckpointInfo info) {
        String kind = info.kind().name().toLowerCase(Locale.ROOT);
        String uid = info.uid() == null || info.uid().isEmpty() ? NO_UID : info.uid();
        String key = kind + "/" + uid;
        Tags tags = Tags.of("kind", kind, "uid", uid);
        durations.computeIfAbsent(key, k -> made(Timer.builder("sluice.checkpoint.duration").tags(tags)
                .description("time a checkpoint write took, to durable files or failure")
                .publishPercentiles(PERCENTILES).register(registry))).record(info.duration());
        if (info.succeeded()) {
            bytes.computeIfAbsent(key, k -> made(DistributionSummary.builder("sluice.checkpoint.bytes").tags(tags)
                    .baseUnit("bytes").description("bytes a checkpoint write wrote").register(registry)))
                    .record(info.bytes());
        } else {
            failures.computeIfAbsent(key, k -> made(Counter.builder("sluice.checkpoint.failures").tags(tags)
                    .description("checkpoint writes that failed").register(registry))).increment();
        }
        CheckpointRecord record = new CheckpointRecord(info.kind().name(), uid.equals(NO_UID) ? "" : uid,
                info.batchTime().millis(), info.bytes(), info.files(), info.keys(), info.duration().toNanos() / 1e6,
                info.error().map(BatchHistory::describe));
        // Asynchronous writes may end out of order: keep the newest batch's.
        latest.merge(uid.equals(NO_UID) ? "" : uid, record, (old, now) -> now.batchTime() >= old.batchTime() ? now : old);
    }

    /** One group flush of write-ahead log {@code log}: {@code nanos} to write and flush {@code bytesFlushed}. */
    void onWalFlush(String log, long nanos, long bytesFlushed) {
        flushes.computeIfAbsent(log, k -> made(Timer.builder("sluice.wal.flush").tag("log", log)
                .description("time a write-ahead-log group commit took to write and flush")
                .publishPercentiles(PERCENTILES).register(registry))).record(nanos, TimeUnit.NANOSECONDS);
        flushBytes.computeIfAbsent(log, k -> made(DistributionSummary.builder("sluice.wal.bytes").tag("log", log)
                .baseUnit("bytes").description("bytes a write-ahead-log group commit wrote").register(registry)))
                .record(bytesFlushed);
    }

    private <M extends Meter> M made(M meter) {
        keep.accept(meter);
        return meter;
    }

    /** Returns the latest checkpoint of the operator with {@code uid} ("" for the metadata). */
    Optional<CheckpointRecord> latest(String uid) {
        return Optional.ofNullable(latest.get(uid));
    }

    /** Returns the latest checkpoint of every operator that wrote one, and of the metadata. */
    List<CheckpointRecord> latest() {
        return latest.values().stream().sorted(java.util.Comparator.comparing(CheckpointRecord::uid)).toList();
    }
}
