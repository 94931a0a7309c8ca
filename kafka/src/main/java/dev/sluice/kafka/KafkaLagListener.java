package dev.sluice.kafka;

/**
 * Told how far a Kafka direct stream is behind its topics, once per batch, right after the batch's
 * offset ranges were planned (on the batch generator thread: keep it short, never block).
 */
@FunctionalInterface
public interface KafkaLagListener {

    /** Receives the lag of every partition of the stream after the batch at {@code report.batchTime()}. */
    void onLag(LagReport report);
}
