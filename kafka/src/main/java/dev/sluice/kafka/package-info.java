/**
 * Kafka in and out of Sluice: records and offset ranges of the direct (receiver-less) source,
 * where a stream starts and what it does when offsets vanish, its lag, and the delivery guarantees
 * of the Kafka sink. The engine-facing parts live in the internal {@code source} and {@code sink}
 * packages.
 */
package dev.sluice.kafka;
