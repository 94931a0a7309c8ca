package dev.sluice.kafka.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.kafka.OffsetRange;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class OffsetRangePlannerTest {

    private static final Duration SECOND = Duration.ofSeconds(1);

    static List<Long> seeds() {
        return java.util.stream.LongStream.range(0, 50).boxed().toList();
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void plan_randomLagsRatesAndQuotas_matchesReferenceRules(long seed) {
        Random random = new Random(seed);
        int n = 1 + random.nextInt(6);
        Map<TopicPartition, Long> from = new HashMap<>();
        Map<TopicPartition, Long> latest = new HashMap<>();
        for (int p = 0; p < n; p++) {
            long start = random.nextInt(1000);
            from.put(new TopicPartition("t", p), start);
            // Skewed lags: some partitions far behind, some idle.
            latest.put(new TopicPartition("t", p), start + (random.nextInt(4) == 0 ? 0 : random.nextInt(1 << (4 + 2 * p))));
        }
        long rate = random.nextBoolean() ? 0 : 1 + random.nextInt(500);
        long initial = random.nextBoolean() ? 0 : 1 + random.nextInt(500);
        boolean first = random.nextBoolean();
        OptionalLong quota = random.nextBoolean() ? OptionalLong.empty() : OptionalLong.of(random.nextInt(2000));
        Duration interval = Duration.ofMillis(100 + random.nextInt(2000));

        List<OffsetRange> ranges = new OffsetRangePlanner(interval, rate, initial).plan(from, latest, quota, first);

        long totalLag = 0;
        for (int p = 0; p < n; p++) {
            totalLag += latest.get(new TopicPartition("t", p)) - from.get(new TopicPartition("t", p));
        }
        long cap = Long.MAX_VALUE;
        if (rate > 0) {
            cap = Math.max(1, rate * interval.toMillis() / 1000);
        }
        if (first && initial > 0) {
            cap = Math.min(cap, Math.max(1, initial * interval.toMillis() / 1000));
        }
        assertThat(ranges).as("seed %s", seed).hasSize(n);
        for (int p = 0; p < n; p++) {
            OffsetRange r = ranges.get(p);
            TopicPartition tp = new TopicPartition("t", p);
            long lag = latest.get(tp) - from.get(tp);
            assertThat(r.topicPartition()).as("seed %s order", seed).isEqualTo(tp);
            assertThat(r.fromOffset()).as("seed %s from of %s", seed, tp).isEqualTo(from.get(tp));
            assertThat(r.count()).as("seed %s count of %s", seed, tp).isLessThanOrEqualTo(Math.min(lag, cap));
            if (quota.isEmpty()) {
                assertThat(r.count()).as("seed %s count of %s without quota", seed, tp).isEqualTo(Math.min(lag, cap));
            } else if (quota.getAsLong() < totalLag) {
                double exact = (double) quota.getAsLong() * lag / totalLag;
                assertThat((double) r.count()).as("seed %s share of %s", seed, tp)
                        .isLessThanOrEqualTo(Math.min(cap, Math.floor(exact) + 1));
                assertThat((double) r.count()).as("seed %s share of %s", seed, tp)
                        .isGreaterThanOrEqualTo(Math.min(cap, Math.floor(exact)));
            }
        }
        if (quota.isPresent()) {
            assertThat(ranges.stream().mapToLong(OffsetRange::count).sum()).as("seed %s quota", seed)
                    .isLessThanOrEqualTo(quota.getAsLong());
        }
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void proportionalShares_addUpToQuotaAndNeverExceedLag(long seed) {
        Random random = new Random(seed);
        long[] lag = new long[1 + random.nextInt(8)];
        long total = 0;
        for (int i = 0; i < lag.length; i++) {
            lag[i] = random.nextInt(3) == 0 ? 0 : random.nextInt(100_000);
            total += lag[i];
        }
        long quota = random.nextInt(200_000);

        long[] share = OffsetRangePlanner.proportionalShares(lag, quota);

        assertThat(java.util.Arrays.stream(share).sum()).as("seed %s", seed).isEqualTo(Math.min(quota, total));
        for (int i = 0; i < lag.length; i++) {
            assertThat(share[i]).as("seed %s share %s", seed, i).isBetween(0L, lag[i]);
        }
    }

    @Test
    void plan_skewedTopicUnderQuota_givesTheLaggingPartitionMost() {
        TopicPartition quiet = new TopicPartition("t", 0);
        TopicPartition hot = new TopicPartition("t", 1);
        List<OffsetRange> ranges = new OffsetRangePlanner(SECOND, 0, 0)
                .plan(Map.of(quiet, 0L, hot, 0L), Map.of(quiet, 100L, hot, 9_900L), OptionalLong.of(1_000), false);

        assertThat(ranges).containsExactly(OffsetRange.of(quiet, 0, 10), OffsetRange.of(hot, 0, 990));
    }

    @Test
    void plan_coldStartWithoutRateLimit_readsOnlyTheInitialRate() {
        TopicPartition tp = new TopicPartition("t", 0);
        OffsetRangePlanner planner = new OffsetRangePlanner(Duration.ofMillis(500), 0, 2_000);

        assertThat(planner.plan(Map.of(tp, 0L), Map.of(tp, 1_000_000L), OptionalLong.empty(), true))
                .containsExactly(OffsetRange.of(tp, 0, 1_000));
        assertThat(planner.plan(Map.of(tp, 1_000L), Map.of(tp, 1_000_000L), OptionalLong.empty(), false))
                .containsExactly(OffsetRange.of(tp, 1_000, 1_000_000));
    }

    @Test
    void constructor_badArguments_nameThem() {
        assertThatThrownBy(() -> new OffsetRangePlanner(Duration.ZERO, 0, 0)).hasMessageContaining("batchInterval");
        assertThatThrownBy(() -> new OffsetRangePlanner(SECOND, -1, 0)).hasMessageContaining("maxRatePerPartition");
        assertThatThrownBy(() -> new OffsetRangePlanner(SECOND, 0, -1)).hasMessageContaining("initialRatePerPartition");
    }
}
