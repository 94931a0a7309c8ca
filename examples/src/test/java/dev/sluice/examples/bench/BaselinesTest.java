package dev.sluice.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

    @Test
    void partition_anyWord_isZeroOrOne() {
        for (String w : WorkloadData.line(7).split(" ")) {
            assertThat(Baselines.partition(w)).isBetween(0, 1);
        }
        // "Aa" and "BB" share a hash, so they must share a partition.
        assertThat(Baselines.partition("Aa")).isEqualTo(Baselines.partition("BB"));
    }
}
