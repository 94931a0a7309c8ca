/**
 * The benchmark harness ({@code java -jar sluice-examples.jar bench <name>}): the workloads of
 * {@code shared/bench/WORKLOADS.md} on the engine, each against plain-Java baselines in the same
 * JVM, every batch's output checked against a plain-Java reference. Not API; may change.
 *
 * <p>Entry points: {@link dev.sluice.examples.bench.StreamingBench} (W1–W4, baseline),
 * {@link dev.sluice.examples.bench.BatchWordCountBench}, {@link dev.sluice.examples.bench.StateScaleBench},
 * {@link dev.sluice.examples.bench.SocketBench} and {@link dev.sluice.examples.bench.BenchSuite}
 * (the README's set under both collectors, one table).
 */
package dev.sluice.examples.bench;
