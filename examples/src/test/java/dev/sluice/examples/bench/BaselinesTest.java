package dev.sluice.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class BaselinesTest {
    private static ExecutorService pool;

    @BeforeAll
    static void startPool() {
        pool = Executors.newFixedThreadPool(2);
    }

    @AfterAll
    static void stopPool() {
        pool.shutdownNow();
    }

    @ParameterizedTest(name = "batch {1} of N={0}")
    @CsvSource({"10000, 0, 24228", "10000, 1, 24563", "100000, 0, 80759", "100000, 1, 80885"})
    void baselines_checkBatch_countDistinctWordsLikeStreams(int n, int b, long checkValue) {
        List<String> batch = WorkloadData.batch(b, n);
        long reference = batch.stream().flatMap(l -> Arrays.stream(l.split(" "))).distinct().count();

        assertThat(reference).isEqualTo(checkValue);
        assertThat(Baselines.singleThread(batch)).isEqualTo(reference);
        assertThat(Baselines.twoThreads(batch, pool)).isEqualTo(reference);
    }

    @Test
    void baselines_emptyOrOneLineBatch_countItsWords() {
        List<String> oneLine = List.of("a b a c");
        assertThat(Baselines.singleThread(List.of())).isZero();
        assertThat(Baselines.twoThreads(List.of(), pool)).isZero();
        assertThat(Baselines.singleThread(oneLine)).isEqualTo(3);
        assertThat(Baselines.twoThreads(oneLine, pool)).isEqualTo(3);
    }

    @Test
    void forEachWord_singleSpaces_yieldsWordsLikeSplit() {
        for (String line : new String[] {"w1", "w1 w2", "w4395 w3 w15 w35 w0"}) {
            List<String> words = new ArrayList<>();
            Baselines.forEachWord(line, words::add);
            assertThat(words).as(line).containsExactly(line.split(" "));
        }
    }

    @ParameterizedTest(name = "{0} split")
    @CsvSource({"INDEX_OF", "REGEX"})
    void baselines_eitherSplitter_countDistinctWordsOfTheReference(Splitter splitter) {
        List<String> batch = WorkloadData.batch(3, 5_000);
        long reference = batch.stream().flatMap(l -> Arrays.stream(l.split(" "))).distinct().count();

        assertThat(Baselines.singleThread(batch, splitter)).isEqualTo(reference);
        assertThat(Baselines.twoThreads(batch, pool, splitter)).isEqualTo(reference);
    }

    /**
     * HashMap takes its bucket index from the low bits of {@code h ^ (h >>> 16)}; if the keys of a
     * partition map all shared one of those bits, half of its buckets would stay empty.
     */
    @Test
    void countPartitioned_eachPartitionMap_spreadsOverHashMapBucketBits() {
        List<Map<String, Integer>> partitions = Baselines.countPartitioned(WorkloadData.batch(0, 10_000),
                Splitter.INDEX_OF);
        long distinct = partitions.stream().mapToLong(Map::size).sum();
        for (int p = 0; p < partitions.size(); p++) {
            Set<String> keys = partitions.get(p).keySet();
            assertThat(keys.size()).as("partition %s of %s keys", p, distinct)
                    .isBetween((int) (0.4 * distinct), (int) (0.6 * distinct));
            for (int bit = 0; bit < 4; bit++) {
                int mask = 1 << bit;
                long set = keys.stream().filter(w -> (spread(w) & mask) != 0).count();
                assertThat(set / (double) keys.size()).as("partition %s: share of keys with bucket bit %s set", p,
                        bit).isBetween(0.4, 0.6);
            }
        }
    }

    private static int spread(String w) {
        int h = w.hashCode();
        return h ^ (h >>> 16);
    }

    static Stream<Arguments> loops() {
        return Stream.of(
                Arguments.of("W2inv", (Function<Splitter, Baselines.Loop>) s -> Baselines.windowWithInverse(s, 3)),
                Arguments.of("W2noinv", (Function<Splitter, Baselines.Loop>) s -> Baselines.windowWithoutInverse(s, 3)),
                Arguments.of("W3update", (Function<Splitter, Baselines.Loop>) Baselines::updateState),
                Arguments.of("W3mapws", (Function<Splitter, Baselines.Loop>) Baselines::mapWithState));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("loops")
    void loop_twentyBatchesOfRandomLines_matchesTheReference(String workload,
                                                            Function<Splitter, Baselines.Loop> factory) {
        long seed = 8_2026L;
        List<List<String>> data = randomBatches(seed, 6, 200);
        Reference reference = Reference.of(workload, data, 3);
        for (Splitter splitter : Splitter.values()) {
            Baselines.Loop loop = factory.apply(splitter);
            for (int j = 0; j < 20; j++) {
                assertThat(loop.batch(data.get(j % data.size())))
                        .as("%s %s batch %s, seed %s", workload, splitter, j, seed)
                        .isEqualTo(reference.expected(j));
            }
        }
    }

    @Test
    void windowLoops_keysThatLeaveTheWindow_stayOnlyWithTheInverse() {
        List<String> a = List.of("a b");
        List<String> c = List.of("c");
        Baselines.Loop inverse = Baselines.windowWithInverse(Splitter.INDEX_OF, 1);
        Baselines.Loop noInverse = Baselines.windowWithoutInverse(Splitter.INDEX_OF, 1);
        assertThat(List.of(inverse.batch(a), inverse.batch(c), inverse.batch(c))).containsExactly(2L, 3L, 3L);
        assertThat(List.of(noInverse.batch(a), noInverse.batch(c), noInverse.batch(c))).containsExactly(2L, 1L, 1L);
    }

    /** Batches of lines of 1..5 words from a vocabulary of 300, single spaces. */
    static List<List<String>> randomBatches(long seed, int batches, int lines) {
        Random random = new Random(seed);
        List<List<String>> out = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            List<String> batch = new ArrayList<>();
            for (int l = 0; l < lines; l++) {
                StringBuilder line = new StringBuilder("x" + random.nextInt(300));
                for (int w = random.nextInt(5); w > 0; w--) {
                    line.append(' ').append('x').append(random.nextInt(300));
                }
                batch.add(line.toString());
            }
            out.add(batch);
        }
        return out;
    }

    @Test
    void partition_anyWord_isZeroOrOne() {
        for (String w : WorkloadData.line(7).split(" ")) {
            assertThat(Baselines.partition(w)).isBetween(0, 1);
        }
        // "Aa" and "BB" share a hash, so they must share a partition.
        assertThat(Baselines.partition("Aa")).isEqualTo(Baselines.partition("BB"));
    }
}
