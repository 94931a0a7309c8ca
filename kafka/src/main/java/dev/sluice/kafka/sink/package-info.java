/**
 * The Kafka sink's core: producing one batch per Kafka transaction under a transactional id
 * derived from the output's uid, skipping batches already committed, and committing source
 * offsets back to a consumer group for monitoring tools.
 *
 * <p>Not API; may change.
 */
package dev.sluice.kafka.sink;
