/**
 * The Kafka test kit: {@link dev.sluice.kafka.testing.EmbeddedKafkaBroker}, a real single-node KRaft
 * broker started in-process from Apache Kafka's own cluster test kit, for tests, benchmarks and
 * demos that must run on a machine without Kafka (as {@code dev.sluice.streaming.testing} is for
 * streams).
 *
 * <p>It needs {@code org.apache.kafka:kafka-test-common-runtime} (the broker's jars) on the class
 * path: an <em>optional</em> dependency of {@code sluice-kafka}, so applications that only read and
 * write Kafka never pull the broker; add it (usually in test scope) to use this package.
 */
package dev.sluice.kafka.testing;
