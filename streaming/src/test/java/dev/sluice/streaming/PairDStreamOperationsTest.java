package dev.sluice.streaming;

import static dev.sluice.streaming.RandomBatches.assertAnyOrder;
import static dev.sluice.streaming.RandomBatches.assertExact;
import static dev.sluice.streaming.RandomBatches.perBatch;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Pair;
import dev.sluice.streaming.testing.BatchOutput;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** PairDStream's per-batch keyed operations and joins against a plain-Java reference. */
class PairDStreamOperationsTest {

    @ParameterizedTest
    @MethodSource("dev.sluice.streaming.RandomBatches#seeds")
    void keyedOperations_randomBatches_matchReference(long seed) {
        Random rnd = new Random(seed);
        List<List<Pair<Integer, Integer>>> in = RandomBatches.pairs(rnd, 2 + rnd.nextInt(5));
        int numPartitions = 1 + rnd.nextInt(5);
        try (StreamingTestKit kit = RandomBatches.kit(rnd)) {
            PairDStream<Integer, Integer> s = kit.pairInput(in);
            PairDStream<Integer, Integer> reduced = s.reduceByKey(Integer::sum, numPartitions);
            BatchOutput<Pair<Integer, Integer>> reduce = kit.collect(s.reduceByKey(Integer::sum));
            BatchOutput<Pair<Integer, Integer>> reduceInto = kit.collect(reduced);
            BatchOutput<Integer> reducePartitions = kit.collect(reduced.<Integer>transform(ds ->
                    ds.engine().parallelize(List.of(ds.numPartitions()), 1)));
            BatchOutput<Pair<Integer, List<Integer>>> group = kit.collect(s.groupByKey()
                    .mapValues(PairDStreamOperationsTest::sorted));
            BatchOutput<Pair<Integer, Long>> combine = kit.collect(s.<Long>combineByKey(v -> (long) v * v,
                    (c, v) -> c + (long) v * v, Long::sum));
            BatchOutput<Pair<Integer, String>> mapValues = kit.collect(s.mapValues(v -> "v" + v));
            BatchOutput<Pair<Integer, Integer>> flatMapValues = kit.collect(s.flatMapValues(v -> List.of(v, -v)));
            kit.run(in.size());

            assertAnyOrder(reduce, perBatch(in, b -> pairs(groups(b), vs -> vs.stream().mapToInt(v -> v).sum())),
                    seed, "reduceByKey");
            assertAnyOrder(reduceInto, reduce.batches(), seed, "reduceByKey(numPartitions)");
            assertThat(reducePartitions.all()).as("seed %d: reduceByKey's partitions", seed)
                    .containsOnly(numPartitions).hasSize(in.size());
            assertAnyOrder(group, perBatch(in, b -> pairs(groups(b), PairDStreamOperationsTest::sorted)), seed,
                    "groupByKey");
            assertAnyOrder(combine, perBatch(in, b -> pairs(groups(b), vs -> vs.stream()
                    .mapToLong(v -> (long) v * v).sum())), seed, "combineByKey");
            assertExact(mapValues, perBatch(in, b -> b.stream().map(p -> Pair.of(p.key(), "v" + p.value()))
                    .toList()), seed, "mapValues");
            assertExact(flatMapValues, perBatch(in, b -> b.stream().flatMap(p -> List.of(p, Pair.of(p.key(),
                    -p.value())).stream()).toList()), seed, "flatMapValues");
        }
    }

    /**
     * count() of a reduced stream is taken from the size of each reduce partition's combine table
     * without walking it; after a map, a filter, or a groupByKey it is a walk. All must count what
     * a plain-Java reference counts, batch by batch.
     */
    @ParameterizedTest
    @MethodSource("dev.sluice.streaming.RandomBatches#seeds")
    void countOfReducedAndOtherStreams_randomBatches_matchReference(long seed) {
        Random rnd = new Random(seed);
        List<List<Pair<Integer, Integer>>> in = RandomBatches.pairs(rnd, 2 + rnd.nextInt(5));
        int numPartitions = 1 + rnd.nextInt(5);
        try (StreamingTestKit kit = RandomBatches.kit(rnd)) {
            PairDStream<Integer, Integer> s = kit.pairInput(in);
            PairDStream<Integer, Integer> reduced = s.reduceByKey(Integer::sum, numPartitions);
            BatchOutput<Long> reducedCount = kit.collect(reduced.count());
            BatchOutput<Long> mappedCount = kit.collect(reduced.map(Pair::value).count());
            BatchOutput<Long> filteredCount = kit.collect(reduced.filter(p -> p.value() % 2 == 0).count());
            BatchOutput<Long> groupedCount = kit.collect(s.groupByKey().count());
            BatchOutput<Long> inputCount = kit.collect(s.count());
            kit.run(in.size());

            List<List<Long>> distinct = perBatch(in, b -> List.of((long) groups(b).size()));
            assertExact(reducedCount, distinct, seed, "reduceByKey().count()");
            assertExact(mappedCount, distinct, seed, "reduceByKey().map().count()");
            assertExact(groupedCount, distinct, seed, "groupByKey().count()");
            assertExact(filteredCount, perBatch(in, b -> List.of(groups(b).values().stream()
                    .filter(vs -> vs.stream().mapToInt(v -> v).sum() % 2 == 0).count())), seed,
                    "reduceByKey().filter().count()");
            assertExact(inputCount, perBatch(in, b -> List.of((long) b.size())), seed, "count()");
        }
    }

    @ParameterizedTest
    @MethodSource("dev.sluice.streaming.RandomBatches#seeds")
    void joins_twoRandomInputs_matchReference(long seed) {
        Random rnd = new Random(seed);
        int batches = 2 + rnd.nextInt(5);
        List<List<Pair<Integer, Integer>>> left = RandomBatches.pairs(rnd, batches);
        List<List<Pair<Integer, Integer>>> right = RandomBatches.pairs(rnd, batches);
        try (StreamingTestKit kit = RandomBatches.kit(rnd)) {
            PairDStream<Integer, Integer> a = kit.pairInput(left);
            PairDStream<Integer, Integer> b = kit.pairInput(right);
            BatchOutput<Pair<Integer, Pair<Integer, Integer>>> join = kit.collect(a.join(b));
            BatchOutput<Pair<Integer, Pair<Integer, Optional<Integer>>>> leftOuter = kit.collect(a.leftOuterJoin(b));
            BatchOutput<Pair<Integer, Pair<Optional<Integer>, Integer>>> rightOuter = kit.collect(a.rightOuterJoin(b));
            BatchOutput<Pair<Integer, Pair<Optional<Integer>, Optional<Integer>>>> fullOuter =
                    kit.collect(a.fullOuterJoin(b));
            BatchOutput<Pair<Integer, Pair<List<Integer>, List<Integer>>>> cogroup = kit.collect(a.cogroup(b)
                    .mapValues(p -> Pair.of(sorted(p.key()), sorted(p.value()))));
            kit.run(batches);

            List<Reference> ref = IntStream.range(0, batches)
                    .mapToObj(i -> new Reference(groups(left.get(i)), groups(right.get(i)))).toList();
            assertAnyOrder(join, ref.stream().map(Reference::join).toList(), seed, "join");
            assertAnyOrder(leftOuter, ref.stream().map(Reference::leftOuterJoin).toList(), seed, "leftOuterJoin");
            assertAnyOrder(rightOuter, ref.stream().map(Reference::rightOuterJoin).toList(), seed, "rightOuterJoin");
            assertAnyOrder(fullOuter, ref.stream().map(Reference::fullOuterJoin).toList(), seed, "fullOuterJoin");
            assertAnyOrder(cogroup, ref.stream().map(Reference::cogroup).toList(), seed, "cogroup");
        }
    }

    /** The joins of one batch, computed from both sides' values grouped by key. */
    private record Reference(Map<Integer, List<Integer>> left, Map<Integer, List<Integer>> right) {

        List<Pair<Integer, Pair<Integer, Integer>>> join() {
            List<Pair<Integer, Pair<Integer, Integer>>> out = new ArrayList<>();
            left.forEach((k, vs) -> right.getOrDefault(k, List.of())
                    .forEach(w -> vs.forEach(v -> out.add(Pair.of(k, Pair.of(v, w))))));
            return out;
        }

        List<Pair<Integer, Pair<Integer, Optional<Integer>>>> leftOuterJoin() {
            List<Pair<Integer, Pair<Integer, Optional<Integer>>>> out = new ArrayList<>();
            left.forEach((k, vs) -> options(right.get(k))
                    .forEach(w -> vs.forEach(v -> out.add(Pair.of(k, Pair.of(v, w))))));
            return out;
        }

        List<Pair<Integer, Pair<Optional<Integer>, Integer>>> rightOuterJoin() {
            List<Pair<Integer, Pair<Optional<Integer>, Integer>>> out = new ArrayList<>();
            right.forEach((k, ws) -> options(left.get(k))
                    .forEach(v -> ws.forEach(w -> out.add(Pair.of(k, Pair.of(v, w))))));
            return out;
        }

        List<Pair<Integer, Pair<Optional<Integer>, Optional<Integer>>>> fullOuterJoin() {
            List<Pair<Integer, Pair<Optional<Integer>, Optional<Integer>>>> out = new ArrayList<>();
            for (Integer k : keys()) {
                options(left.get(k)).forEach(v -> options(right.get(k))
                        .forEach(w -> out.add(Pair.of(k, Pair.of(v, w)))));
            }
            return out;
        }

        List<Pair<Integer, Pair<List<Integer>, List<Integer>>>> cogroup() {
            return keys().stream().map(k -> Pair.of(k, Pair.of(sorted(left.getOrDefault(k, List.of())),
                    sorted(right.getOrDefault(k, List.of()))))).toList();
        }

        private TreeSet<Integer> keys() {
            TreeSet<Integer> keys = new TreeSet<>(left.keySet());
            keys.addAll(right.keySet());
            return keys;
        }

        private static List<Optional<Integer>> options(List<Integer> values) {
            return values == null ? List.of(Optional.empty()) : values.stream().map(Optional::of).toList();
        }
    }

    private static Map<Integer, List<Integer>> groups(List<Pair<Integer, Integer>> batch) {
        Map<Integer, List<Integer>> out = new TreeMap<>();
        batch.forEach(p -> out.computeIfAbsent(p.key(), k -> new ArrayList<>()).add(p.value()));
        return out;
    }

    private static <R> List<Pair<Integer, R>> pairs(Map<Integer, List<Integer>> groups,
                                                    java.util.function.Function<List<Integer>, R> f) {
        return groups.entrySet().stream().map(e -> Pair.of(e.getKey(), f.apply(e.getValue()))).toList();
    }

    private static List<Integer> sorted(List<Integer> values) {
        return values.stream().sorted().toList();
    }
}
