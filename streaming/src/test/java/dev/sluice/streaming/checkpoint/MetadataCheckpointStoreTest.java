package dev.sluice.streaming.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.CheckpointException;
import dev.sluice.streaming.checkpoint.MetadataCheckpointStore.CommitMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MetadataCheckpointStoreTest {
    @TempDir
    Path tmp;

    private MetadataCheckpointStore store(int retain, CommitMode mode) {
        return new MetadataCheckpointStore(tmp.resolve("meta").toUri().toString(), new Configuration(), retain, mode);
    }

    private List<String> names() throws Exception {
        try (Stream<Path> files = Files.list(tmp.resolve("meta"))) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @ParameterizedTest
    @EnumSource(CommitMode.class)
    void write_moreThanRetain_keepsOnlyTheNewestAndLatestReturnsTheNewest(CommitMode mode) throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        MetadataCheckpointStore store = store(3, mode);
        List<MetadataCheckpoint> written = new ArrayList<>();
        for (int i = 1; i <= 7; i++) {
            written.add(RandomCheckpoints.checkpoint(random, i * 1000L));
            store.write(written.get(i - 1));
        }

        assertThat(names()).as("seed %s", seed).containsExactly(
                "metadata-00000000000000005000", "metadata-00000000000000006000", "metadata-00000000000000007000");
        RecoveredCheckpoint latest = store.latest().orElseThrow();
        assertThat(latest.checkpoint()).as("seed %s", seed).isEqualTo(written.get(6));
        assertThat(latest.path()).endsWith("metadata-00000000000000007000");
        assertThat(latest.skipped()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(CommitMode.class)
    void write_sameBatchTimeAgain_replacesTheFile(CommitMode mode) {
        MetadataCheckpointStore store = store(10, mode);
        Random random = new Random(5);
        store.write(RandomCheckpoints.checkpoint(random, 2000));
        MetadataCheckpoint second = RandomCheckpoints.checkpoint(random, 2000);

        store.write(second);

        assertThat(store.checkpointFiles()).hasSize(1);
        assertThat(store.latest().orElseThrow().checkpoint()).isEqualTo(second);
    }

    @Test
    void latest_directoryMissing_isEmpty() {
        assertThat(store(10, CommitMode.RENAME).latest()).isEmpty();
    }

    @Test
    void write_leavesNoTempFiles() throws Exception {
        MetadataCheckpointStore store = store(10, CommitMode.RENAME);
        store.write(RandomCheckpoints.checkpoint(new Random(9), 1000));

        assertThat(names()).containsExactly("metadata-00000000000000001000");
    }

    @ParameterizedTest
    @EnumSource(CommitMode.class)
    void write_afterARestartOnAFullDirectory_prunesTheFilesOfTheEarlierRunToo(CommitMode mode) throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        MetadataCheckpointStore first = store(3, mode);
        for (int i = 1; i <= 5; i++) {
            first.write(RandomCheckpoints.checkpoint(random, i * 1000L));
        }
        // A new process: its store learns the retained files from one listing, then prunes from memory.
        MetadataCheckpointStore second = store(3, mode);
        second.latest();
        MetadataCheckpoint newest = null;
        for (int i = 6; i <= 9; i++) {
            newest = RandomCheckpoints.checkpoint(random, i * 1000L);
            second.write(newest);
        }

        assertThat(names()).as("seed %s", seed).containsExactly(
                "metadata-00000000000000007000", "metadata-00000000000000008000", "metadata-00000000000000009000");
        assertThat(second.latest().orElseThrow().checkpoint()).as("seed %s", seed).isEqualTo(newest);
    }

    @Test
    void write_thatFails_deletesItsTemporaryFileAndSaysWhichFile() throws Exception {
        MetadataCheckpointStore store = store(3, CommitMode.RENAME);
        store.write(RandomCheckpoints.checkpoint(new Random(3), 1000));
        store.beforeCommit(() -> {
            throw new IllegalStateException("disk gone");
        });

        assertThatThrownBy(() -> store.write(RandomCheckpoints.checkpoint(new Random(4), 2000)))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("metadata-00000000000000002000")
                .hasMessageContaining("disk gone").hasRootCauseMessage("disk gone");
        assertThat(names()).containsExactly("metadata-00000000000000001000");
    }
}
