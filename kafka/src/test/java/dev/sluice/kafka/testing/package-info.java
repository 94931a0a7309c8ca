/**
 * Test support for the Kafka module: an in-process single-node KRaft broker built from Apache
 * Kafka's own cluster test kit. Shipped in the module's test jar so other modules' tests and
 * benchmarks can use the same broker.
 *
 * <p>Not API; may change.
 */
package dev.sluice.kafka.testing;
