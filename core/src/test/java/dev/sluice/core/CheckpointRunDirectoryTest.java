package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dataset ids restart at 0 in every engine: a new run must never read an earlier run's checkpoint. */
class CheckpointRunDirectoryTest {

    @TempDir
    Path checkpoints;

    @Test
    void checkpoint_twoEnginesSameDirectory_eachReadsItsOwnData() {
        List<Integer> first = checkpointed(List.of(1, 2, 3));
        List<Integer> second = checkpointed(List.of(7, 8, 9, 10));

        assertThat(first).containsExactly(1, 2, 3);
        assertThat(second).containsExactly(7, 8, 9, 10);
    }

    private List<Integer> checkpointed(List<Integer> data) {
        try (Engine engine = Engine.builder().parallelism(2).checkpointDir(checkpoints.toUri().toString()).build()) {
            Dataset<Integer> ds = engine.parallelize(data, 2).map(x -> x);
            ds.checkpoint();
            ds.count();
            assertThat(ds.isCheckpointed()).isTrue();
            return ds.collect();
        }
    }
}
