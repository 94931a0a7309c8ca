/**
 * The direct Kafka source's machinery: planning each batch's offset ranges (rate limit, cold start,
 * backpressure split by lag), tracking the next offset per partition against the broker (new
 * partitions, deleted topics, offsets out of range), reading one range with a consumer, and
 * measuring lag.
 *
 * <p>Not API; may change.
 */
package dev.sluice.kafka.source;
