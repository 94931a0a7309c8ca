package dev.sluice.core.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BlockIdTest {

    @Test
    void name_datasetBlock_namesDatasetAndPartition() {
        assertThat(new DatasetBlockId(3, 7).name()).isEqualTo("ds_3_7");
    }

    @Test
    void name_inputBlock_namesStreamAndSequence() {
        assertThat(new InputBlockId(2, 12_345_678_901L).name()).isEqualTo("input_2_12345678901");
    }

    @Test
    void datasetBlockId_negativeField_throwsNamingField() {
        assertThatThrownBy(() -> new DatasetBlockId(-1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("datasetId").hasMessageContaining("-1");
        assertThatThrownBy(() -> new DatasetBlockId(0, -2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("partition").hasMessageContaining("-2");
    }

    @Test
    void inputBlockId_negativeField_throwsNamingField() {
        assertThatThrownBy(() -> new InputBlockId(-1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("streamId");
        assertThatThrownBy(() -> new InputBlockId(0, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sequence");
    }
}
