package dev.sluice.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReferenceTest {

    @Test
    void w1_firstBatchesOf10000Lines_areTheCheckValuesOfWorkloadsMd() {
        Reference w1 = Reference.of("W1", WorkloadData.pregenerate(10_000), 10);
        assertThat(w1.expected(0)).isEqualTo(24228);
        assertThat(w1.expected(1)).isEqualTo(24563);
        assertThat(w1.expected(8)).as("data batch 8 is batch 8 mod K = 0").isEqualTo(24228);
    }

    @Test
    void check_outputDiffersFromTheReference_throwsNamingBatchAndBothValues() {
        Reference w3mapws = Reference.of("W3mapws", List.of(List.of("a b", "c")), 1);
        w3mapws.check("W3mapws", "engine", 4, 3);
        assertThatThrownBy(() -> w3mapws.check("W3mapws", "baseline-1thread", 5, 4))
                .isInstanceOf(BenchCheckException.class)
                .hasMessage("W3mapws baseline-1thread: batch 5 output 4, but the plain-Java reference expects 3");
    }

    @Test
    void of_unknownWorkload_throwsNamingIt() {
        assertThatThrownBy(() -> Reference.of("W9", List.of(List.of("a")), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("W9");
    }
}
