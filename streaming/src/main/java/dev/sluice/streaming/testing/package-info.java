/**
 * The public test kit: run a pipeline batch by batch under a manual clock and inspect each
 * batch's output, with no sleeps and no timing luck.
 *
 * <pre>{@code
 * try (StreamingTestKit kit = StreamingTestKit.create(Duration.ofSeconds(1))) {
 *     DStream<String> in = kit.input(List.of(List.of("a b", "b"), List.of("c")));
 *     BatchOutput<Pair<String, Integer>> out = kit.collect(in.flatMap(l -> List.of(l.split(" ")))
 *             .mapToPair(w -> Pair.of(w, 1)).reduceByKey(Integer::sum));
 *     kit.run(3);
 *     out.batches();   // one list per batch
 * }
 * }</pre>
 */
package dev.sluice.streaming.testing;
