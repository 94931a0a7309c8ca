package dev.sluice.core;

import static dev.sluice.core.RandomData.pairs;
import static dev.sluice.core.RandomData.partitions;
import static java.util.stream.Collectors.counting;
import static java.util.stream.Collectors.groupingBy;
import static java.util.stream.Collectors.mapping;
import static java.util.stream.Collectors.toList;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BinaryOperator;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Keyed operations of {@link PairDataset}, each compared with a plain Java reference. */
class PairDatasetTest {
    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension();

    /** One seed's input: random pairs (keys repeat) in a random number of partitions. */
    private record Input(long seed, List<Pair<Integer, Integer>> data, int numPartitions,
                         PairDataset<Integer, Integer> dataset, Random random) {
        static Input of(long seed) {
            Random random = new Random(seed);
            List<Pair<Integer, Integer>> data = pairs(random);
            int numPartitions = partitions(random);
            return new Input(seed, data, numPartitions, ENGINE.engine().parallelizePairs(data, numPartitions), random);
        }

        /** A second keyed input of the same seed, for joins. */
        Input other() {
            List<Pair<Integer, Integer>> data = pairs(random);
            int n = partitions(random);
            return new Input(seed, data, n, ENGINE.engine().parallelizePairs(data, n), random);
        }

        Map<Integer, List<Integer>> grouped() {
            return group(data);
        }

        Map<Integer, Integer> reduced(BinaryOperator<Integer> f) {
            Map<Integer, Integer> out = new HashMap<>();
            data.forEach(p -> out.merge(p.key(), p.value(), f));
            return out;
        }

        String description() {
            return String.format("seed %d, %d pairs in %d partitions", seed, data.size(), numPartitions);
        }
    }

    /** Returns how often each element occurs: compares big lists regardless of order in linear time. */
    private static <T> Map<T, Long> multiset(List<T> elements) {
        return elements.stream().collect(groupingBy(e -> e, counting()));
    }

    /** Groups values by key, each group sorted, so that groups compare regardless of order. */
    private static <K, V extends Comparable<V>> Map<K, List<V>> group(List<Pair<K, V>> pairs) {
        Map<K, List<V>> out = new HashMap<>();
        pairs.forEach(p -> out.computeIfAbsent(p.key(), k -> new ArrayList<>()).add(p.value()));
        out.values().forEach(l -> l.sort(Comparator.naturalOrder()));
        return out;
    }

    private static <K, V extends Comparable<V>> Map<K, List<V>> sortedValues(Map<K, List<V>> groups) {
        Map<K, List<V>> out = new HashMap<>();
        groups.forEach((k, v) -> out.put(k, v.stream().sorted().toList()));
        return out;
    }

    // ---------------------------------------------------------------- the combine-by-key family

    @PropertyTest
    void reduceByKey_anyData_matchesReference(long seed) {
        Input in = Input.of(seed);

        PairDataset<Integer, Integer> sums = in.dataset.reduceByKey(Integer::sum);

        assertReduced(in, sums, in.reduced(Integer::sum));
        assertThat(sums.numPartitions()).as(in.description()).isEqualTo(in.numPartitions);
    }

    @PropertyTest
    void reduceByKey_withNumPartitions_matchesReference(long seed) {
        Input in = Input.of(seed);
        int numPartitions = partitions(in.random);

        PairDataset<Integer, Integer> max = in.dataset.reduceByKey(Math::max, numPartitions);

        assertReduced(in, max, in.reduced(Math::max));
        assertThat(max.numPartitions()).as(in.description()).isEqualTo(numPartitions);
    }

    @PropertyTest
    void reduceByKey_withPartitioner_placesKeysByIt(long seed) {
        Input in = Input.of(seed);
        Partitioner partitioner = new HashPartitioner(partitions(in.random));

        PairDataset<Integer, Integer> sums = in.dataset.reduceByKey(Integer::sum, partitioner);

        assertReduced(in, sums, in.reduced(Integer::sum));
        assertThat(sums.partitioner()).as(in.description()).contains(partitioner);
        assertPlacedBy(in, sums, partitioner);
    }

    private static void assertReduced(Input in, PairDataset<Integer, Integer> actual,
                                      Map<Integer, Integer> expected) {
        List<Pair<Integer, Integer>> pairs = actual.collect();
        assertThat(pairs).as(in.description()).hasSize(expected.size());
        assertThat(actual.collectAsMap()).as(in.description()).isEqualTo(expected);
    }

    private static <V> void assertPlacedBy(Input in, Dataset<Pair<Integer, V>> actual, Partitioner partitioner) {
        List<List<Pair<Integer, V>>> parts = actual.glom().collect();
        assertThat(parts).as(in.description()).hasSize(partitioner.numPartitions());
        for (int p = 0; p < parts.size(); p++) {
            for (Pair<Integer, V> kv : parts.get(p)) {
                assertThat(partitioner.partition(kv.key())).as("%s: key %s", in.description(), kv.key()).isEqualTo(p);
            }
        }
    }

    @PropertyTest
    void foldByKey_anyData_matchesReference(long seed) {
        Input in = Input.of(seed);

        assertThat(in.dataset.foldByKey(0, Integer::sum).collectAsMap()).as(in.description())
                .isEqualTo(in.reduced(Integer::sum));
    }

    @PropertyTest
    void foldByKey_mutableZero_isNotSharedBetweenKeysNorRuns(long seed) {
        Input in = Input.of(seed);
        PairDataset<Integer, List<Integer>> lists = in.dataset.mapValues(v -> new ArrayList<>(List.of(v)));

        PairDataset<Integer, List<Integer>> folded = lists.foldByKey(new ArrayList<>(), (a, b) -> {
            a.addAll(b);
            return a;
        });

        assertThat(sortedValues(folded.collectAsMap())).as(in.description()).isEqualTo(in.grouped());
        // A second run reads the same map outputs again: merging must not have changed them.
        assertThat(sortedValues(folded.collectAsMap())).as(in.description() + ", second run")
                .isEqualTo(in.grouped());
    }

    @PropertyTest
    void aggregateByKey_mutableSet_matchesReference(long seed) {
        Input in = Input.of(seed);
        Map<Integer, Set<Integer>> expected = new HashMap<>();
        in.data.forEach(p -> expected.computeIfAbsent(p.key(), k -> new HashSet<>()).add(p.value() % 10));

        PairDataset<Integer, Set<Integer>> distinctDigits = in.dataset.aggregateByKey(new HashSet<Integer>(),
                (set, v) -> {
                    set.add(v % 10);
                    return set;
                }, (a, b) -> {
                    a.addAll(b);
                    return a;
                });

        assertThat(distinctDigits.collectAsMap()).as(in.description()).isEqualTo(expected);
        assertThat(distinctDigits.collectAsMap()).as(in.description() + ", second run").isEqualTo(expected);
    }

    /**
     * Combiners that are immutable {@code Integer}s in some map outputs and mutable lists in others,
     * merged by a function that mutates its first argument: a reducer must copy a list taken from
     * a map output before it becomes an accumulator, so a second run over the same map outputs
     * gives the same groups.
     */
    @PropertyTest
    void combineByKey_mutableCombinersInSomeMapOutputs_areCopiedBeforeMerging_soASecondRunAgrees(long seed) {
        Input in = Input.of(seed);
        int numPartitions = partitions(in.random);

        PairDataset<Integer, Object> groups = in.dataset.combineByKey(
                v -> v % 3 == 0 ? new ArrayList<>(List.of(v)) : (Object) v,
                (c, v) -> {
                    List<Integer> list = asList(c);
                    list.add(v);
                    return list;
                },
                (a, b) -> {
                    List<Integer> list = asList(a);
                    list.addAll(asList(b));
                    return list;
                },
                numPartitions);

        assertThat(sortedValues(asLists(groups.collectAsMap()))).as(in.description()).isEqualTo(in.grouped());
        assertThat(sortedValues(asLists(groups.collectAsMap()))).as(in.description() + ", second run")
                .isEqualTo(in.grouped());
    }

    private static Map<Integer, List<Integer>> asLists(Map<Integer, Object> combiners) {
        Map<Integer, List<Integer>> out = new HashMap<>();
        combiners.forEach((k, c) -> out.put(k, asList(c)));
        return out;
    }

    /** A combiner of the test above as a list: the list itself, or a new list of the one Integer. */
    @SuppressWarnings("unchecked")
    private static List<Integer> asList(Object combiner) {
        return combiner instanceof List<?> list ? (List<Integer>) list : new ArrayList<>(List.of((Integer) combiner));
    }

    @PropertyTest
    void combineByKey_sumAndCount_matchesReference(long seed) {
        Input in = Input.of(seed);
        Map<Integer, Pair<Long, Long>> expected = new HashMap<>();
        in.grouped().forEach((k, vs) -> expected.put(k, Pair.of(vs.stream().mapToLong(Integer::longValue).sum(),
                (long) vs.size())));

        PairDataset<Integer, Pair<Long, Long>> sumAndCount = in.dataset.combineByKey(
                v -> Pair.of((long) v, 1L),
                (c, v) -> Pair.of(c.key() + v, c.value() + 1),
                (a, b) -> Pair.of(a.key() + b.key(), a.value() + b.value()),
                partitions(in.random));

        assertThat(sumAndCount.collectAsMap()).as(in.description()).isEqualTo(expected);
    }

    @PropertyTest
    void groupByKey_anyData_matchesReference(long seed) {
        Input in = Input.of(seed);
        int numPartitions = partitions(in.random);

        PairDataset<Integer, List<Integer>> groups = in.dataset.groupByKey(numPartitions);

        assertThat(groups.collect()).as(in.description()).hasSize(in.grouped().size());
        assertThat(sortedValues(groups.collectAsMap())).as(in.description()).isEqualTo(in.grouped());
        assertThat(groups.numPartitions()).as(in.description()).isEqualTo(numPartitions);
    }

    @PropertyTest
    void countByKey_anyData_matchesReference(long seed) {
        Input in = Input.of(seed);

        assertThat(in.dataset.countByKey()).as(in.description())
                .isEqualTo(in.data.stream().collect(groupingBy(Pair::key, counting())));
    }

    @PropertyTest
    void collectAsMap_distinctKeys_returnsEveryPair(long seed) {
        Input in = Input.of(seed);
        Map<Integer, Integer> expected = new TreeMap<>(in.reduced((a, b) -> b));
        List<Pair<Integer, Integer>> unique = expected.entrySet().stream()
                .map(e -> Pair.of(e.getKey(), e.getValue())).toList();

        assertThat(ENGINE.engine().parallelizePairs(unique, in.numPartitions).collectAsMap()).as(in.description())
                .isEqualTo(expected);
    }

    // ---------------------------------------------------------------- per-value transformations

    @PropertyTest
    void mapValues_anyData_matchesReference(long seed) {
        Input in = Input.of(seed);

        assertThat(in.dataset.mapValues(v -> "v" + v).collect()).as(in.description())
                .isEqualTo(in.data.stream().map(p -> Pair.of(p.key(), "v" + p.value())).toList());
    }

    @PropertyTest
    void flatMapValues_anyData_matchesReference(long seed) {
        Input in = Input.of(seed);

        assertThat(in.dataset.flatMapValues(v -> List.of(v, -v).subList(0, Math.floorMod(v, 3) % 2 + 1)).collect())
                .as(in.description())
                .isEqualTo(in.data.stream().flatMap(p -> List.of(p.value(), -p.value())
                        .subList(0, Math.floorMod(p.value(), 3) % 2 + 1).stream().map(p::withValue)).toList());
    }

    @PropertyTest
    void keysAndValues_anyData_matchReference(long seed) {
        Input in = Input.of(seed);

        assertThat(in.dataset.keys().collect()).as(in.description())
                .isEqualTo(in.data.stream().map(Pair::key).toList());
        assertThat(in.dataset.values().collect()).as(in.description())
                .isEqualTo(in.data.stream().map(Pair::value).toList());
    }

    // ---------------------------------------------------------------- partitioning and sorting

    @PropertyTest
    void partitionBy_anyPartitioner_placesEveryKeyByIt(long seed) {
        Input in = Input.of(seed);
        Partitioner partitioner = new HashPartitioner(partitions(in.random));

        PairDataset<Integer, Integer> partitioned = in.dataset.partitionBy(partitioner);

        assertThat(partitioned.collect()).as(in.description()).containsExactlyInAnyOrderElementsOf(in.data);
        assertPlacedBy(in, partitioned, partitioner);
    }

    @PropertyTest
    void sortByKey_ascending_ordersAllKeys(long seed) {
        Input in = Input.of(seed);
        int numPartitions = partitions(in.random);

        List<Pair<Integer, Integer>> sorted = in.dataset.sortByKey(true, numPartitions).collect();

        assertSortedBy(in, sorted, Comparator.naturalOrder());
    }

    @PropertyTest
    void sortByKey_descending_ordersAllKeys(long seed) {
        Input in = Input.of(seed);

        List<Pair<Integer, Integer>> sorted = in.dataset.sortByKey(false).collect();

        assertSortedBy(in, sorted, Comparator.reverseOrder());
    }

    @PropertyTest
    void sortByKey_withComparator_ordersAllKeysByIt(long seed) {
        Input in = Input.of(seed);
        Comparator<Integer> lastDigitThenValue = Comparator.<Integer>comparingInt(k -> k % 10)
                .thenComparing(Comparator.naturalOrder());
        boolean ascending = in.random.nextBoolean();

        List<Pair<Integer, Integer>> sorted = in.dataset.sortByKey(lastDigitThenValue, ascending,
                partitions(in.random)).collect();

        assertSortedBy(in, sorted, ascending ? lastDigitThenValue : lastDigitThenValue.reversed());
    }

    private static void assertSortedBy(Input in, List<Pair<Integer, Integer>> sorted, Comparator<Integer> order) {
        assertThat(sorted).as(in.description()).containsExactlyInAnyOrderElementsOf(in.data);
        assertThat(sorted.stream().map(Pair::key).toList()).as(in.description()).isSortedAccordingTo(order);
    }

    // ---------------------------------------------------------------- joins

    @PropertyTest
    void cogroup_anyData_matchesReference(long seed) {
        Input in = Input.of(seed);
        Input other = in.other();
        Map<Integer, Pair<List<Integer>, List<Integer>>> expected = new HashMap<>();
        Set<Integer> keys = new HashSet<>(in.grouped().keySet());
        keys.addAll(other.grouped().keySet());
        keys.forEach(k -> expected.put(k, Pair.of(in.grouped().getOrDefault(k, List.of()),
                other.grouped().getOrDefault(k, List.of()))));

        Map<Integer, Pair<List<Integer>, List<Integer>>> actual = new HashMap<>();
        in.dataset.cogroup(other.dataset).collect().forEach(p -> actual.put(p.key(),
                Pair.of(p.value().key().stream().sorted().toList(), p.value().value().stream().sorted().toList())));

        assertThat(actual).as(in.description()).isEqualTo(expected);
    }

    @PropertyTest
    void join_anyData_matchesReference(long seed) {
        Input in = Input.of(seed);
        Input other = in.other();
        List<Pair<Integer, Pair<Integer, Integer>>> expected = new ArrayList<>();
        for (Pair<Integer, Integer> l : in.data) {
            for (Pair<Integer, Integer> r : other.data) {
                if (l.key().equals(r.key())) {
                    expected.add(Pair.of(l.key(), Pair.of(l.value(), r.value())));
                }
            }
        }

        assertThat(multiset(in.dataset.join(other.dataset).collect())).as(in.description())
                .isEqualTo(multiset(expected));
    }

    @PropertyTest
    void leftOuterJoin_anyData_matchesReference(long seed) {
        Input in = Input.of(seed);
        Input other = in.other();
        Map<Integer, List<Integer>> right = other.grouped();
        List<Pair<Integer, Pair<Integer, Optional<Integer>>>> expected = new ArrayList<>();
        for (Pair<Integer, Integer> l : in.data) {
            List<Integer> matches = right.getOrDefault(l.key(), List.of());
            if (matches.isEmpty()) {
                expected.add(Pair.of(l.key(), Pair.of(l.value(), Optional.empty())));
            }
            matches.forEach(w -> expected.add(Pair.of(l.key(), Pair.of(l.value(), Optional.of(w)))));
        }

        assertThat(multiset(in.dataset.leftOuterJoin(other.dataset).collect())).as(in.description())
                .isEqualTo(multiset(expected));
    }

    @PropertyTest
    void rightOuterJoin_anyData_matchesReference(long seed) {
        Input in = Input.of(seed);
        Input other = in.other();
        Map<Integer, List<Integer>> left = in.grouped();
        List<Pair<Integer, Pair<Optional<Integer>, Integer>>> expected = new ArrayList<>();
        for (Pair<Integer, Integer> r : other.data) {
            List<Integer> matches = left.getOrDefault(r.key(), List.of());
            if (matches.isEmpty()) {
                expected.add(Pair.of(r.key(), Pair.of(Optional.empty(), r.value())));
            }
            matches.forEach(v -> expected.add(Pair.of(r.key(), Pair.of(Optional.of(v), r.value()))));
        }

        assertThat(multiset(in.dataset.rightOuterJoin(other.dataset).collect())).as(in.description())
                .isEqualTo(multiset(expected));
    }

    @PropertyTest
    void fullOuterJoin_anyData_matchesReference(long seed) {
        Input in = Input.of(seed);
        Input other = in.other();
        Map<Integer, List<Integer>> left = in.grouped();
        Map<Integer, List<Integer>> right = other.grouped();
        List<Pair<Integer, Pair<Optional<Integer>, Optional<Integer>>>> expected = new ArrayList<>();
        Set<Integer> keys = new HashSet<>(left.keySet());
        keys.addAll(right.keySet());
        for (Integer k : keys) {
            List<Optional<Integer>> vs = optionals(left.get(k));
            List<Optional<Integer>> ws = optionals(right.get(k));
            vs.forEach(v -> ws.forEach(w -> expected.add(Pair.of(k, Pair.of(v, w)))));
        }

        assertThat(multiset(in.dataset.fullOuterJoin(other.dataset).collect())).as(in.description())
                .isEqualTo(multiset(expected));
    }

    /** The values of one side of an outer join: each present, or one empty if there are none. */
    private static List<Optional<Integer>> optionals(List<Integer> values) {
        return values == null ? List.of(Optional.empty()) : values.stream().map(Optional::of).toList();
    }

    @PropertyTest
    void subtractByKey_anyData_matchesReference(long seed) {
        Input in = Input.of(seed);
        Input other = in.other();
        Set<Integer> removed = other.grouped().keySet();

        assertThat(in.dataset.subtractByKey(other.dataset).collect()).as(in.description())
                .containsExactlyInAnyOrderElementsOf(in.data.stream().filter(p -> !removed.contains(p.key()))
                        .toList());
    }

    @PropertyTest
    void join_withPartitioner_placesKeysByIt(long seed) {
        Input in = Input.of(seed);
        Input other = in.other();
        Partitioner partitioner = new HashPartitioner(partitions(in.random));

        PairDataset<Integer, Pair<Integer, Integer>> joined = in.dataset.join(other.dataset, partitioner);

        assertThat(joined.count()).as(in.description()).isEqualTo(in.dataset.join(other.dataset).count());
        assertPlacedBy(in, joined, partitioner);
    }

    @PropertyTest
    void groupByKey_thenValues_matchesReferenceAsLists(long seed) {
        Input in = Input.of(seed);

        List<List<Integer>> groups = in.dataset.groupByKey().values().map(l -> l.stream().sorted().toList())
                .collect();

        assertThat(groups).as(in.description()).containsExactlyInAnyOrderElementsOf(
                in.data.stream().collect(groupingBy(Pair::key, mapping(Pair::value, toList()))).values().stream()
                        .map(l -> l.stream().sorted().toList()).toList());
    }
}
