package dev.sluice.examples.bench;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Checks the generator against every check value of {@code shared/bench/WORKLOADS.md}. */
class WorkloadDataTest {

    @Test
    void line_firstThreeLines_matchCheckValues() {
        assertThat(WorkloadData.line(0)).isEqualTo("w4395 w3 w15 w35 w0 w20328 w7 w8977 w33 w992");
        assertThat(WorkloadData.line(1)).isEqualTo("w6 w217 w278 w301 w1744 w6 w1 w223 w1 w2326");
        assertThat(WorkloadData.line(2))
                .isEqualTo("w59693 w0 w791 w1008 w0 w15 w4417 w7476 w49553 w2478");
    }

    @ParameterizedTest(name = "lines 0..{0}")
    @CsvSource({"1000, 1092553199", "10000, 2018267114", "100000, 2057743067",
            "1000000, 3843592475"})
    void lines_crc32OfFirstLines_matchesCheckValue(int count, long expectedCrc) {
        CRC32 crc = new CRC32();
        for (String line : WorkloadData.lines(0, count)) {
            crc.update((line + '\n').getBytes(UTF_8));
        }
        assertThat(crc.getValue()).isEqualTo(expectedCrc);
    }

    @ParameterizedTest(name = "N={0}")
    @CsvSource({"10000, 24228, 24563", "100000, 80759, 80885", "1000000, 99996, 99999"})
    void batch_distinctWordsOfFirstTwoBatches_matchCheckValues(int n, long first, long second) {
        assertThat(distinctWords(WorkloadData.batch(0, n))).isEqualTo(first);
        assertThat(distinctWords(WorkloadData.batch(1, n))).isEqualTo(second);
    }

    @Test
    void line_anyIndex_isTenWordsFromTheVocabulary() {
        for (long index : new long[] {3, 12_345, 999_999, 1_000_000, 123_456_789}) {
            String[] words = WorkloadData.line(index).split(" ", -1);
            assertThat(words).as("line %s", index).hasSize(WorkloadData.WORDS_PER_LINE)
                    .allSatisfy(w -> assertThat(w).matches("w(0|[1-9][0-9]{0,4})"));
        }
    }

    @Test
    void batch_largeBatchGeneratedOnTwoThreads_equalsLineByLine() {
        List<String> batch = WorkloadData.batch(3, 50_000);
        assertThat(batch).hasSize(50_000);
        for (int i : new int[] {0, 1, 24_999, 25_000, 25_001, 49_999}) {
            assertThat(batch.get(i)).as("line %s", i).isEqualTo(WorkloadData.line(150_000L + i));
        }
    }

    static Stream<Arguments> partitionShapes() {
        return Stream.of(Arguments.of(10, 3), Arguments.of(7, 2), Arguments.of(2, 5),
                Arguments.of(30_000, 2), Arguments.of(1, 1));
    }

    @ParameterizedTest(name = "N={0}, P={1}")
    @MethodSource("partitionShapes")
    void partitionOfBatch_allPartitionsInOrder_concatenateToTheBatch(int n, int numPartitions) {
        List<String> concatenated = new ArrayList<>();
        for (int p = 0; p < numPartitions; p++) {
            List<String> partition = WorkloadData.partitionOfBatch(2, n, p, numPartitions);
            assertThat(partition).hasSize((p + 1) * n / numPartitions - p * n / numPartitions);
            concatenated.addAll(partition);
        }
        assertThat(concatenated).isEqualTo(WorkloadData.batch(2, n));
    }

    @ParameterizedTest(name = "N={0} -> K={1}")
    @CsvSource({"1, 8", "10000, 8", "500000, 8", "600000, 6", "1000000, 4", "4000000, 1",
            "5000000, 1"})
    void pregeneratedBatches_batchSize_isMinOf8And4MillionOverN(int n, int expected) {
        assertThat(WorkloadData.pregeneratedBatches(n)).isEqualTo(expected);
    }

    @Test
    void pregenerate_smallBatches_returnsBatchesZeroToK() {
        List<List<String>> batches = WorkloadData.pregenerate(1_000);
        assertThat(batches).hasSize(8);
        for (int b = 0; b < batches.size(); b++) {
            assertThat(batches.get(b)).as("batch %s", b).isEqualTo(WorkloadData.batch(b, 1_000));
        }
    }

    @Test
    void partitionOfBatch_partitionOutOfRange_throwsNamingTheArgument() {
        assertThatThrownBy(() -> WorkloadData.partitionOfBatch(0, 10, 2, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("partition must be in [0, 2), got 2");
        assertThatThrownBy(() -> WorkloadData.batch(0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("linesPerBatch");
    }

    private static long distinctWords(List<String> lines) {
        return lines.stream().flatMap(l -> Arrays.stream(l.split(" "))).distinct().count();
    }
}
