package dev.sluice.streaming;

import static dev.sluice.streaming.RandomBatches.assertAnyOrder;
import static dev.sluice.streaming.RandomBatches.assertExact;
import static dev.sluice.streaming.RandomBatches.perBatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.Dataset;
import dev.sluice.core.Pair;
import dev.sluice.streaming.dstream.DStreamNode;
import dev.sluice.streaming.dstream.OperatorKind;
import dev.sluice.streaming.dstream.SingleParentNode;
import dev.sluice.streaming.testing.BatchOutput;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** DStream operations against a plain-Java reference, over random batches (empty ones included). */
class DStreamOperationsTest {

    @ParameterizedTest
    @MethodSource("dev.sluice.streaming.RandomBatches#seeds")
    void elementwiseOperations_randomBatches_matchReference(long seed) {
        Random rnd = new Random(seed);
        List<List<Integer>> in = RandomBatches.ints(rnd);
        try (StreamingTestKit kit = RandomBatches.kit(rnd)) {
            DStream<Integer> s = kit.input(in);
            BatchOutput<Integer> mapped = kit.collect(s.map(x -> x * 3 + 1));
            BatchOutput<Integer> filtered = kit.collect(s.filter(x -> x % 3 == 0));
            BatchOutput<Integer> flat = kit.collect(s.flatMap(x -> Collections.nCopies(x % 3, x)));
            BatchOutput<Integer> multi = kit.collect(s.<Integer>mapMulti((x, sink) -> {
                for (int i = 0; i < x % 3; i++) {
                    sink.accept(x + i);
                }
            }));
            BatchOutput<Integer> partitionSizes = kit.collect(s.mapPartitions(DStreamOperationsTest::sizeOf));
            BatchOutput<Pair<Integer, Integer>> pairs = kit.collect(s.mapToPair(x -> Pair.of(x % 4, x)));
            kit.run(in.size());

            int parallelism = kit.context().engine().parallelism();
            assertExact(mapped, each(in, x -> x * 3 + 1), seed, "map");
            assertExact(filtered, perBatch(in, b -> b.stream().filter(x -> x % 3 == 0).toList()), seed, "filter");
            assertExact(flat, perBatch(in, b -> b.stream().flatMap(x -> Collections.nCopies(x % 3, x).stream())
                    .toList()), seed, "flatMap");
            assertExact(multi, perBatch(in, b -> b.stream().flatMap(x -> IntStream.range(0, x % 3).map(i -> x + i)
                    .boxed()).toList()), seed, "mapMulti");
            assertExact(partitionSizes, perBatch(in, b -> RandomBatches.slices(b, parallelism).stream()
                    .map(List::size).toList()), seed, "mapPartitions");
            assertExact(pairs, each(in, x -> Pair.of(x % 4, x)), seed, "mapToPair");
        }
    }

    @ParameterizedTest
    @MethodSource("dev.sluice.streaming.RandomBatches#seeds")
    void combiningOperations_randomBatches_matchReference(long seed) {
        Random rnd = new Random(seed);
        List<List<Integer>> in = RandomBatches.ints(rnd);
        List<List<Integer>> other = RandomBatches.ints(rnd);
        int numPartitions = 1 + rnd.nextInt(5);
        try (StreamingTestKit kit = RandomBatches.kit(rnd)) {
            DStream<Integer> s = kit.input(in);
            BatchOutput<Integer> union = kit.collect(s.union(kit.input(other)));
            DStream<Integer> repartitioned = s.repartition(numPartitions);
            BatchOutput<Integer> repartitionedElements = kit.collect(repartitioned);
            BatchOutput<Integer> repartitionedCount = kit.collect(repartitioned.<Integer>transform(ds ->
                    ds.engine().parallelize(List.of(ds.numPartitions()), 1)));
            BatchOutput<Long> count = kit.collect(s.count());
            BatchOutput<Pair<Integer, Long>> countByValue = kit.collect(s.countByValue());
            BatchOutput<Integer> reduce = kit.collect(s.reduce(Integer::sum));
            kit.run(Math.max(in.size(), other.size()));

            int batches = Math.max(in.size(), other.size());
            List<List<Integer>> left = padded(in, batches);
            List<List<Integer>> right = padded(other, batches);
            assertAnyOrder(union, IntStream.range(0, batches).mapToObj(i -> concat(left.get(i), right.get(i)))
                    .toList(), seed, "union");
            assertAnyOrder(repartitionedElements, left, seed, "repartition");
            assertThat(repartitionedCount.all()).as("seed %d: repartition's partitions", seed)
                    .containsOnly(numPartitions).hasSize(batches);
            assertExact(count, perBatch(left, b -> List.of((long) b.size())), seed, "count");
            assertAnyOrder(countByValue, perBatch(left, b -> b.stream()
                    .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()))
                    .entrySet().stream().map(e -> Pair.of(e.getKey(), e.getValue())).toList()), seed, "countByValue");
            assertExact(reduce, perBatch(left, b -> b.stream().reduce(Integer::sum).stream().toList()), seed,
                    "reduce");
        }
    }

    @ParameterizedTest
    @MethodSource("dev.sluice.streaming.RandomBatches#seeds")
    void transforms_randomBatches_matchReferenceAndSeeBatchTime(long seed) {
        Random rnd = new Random(seed);
        List<List<Integer>> in = RandomBatches.ints(rnd);
        try (StreamingTestKit kit = RandomBatches.kit(rnd)) {
            DStream<Integer> s = kit.input(in);
            BatchOutput<Integer> plain = kit.collect(s.transform(ds -> ds.filter(x -> x > 5).map(x -> -x)));
            BatchOutput<Long> timed = kit.collect(s.<Long>transform((ds, time) ->
                    ds.engine().parallelize(List.of(time.millis(), ds.count()), 1)));
            BatchOutput<Pair<Integer, Integer>> toPair = kit.collect(s.transformToPair(ds -> ds.mapToPair(x ->
                    Pair.of(x, x * x))));
            kit.run(in.size());

            assertExact(plain, perBatch(in, b -> b.stream().filter(x -> x > 5).map(x -> -x).toList()), seed,
                    "transform");
            assertExact(timed, IntStream.range(0, in.size()).mapToObj(i -> List.of(1000L * (i + 1),
                    (long) in.get(i).size())).toList(), seed, "timed transform");
            assertExact(toPair, each(in, x -> Pair.of(x, x * x)), seed, "transformToPair");
        }
    }

    @Test
    void union_differentSlides_failsNamingBothStreams() {
        try (StreamingTestKit kit = StreamingTestKit.create(Duration.ofSeconds(1))) {
            DStream<Integer> fast = kit.input(List.<List<Integer>>of()).setName("fast");
            DStream<Integer> slow = withSlide(kit.input(List.<List<Integer>>of()), Duration.ofSeconds(2))
                    .setName("slow");

            assertThatThrownBy(() -> fast.union(slow)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContainingAll("'fast'", "'slow'", "PT1S", "PT2S");
            assertThatThrownBy(() -> kit.context().union(List.of(slow, fast)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContainingAll("'fast'", "'slow'");
        }
    }

    @Test
    void operations_functionOfSupertype_compile() {
        try (StreamingTestKit kit = StreamingTestKit.create(Duration.ofSeconds(1))) {
            DStream<Integer> s = kit.input(List.of(List.of(1, 2)));
            dev.sluice.core.function.MapFunction<Object, String> describe = String::valueOf;
            dev.sluice.core.function.FilterFunction<Number> positive = n -> n.intValue() > 0;
            BatchOutput<String> out = kit.collect(s.filter(positive).map(describe));
            kit.run(1);
            assertThat(out.batch(0)).containsExactly("1", "2");
        }
    }

    /** Passes the parent's datasets through with another slide: the only way to get two slides before windows. */
    static <T> DStream<T> withSlide(DStream<T> parent, Duration slide) {
        return new DStream<>(parent.context(), new SlideNode<>(parent.node(), slide));
    }

    /** The node behind {@link #withSlide}. */
    static final class SlideNode<T> extends SingleParentNode<T, T> {
        private final Duration slide;

        SlideNode(DStreamNode<T> parent, Duration slide) {
            super(parent, OperatorKind.TRANSFORM);
            this.slide = slide;
        }

        @Override
        public Duration slideDuration() {
            return slide;
        }

        @Override
        protected Optional<Dataset<T>> compute(Time time) {
            return parent().datasetAt(time);
        }
    }

    private static Iterator<Integer> sizeOf(Iterator<Integer> partition) {
        int n = 0;
        for (; partition.hasNext(); partition.next()) {
            n++;
        }
        return List.of(n).iterator();
    }

    private static <T, R> List<List<R>> each(List<List<T>> in, Function<T, R> f) {
        return perBatch(in, b -> b.stream().map(f).toList());
    }

    private static <T> List<List<T>> padded(List<List<T>> in, int batches) {
        List<List<T>> out = new ArrayList<>(in);
        while (out.size() < batches) {
            out.add(List.of());
        }
        return out;
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
