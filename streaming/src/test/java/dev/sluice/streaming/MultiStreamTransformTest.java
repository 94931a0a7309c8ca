package dev.sluice.streaming;

import static dev.sluice.streaming.RandomBatches.assertAnyOrder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.Dataset;
import dev.sluice.streaming.dstream.OperatorKind;
import dev.sluice.streaming.testing.BatchOutput;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code DStream.transformWith} and {@code StreamingContext.transform} against plain-Java references. */
class MultiStreamTransformTest {

    static LongStream seeds() {
        return LongStream.rangeClosed(1, 8);
    }

    /** Batch {@code i} of the longer of {@code a} and {@code b}, or empty past the end of one. */
    private static List<Integer> batch(List<List<Integer>> in, int i) {
        return i < in.size() ? in.get(i) : List.of();
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void transformWith_twoStreamsAndTime_matchesReference(long seed) {
        Random rnd = new Random(seed);
        List<List<Integer>> a = RandomBatches.ints(rnd);
        List<List<Integer>> b = RandomBatches.ints(rnd);
        int batches = Math.max(a.size(), b.size());
        try (StreamingTestKit kit = RandomBatches.kit(rnd)) {
            DStream<Integer> left = kit.input(a);
            DStream<Integer> right = kit.input(b);
            DStream<Integer> both = left.transformWith(right, (x, y, time) -> {
                int second = (int) (time.millis() / 1000);
                return x.map(v -> v * 1000 + second).union(y.filter(v -> v % 2 == 0));
            });
            BatchOutput<Integer> out = kit.collect(both);
            kit.run(batches);

            List<List<Integer>> expected = new ArrayList<>();
            for (int i = 0; i < batches; i++) {
                int second = i + 1;
                List<Integer> e = new ArrayList<>();
                batch(a, i).forEach(v -> e.add(v * 1000 + second));
                batch(b, i).stream().filter(v -> v % 2 == 0).forEach(e::add);
                expected.add(e);
            }
            assertAnyOrder(out, expected, seed, "transformWith");
            assertThat(both.node().descriptor().kind()).isEqualTo(OperatorKind.TRANSFORM_WITH);
        }
    }

    @ParameterizedTest
    @MethodSource("seeds")
    @SuppressWarnings("unchecked")
    void contextTransform_threeStreams_matchesReference(long seed) {
        Random rnd = new Random(seed);
        List<List<List<Integer>>> inputs = List.of(RandomBatches.ints(rnd), RandomBatches.ints(rnd),
                RandomBatches.ints(rnd));
        int batches = inputs.stream().mapToInt(List::size).max().orElseThrow();
        try (StreamingTestKit kit = RandomBatches.kit(rnd)) {
            List<DStream<?>> streams = new ArrayList<>();
            inputs.forEach(in -> streams.add(kit.input(in)));
            DStream<Integer> all = kit.context().transform(streams, (datasets, time) -> {
                Dataset<Integer> out = ((Dataset<Integer>) datasets.get(0)).map(v -> v);
                for (int i = 1; i < datasets.size(); i++) {
                    int offset = i * 100;
                    out = out.union(((Dataset<Integer>) datasets.get(i)).map(v -> v + offset));
                }
                return out;
            });
            BatchOutput<Integer> out = kit.collect(all);
            kit.run(batches);

            List<List<Integer>> expected = new ArrayList<>();
            for (int b = 0; b < batches; b++) {
                List<Integer> e = new ArrayList<>();
                for (int i = 0; i < inputs.size(); i++) {
                    int offset = i * 100;
                    batch(inputs.get(i), b).forEach(v -> e.add(v + offset));
                }
                expected.add(e);
            }
            assertAnyOrder(out, expected, seed, "StreamingContext.transform");
            assertThat(all.node().descriptor().kind()).isEqualTo(OperatorKind.TRANSFORM_ALL);
            assertThat(all.dependencies()).hasSize(3);
        }
    }

    @Test
    void transformWith_differentSlides_failsNamingBoth() {
        try (StreamingTestKit kit = StreamingTestKit.create(Duration.ofSeconds(1))) {
            DStream<Integer> s = kit.input(List.of(List.of(1)));
            DStream<Integer> windowed = s.window(Duration.ofSeconds(2), Duration.ofSeconds(2));

            assertThatThrownBy(() -> s.transformWith(windowed, (x, y, t) -> x))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("slides must be equal")
                    .hasMessageContaining("PT2S");
            assertThatThrownBy(() -> kit.context().transform(List.of(), (l, t) -> null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one stream");
        }
    }
}
