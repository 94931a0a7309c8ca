package dev.sluice.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.Dataset;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code DStream.slice} over remembered and forgotten batches, and {@code StreamingContext.remember}. */
class SliceTest {

    static LongStream seeds() {
        return LongStream.rangeClosed(1, 6);
    }

    private static List<List<Integer>> batches(Random rnd, int n) {
        List<List<Integer>> out = new ArrayList<>();
        for (int b = 0; b < n; b++) {
            List<Integer> batch = new ArrayList<>();
            int size = rnd.nextInt(20);
            for (int i = 0; i < size; i++) {
                batch.add(rnd.nextInt(1000));
            }
            out.add(batch);
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void slice_rememberedBatches_returnsTheirDatasetsOldestFirst(long seed) {
        Random rnd = new Random(seed);
        int rememberSeconds = 2 + rnd.nextInt(4);
        List<List<Integer>> in = batches(rnd, 8);
        try (StreamingTestKit kit = RandomBatches.kit(rnd)) {
            DStream<Integer> doubled = kit.input(in).map(x -> x * 2);
            kit.collect(doubled);
            kit.context().remember(Duration.ofSeconds(rememberSeconds));
            kit.run(in.size());

            // At 8 s a node remembering R seconds keeps the batches after 8 - R s.
            int firstKept = 8 - rememberSeconds + 1;
            List<Dataset<Integer>> sliced = doubled.slice(new Time(firstKept * 1000L - 400), new Time(8600));

            List<List<Integer>> got = sliced.stream().map(Dataset::collect).toList();
            List<List<Integer>> expected = new ArrayList<>();
            for (int second = firstKept; second <= 8; second++) {
                expected.add(in.get(second - 1).stream().map(x -> x * 2).toList());
            }
            assertThat(got).as("seed %s, remember %s s", seed, rememberSeconds).isEqualTo(expected);
        }
    }

    @Test
    void slice_forgottenBatch_failsNamingRequestedAndRememberedTimes() {
        try (StreamingTestKit kit = StreamingTestKit.create(Duration.ofSeconds(1))) {
            DStream<Integer> s = kit.input(List.of(List.of(1), List.of(2), List.of(3), List.of(4), List.of(5)));
            kit.collect(s);
            kit.context().remember(Duration.ofSeconds(2));
            kit.run(5);

            assertThat(s.slice(new Time(4000), new Time(5000))).hasSize(2);
            assertThatThrownBy(() -> s.slice(new Time(2000), new Time(5000)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("from 2000 ms to 5000 ms")
                    .hasMessageContaining("[2000 ms, 3000 ms] are not remembered")
                    .hasMessageContaining("it remembers 4000 ms to 5000 ms")
                    .hasMessageContaining("StreamingContext.remember");
            assertThatThrownBy(() -> s.slice(new Time(5000), new Time(6000)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[6000 ms]");
        }
    }

    @Test
    void slice_withoutRemember_keepsOnlyWhatOperationsNeed() {
        try (StreamingTestKit kit = StreamingTestKit.create(Duration.ofSeconds(1))) {
            DStream<Integer> s = kit.input(List.of(List.of(1), List.of(2), List.of(3)));
            kit.collect(s);
            kit.run(3);

            assertThat(s.slice(new Time(3000), new Time(3000)).get(0).collect()).containsExactly(3);
            assertThatThrownBy(() -> s.slice(new Time(2000), new Time(3000)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("remember duration PT1S");
        }
    }

    @Test
    void sliceAndRemember_wrongLifecycleOrArguments_fail() {
        try (StreamingTestKit kit = StreamingTestKit.create(Duration.ofSeconds(1))) {
            DStream<Integer> s = kit.input(List.of(List.of(1)));
            kit.collect(s);

            assertThatThrownBy(() -> s.slice(new Time(0), new Time(1000))).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("before the context has started");
            assertThatThrownBy(() -> kit.context().remember(Duration.ZERO))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be positive");
            kit.run(1);
            assertThatThrownBy(() -> s.slice(new Time(2000), new Time(1000)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is after");
            assertThatThrownBy(() -> kit.context().remember(Duration.ofSeconds(5)))
                    .isInstanceOf(IllegalStateException.class);
        }
    }
}
