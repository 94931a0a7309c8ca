package dev.sluice.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Accumulator;
import dev.sluice.core.LongAccumulator;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Named accumulators in a stream: listeners see each batch's updates, retried tasks count once. */
class AccumulatorListenerTest {
    /** First-attempt failures by seed and element; static because task functions must not capture the test. */
    private static final Map<String, AtomicInteger> FAILED = new ConcurrentHashMap<>();

    static LongStream seeds() {
        return LongStream.rangeClosed(1, 8);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void namedAccumulators_perBatchUpdates_reachListenersAndRetriedTasksCountOnce(long seed) {
        Random rnd = new Random(seed);
        List<List<Integer>> in = RandomBatches.ints(rnd);
        int failOn = rnd.nextInt(20);
        Map<Long, Object> sums = new TreeMap<>();
        Map<Long, Object> evens = new TreeMap<>();
        try (StreamingTestKit kit = RandomBatches.kit(rnd)) {
            LongAccumulator sum = kit.context().engine().longAccumulator("sum");
            Accumulator<Integer, List<Integer>> even = kit.context().engine().collectionAccumulator("evens");
            String key = "seed " + seed;
            kit.context().addListener(new StreamingListener() {
                @Override
                public void onAccumulatorsUpdated(Time batchTime, Map<String, Object> updates) {
                    if (updates.containsKey("sum")) {
                        sums.put(batchTime.millis(), updates.get("sum"));
                    }
                    if (updates.containsKey("evens")) {
                        evens.put(batchTime.millis(), updates.get("evens"));
                    }
                }
            });
            // The map stage of the per-batch reduce adds; its first attempt on failOn throws after adding.
            kit.collect(kit.input(in).map(x -> {
                sum.add(x);
                if (x % 2 == 0) {
                    even.add(x);
                }
                if (x == failOn && FAILED.computeIfAbsent(key, k -> new AtomicInteger()).getAndIncrement() == 0) {
                    throw new IllegalStateException("first attempt on " + x + " fails");
                }
                return x;
            }).countByValue());
            kit.run(in.size());

            Map<Long, Object> expectedSums = new TreeMap<>();
            Map<Long, Integer> expectedEvens = new TreeMap<>();
            long total = 0;
            for (int b = 0; b < in.size(); b++) {
                List<Integer> batch = in.get(b);
                if (!batch.isEmpty()) {
                    long s = batch.stream().mapToLong(x -> x).sum();
                    expectedSums.put((b + 1) * 1000L, s);
                    total += s;
                }
                long evenCount = batch.stream().filter(x -> x % 2 == 0).count();
                if (evenCount > 0) {
                    expectedEvens.put((b + 1) * 1000L, (int) evenCount);
                }
            }
            assertThat(sums).as("seed %s: per-batch sums", seed).isEqualTo(expectedSums);
            Map<Long, Integer> evenSizes = new TreeMap<>();
            evens.forEach((t, list) -> evenSizes.put(t, ((List<?>) list).size()));
            assertThat(evenSizes).as("seed %s: per-batch even counts", seed).isEqualTo(expectedEvens);
            assertThat(sum.sum()).as("seed %s: total", seed).isEqualTo(total);
            if (in.stream().anyMatch(b -> b.contains(failOn))) {
                assertThat(FAILED.get(key).get()).as("seed %s: the failing element was retried", seed).isGreaterThan(1);
            }
        } finally {
            FAILED.remove("seed " + seed);
        }
    }
}
