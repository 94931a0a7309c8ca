package dev.sluice.core;

import static dev.sluice.core.RandomData.ints;
import static dev.sluice.core.RandomData.partitions;
import static dev.sluice.core.RandomData.slices;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.function.MapFunction;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IntSummaryStatistics;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Narrow transformations and actions of {@link Dataset}, each compared with plain Java. */
class DatasetTest {
    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension();

    /** One seed's input: random integers in a random number of partitions. */
    private record Input(long seed, List<Integer> data, int numPartitions, Dataset<Integer> dataset, Random random) {
        static Input of(long seed) {
            Random random = new Random(seed);
            List<Integer> data = ints(random);
            int numPartitions = partitions(random);
            return new Input(seed, data, numPartitions, ENGINE.engine().parallelize(data, numPartitions), random);
        }

        String description() {
            return String.format("seed %d, %d elements in %d partitions", seed, data.size(), numPartitions);
        }
    }

    @PropertyTest
    void collect_anyData_returnsElementsInPartitionOrder(long seed) {
        Input in = Input.of(seed);

        assertThat(in.dataset.collect()).as(in.description()).isEqualTo(in.data);
        assertThat(in.dataset.numPartitions()).as(in.description()).isEqualTo(in.numPartitions);
    }

    @PropertyTest
    void map_anyData_matchesReference(long seed) {
        Input in = Input.of(seed);

        assertThat(in.dataset.map(x -> "v" + (x * 3 + 1)).collect()).as(in.description())
                .isEqualTo(in.data.stream().map(x -> "v" + (x * 3 + 1)).toList());
    }

    @PropertyTest
    void filter_anyData_matchesReference(long seed) {
        Input in = Input.of(seed);

        assertThat(in.dataset.filter(x -> x % 3 == 0).collect()).as(in.description())
                .isEqualTo(in.data.stream().filter(x -> x % 3 == 0).toList());
    }

    @PropertyTest
    void flatMap_anyData_matchesReference(long seed) {
        Input in = Input.of(seed);

        assertThat(in.dataset.flatMap(DatasetTest::copies).collect()).as(in.description())
                .isEqualTo(in.data.stream().flatMap(x -> copies(x).stream()).toList());
    }

    @PropertyTest
    void mapMulti_anyData_matchesReference(long seed) {
        Input in = Input.of(seed);

        Dataset<Integer> emitted = in.dataset.mapMulti((x, out) -> copies(x).forEach(out));

        assertThat(emitted.collect()).as(in.description())
                .isEqualTo(in.data.stream().flatMap(x -> copies(x).stream()).toList());
    }

    /** Zero, one or two copies of {@code x}, so that some elements vanish and some repeat. */
    private static List<Integer> copies(int x) {
        return Collections.nCopies(Math.floorMod(x, 3), x);
    }

    @PropertyTest
    void mapPartitions_anyData_seesEachSliceOnce(long seed) {
        Input in = Input.of(seed);

        Dataset<List<Integer>> sizeAndSum = in.dataset.mapPartitions(it -> {
            int size = 0;
            int sum = 0;
            while (it.hasNext()) {
                sum += it.next();
                size++;
            }
            return List.of(List.of(size, sum)).iterator();
        });

        assertThat(sizeAndSum.collect()).as(in.description()).isEqualTo(slices(in.data, in.numPartitions).stream()
                .map(s -> List.of(s.size(), s.stream().mapToInt(Integer::intValue).sum())).toList());
    }

    @PropertyTest
    void glom_anyData_returnsTheSlices(long seed) {
        Input in = Input.of(seed);

        assertThat(in.dataset.glom().collect()).as(in.description()).isEqualTo(slices(in.data, in.numPartitions));
    }

    @PropertyTest
    void union_twoDatasets_concatenatesInOrder(long seed) {
        Input in = Input.of(seed);
        List<Integer> other = ints(in.random);
        int otherPartitions = partitions(in.random);

        Dataset<Integer> union = in.dataset.union(ENGINE.engine().parallelize(other, otherPartitions));

        assertThat(union.collect()).as(in.description())
                .isEqualTo(Stream.concat(in.data.stream(), other.stream()).toList());
        assertThat(union.numPartitions()).as(in.description()).isEqualTo(in.numPartitions + otherPartitions);
    }

    @PropertyTest
    void engineUnion_severalDatasets_concatenatesInOrder(long seed) {
        Input in = Input.of(seed);
        List<Integer> other = ints(in.random);

        Dataset<Integer> union = ENGINE.engine().union(List.of(in.dataset, ENGINE.engine().parallelize(other, 2),
                ENGINE.engine().emptyDataset()));

        assertThat(union.collect()).as(in.description())
                .isEqualTo(Stream.concat(in.data.stream(), other.stream()).toList());
    }

    @PropertyTest
    void distinct_anyData_returnsEachElementOnce(long seed) {
        Input in = Input.of(seed);
        int numPartitions = partitions(in.random);

        List<Integer> distinct = in.dataset.distinct(numPartitions).collect();

        assertThat(distinct).as(in.description()).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(in.data.stream().distinct().toList());
        assertThat(in.dataset.distinct().collect()).as(in.description())
                .containsExactlyInAnyOrderElementsOf(distinct);
    }

    @PropertyTest
    void repartition_anyData_keepsElementsAndSpreadsThemEvenly(long seed) {
        Input in = Input.of(seed);
        int numPartitions = partitions(in.random);

        List<List<Integer>> parts = in.dataset.repartition(numPartitions).glom().collect();

        assertThat(parts).as(in.description()).hasSize(numPartitions);
        assertThat(parts.stream().flatMap(List::stream).toList()).as(in.description())
                .containsExactlyInAnyOrderElementsOf(in.data);
        IntSummaryStatistics sizes = parts.stream().mapToInt(List::size).summaryStatistics();
        // Each source partition deals its elements round robin, so it unbalances by at most one.
        assertThat(sizes.getMax() - sizes.getMin()).as(in.description()).isLessThanOrEqualTo(in.numPartitions);
    }

    @PropertyTest
    void coalesce_fewerPartitions_mergesNeighboursInOrder(long seed) {
        Input in = Input.of(seed);
        int numPartitions = partitions(in.random);

        Dataset<Integer> coalesced = in.dataset.coalesce(numPartitions);

        assertThat(coalesced.collect()).as(in.description()).isEqualTo(in.data);
        assertThat(coalesced.numPartitions()).as(in.description())
                .isEqualTo(Math.min(numPartitions, in.numPartitions));
    }

    @PropertyTest
    void sample_sameSeed_returnsSameSubsequence(long seed) {
        Input in = Input.of(seed);
        double fraction = in.random.nextDouble();

        List<Integer> first = in.dataset.sample(fraction, seed).collect();
        List<Integer> second = in.dataset.sample(fraction, seed).collect();

        assertThat(second).as(in.description()).isEqualTo(first);
        assertThat(isSubsequence(first, in.data)).as(in.description() + ", sample " + first).isTrue();
    }

    private static boolean isSubsequence(List<Integer> part, List<Integer> whole) {
        Iterator<Integer> it = whole.iterator();
        return part.stream().allMatch(x -> {
            while (it.hasNext()) {
                if (it.next().equals(x)) {
                    return true;
                }
            }
            return false;
        });
    }

    @PropertyTest
    void sample_fractionZeroOrOne_returnsNothingOrEverything(long seed) {
        Input in = Input.of(seed);

        assertThat(in.dataset.sample(0, seed).collect()).as(in.description()).isEmpty();
        assertThat(in.dataset.sample(1, seed).collect()).as(in.description()).isEqualTo(in.data);
    }

    @Test
    void sample_halfOfManyElements_keepsAboutHalf() {
        List<Integer> data = Stream.iterate(0, i -> i + 1).limit(10_000).toList();

        long kept = ENGINE.engine().parallelize(data, 4).sample(0.5, 42).count();

        assertThat(kept).isBetween(4_500L, 5_500L);
    }

    @PropertyTest
    void count_anyData_matchesSize(long seed) {
        Input in = Input.of(seed);

        assertThat(in.dataset.count()).as(in.description()).isEqualTo(in.data.size());
    }

    @PropertyTest
    void reduce_nonEmptyData_matchesReference(long seed) {
        Input in = Input.of(seed);
        if (in.data.isEmpty()) {
            return; // the empty case is in DatasetFailureTest
        }

        assertThat(in.dataset.reduce(Integer::sum)).as(in.description())
                .isEqualTo(in.data.stream().mapToInt(Integer::intValue).sum());
        assertThat(in.dataset.reduce(Math::max)).as(in.description()).isEqualTo(Collections.max(in.data));
    }

    @PropertyTest
    void fold_anyData_matchesReference(long seed) {
        Input in = Input.of(seed);

        assertThat(in.dataset.fold(0, Integer::sum)).as(in.description())
                .isEqualTo(in.data.stream().mapToInt(Integer::intValue).sum());
    }

    @PropertyTest
    void fold_mutableZero_isNotSharedBetweenPartitions(long seed) {
        Input in = Input.of(seed);

        List<Integer> all = in.dataset.map(x -> new ArrayList<>(List.of(x)))
                .fold(new ArrayList<>(), (a, b) -> {
                    a.addAll(b);
                    return a;
                });

        assertThat(all).as(in.description()).containsExactlyInAnyOrderElementsOf(in.data);
    }

    @PropertyTest
    void take_anyCount_returnsPrefix(long seed) {
        Input in = Input.of(seed);
        int n = in.random.nextInt(in.data.size() + 20);

        assertThat(in.dataset.take(n)).as(in.description() + ", n " + n)
                .isEqualTo(in.data.subList(0, Math.min(n, in.data.size())));
        assertThat(in.dataset.take(0)).as(in.description()).isEmpty();
        assertThat(in.dataset.take(in.data.size() + 5)).as(in.description()).isEqualTo(in.data);
    }

    @PropertyTest
    void first_nonEmptyData_returnsFirstElement(long seed) {
        Input in = Input.of(seed);
        if (in.data.isEmpty()) {
            return; // the empty case is in DatasetFailureTest
        }

        assertThat(in.dataset.first()).as(in.description()).isEqualTo(in.data.get(0));
    }

    @PropertyTest
    void keyBy_anyData_pairsKeyWithElement(long seed) {
        Input in = Input.of(seed);

        assertThat(in.dataset.keyBy(x -> x % 5).collect()).as(in.description())
                .isEqualTo(in.data.stream().map(x -> Pair.of(x % 5, x)).toList());
    }

    @PropertyTest
    void chainOfNarrowOperators_anyData_matchesReference(long seed) {
        Input in = Input.of(seed);

        List<String> actual = in.dataset.filter(x -> x > -20).map(x -> x * 2).flatMap(DatasetTest::copies)
                .mapToPair(x -> Pair.of(x % 7, x)).values().map(String::valueOf).collect();

        assertThat(actual).as(in.description()).isEqualTo(in.data.stream().filter(x -> x > -20).map(x -> x * 2)
                .flatMap(x -> copies(x).stream()).map(String::valueOf).toList());
    }

    @Test
    void foreach_everyElement_isVisitedOnce() {
        List<Integer> data = Stream.iterate(0, i -> i + 1).limit(500).toList();
        List<Integer> seen = Collections.synchronizedList(new ArrayList<>());

        ENGINE.engine().parallelize(data, 5).foreach(seen::add);

        assertThat(seen).containsExactlyInAnyOrderElementsOf(data);
    }

    @Test
    void foreachPartition_eachPartition_isVisitedOnce() {
        List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());

        ENGINE.engine().parallelize(List.of(1, 2, 3, 4, 5, 6, 7), 3).foreachPartition(it -> {
            int n = 0;
            for (; it.hasNext(); it.next()) {
                n++;
            }
            sizes.add(n);
        });

        assertThat(sizes).containsExactlyInAnyOrder(2, 2, 3);
    }

    @Test
    void emptyDataset_actions_seeNothing() {
        Dataset<String> empty = ENGINE.engine().emptyDataset();

        assertThat(empty.numPartitions()).isZero();
        assertThat(empty.collect()).isEmpty();
        assertThat(empty.count()).isZero();
        assertThat(empty.take(3)).isEmpty();
        assertThat(empty.fold("", String::concat)).isEmpty();
    }

    /** A function of a supertype is accepted where a subtype's is asked for, as in Kafka's testTypeVariance. */
    @Test
    void map_functionOfSupertype_compilesAndApplies() {
        MapFunction<Object, String> describe = o -> o.getClass().getSimpleName() + ":" + o;
        Dataset<Integer> ints = ENGINE.engine().parallelize(List.of(1, 2), 1);

        Dataset<CharSequence> described = ints.map(describe);

        assertThat(described.collect()).containsExactly("Integer:1", "Integer:2");
    }

    @Test
    void lineage_chainWithShuffle_showsEveryDatasetAndTheShuffle() {
        Dataset<Integer> source = ENGINE.engine().parallelize(List.of(3, 1, 2), 2).setName("numbers");

        String lineage = source.map(x -> x).distinct().lineage();

        assertThat(lineage).contains("numbers [" + source.id() + "]", "+-(shuffle) ", "map");
        assertThat(lineage.lines().filter(l -> l.contains("(shuffle)")).count()).isEqualTo(1);
        // keys (a map) <- combineByKey <- mapToPair <- map <- numbers
        assertThat(lineage.lines()).hasSize(5);
    }
}
