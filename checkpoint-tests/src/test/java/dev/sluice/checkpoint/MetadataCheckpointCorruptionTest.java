package dev.sluice.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.CheckpointException;
import dev.sluice.streaming.checkpoint.MetadataCheckpoint;
import dev.sluice.streaming.checkpoint.MetadataCheckpointStore;
import dev.sluice.streaming.checkpoint.RandomCheckpoints;
import dev.sluice.streaming.checkpoint.RecoveredCheckpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.LongStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The corruption matrix for metadata checkpoint files: with the newest file damaged, recovery
 * falls back to the previous checkpoint and says which file it skipped and why (path and
 * offset); with every file damaged it refuses, naming each.
 */
class MetadataCheckpointCorruptionTest {
    @TempDir
    Path tmp;
    private MetadataCheckpointStore store;
    private final List<MetadataCheckpoint> written = new ArrayList<>();
    private final long seed = System.nanoTime();

    @BeforeEach
    void writeThree() {
        store = MetadataCheckpointStore.of(tmp.resolve("meta").toUri().toString(), new Configuration());
        Random random = new Random(seed);
        for (long t = 1000; t <= 3000; t += 1000) {
            written.add(RandomCheckpoints.checkpoint(random, t));
            store.write(written.get(written.size() - 1));
        }
    }

    private Path file(long time) {
        return tmp.resolve("meta").resolve(String.format("metadata-%020d", time));
    }

    private void damage(Path file, UnaryOperator<byte[]> change) throws Exception {
        Files.write(file, change.apply(Files.readAllBytes(file)));
    }

    private void assertFellBackSkippingNewest(String... reasonParts) {
        RecoveredCheckpoint r = store.latest().orElseThrow();
        assertThat(r.checkpoint()).as("seed %s", seed).isEqualTo(written.get(1));
        assertThat(r.path()).endsWith(file(2000).getFileName().toString());
        assertThat(r.skipped()).as("seed %s", seed).singleElement().asString()
                .contains(file(3000).getFileName().toString()).contains(reasonParts);
        System.out.println("recovered: " + r.describe());
    }

    @Test
    void garbageAppended_fallsBackToThePreviousCheckpointSayingWhy() throws Exception {
        damage(file(3000), b -> {
            byte[] longer = Arrays.copyOf(b, b.length + 17);
            longer[b.length] = 42;
            return longer;
        });

        assertFellBackSkippingNewest("bytes after the header", "header at offset 8");
    }

    @Test
    void lastByteTruncated_fallsBackToThePreviousCheckpointSayingWhy() throws Exception {
        damage(file(3000), b -> Arrays.copyOf(b, b.length - 1));

        assertFellBackSkippingNewest("truncated");
    }

    @Test
    void truncatedToOneByte_fallsBackToThePreviousCheckpointSayingWhy() throws Exception {
        damage(file(3000), b -> Arrays.copyOf(b, 1));

        assertFellBackSkippingNewest("a file of 1 bytes");
    }

    @Test
    void zeroLength_fallsBackToThePreviousCheckpointSayingWhy() throws Exception {
        damage(file(3000), b -> new byte[0]);

        assertFellBackSkippingNewest("a file of 0 bytes");
    }

    static LongStream flips() {
        return LongStream.range(0, 25);
    }

    @ParameterizedTest
    @MethodSource("flips")
    void oneByteFlipped_atARandomOffset_fallsBackNamingTheOffset(long flipSeed) throws Exception {
        Random random = new Random(flipSeed);
        int length = (int) Files.size(file(3000));
        int at = random.nextInt(length);
        damage(file(3000), b -> {
            b[at] ^= (byte) (1 << random.nextInt(8));
            return b;
        });
        // Which header field the byte is in decides the reason; every reason names its offset.
        String offset = at < 4 ? "offset 0" : at < 8 ? "offset 4" : at < 12 ? "offset 8" : "offset 12";

        assertFellBackSkippingNewest(offset);
    }

    @Test
    void newestDeleted_recoversThePreviousOneAndSaysWhichFile() throws Exception {
        Files.delete(file(3000));

        RecoveredCheckpoint r = store.latest().orElseThrow();

        assertThat(r.checkpoint()).as("seed %s", seed).isEqualTo(written.get(1));
        assertThat(r.describe()).contains(file(2000).getFileName().toString()).contains("batch 2000");
        assertThat(r.skipped()).isEmpty();
    }

    @Test
    void staleTempFileLeft_isIgnoredByRecoveryAndDeletedByTheNextWrite() throws Exception {
        Path temp = tmp.resolve("meta").resolve(".metadata-00000000000000004000.1234.tmp");
        Files.write(temp, Arrays.copyOf(Files.readAllBytes(file(3000)), 10));

        assertThat(store.latest().orElseThrow().checkpoint()).isEqualTo(written.get(2));
        assertThat(temp).exists();
        store.write(RandomCheckpoints.checkpoint(new Random(seed + 1), 4000));
        assertThat(temp).doesNotExist();
    }

    @Test
    void staleTempFile_isDeletedAtRecoveryWithItsPathReported() throws Exception {
        Path temp = tmp.resolve("meta").resolve(".metadata-00000000000000004000.abcd.tmp");
        Files.write(temp, new byte[] {1, 2, 3});

        assertThat(store.deleteStaleTempFiles()).singleElement().asString().endsWith(temp.getFileName().toString());
        assertThat(temp).doesNotExist();
    }

    @Test
    void everyFileDamaged_isRefusedNamingEachFile() throws Exception {
        for (long t = 1000; t <= 3000; t += 1000) {
            damage(file(t), b -> Arrays.copyOf(b, 3));
        }

        assertThatThrownBy(() -> store.latest()).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(file(1000).getFileName().toString())
                .hasMessageContaining(file(2000).getFileName().toString())
                .hasMessageContaining(file(3000).getFileName().toString())
                .hasMessageContaining("none valid").hasMessageContaining("empty directory");
    }
}
