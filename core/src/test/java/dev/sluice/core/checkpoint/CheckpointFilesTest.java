package dev.sluice.core.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.CheckpointException;
import dev.sluice.core.Pair;
import dev.sluice.core.serializer.KryoSerializer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CheckpointFilesTest {
    private final CheckpointFiles files = new CheckpointFiles(new KryoSerializer(), new Configuration());

    @TempDir
    Path tempDir;

    private Path dir;
    private String dirUri;

    @BeforeEach
    void chooseDir() {
        dir = tempDir.resolve("ckpt");
        dirUri = dir.toUri().toString();
    }

    static LongStream seeds() {
        return LongStream.range(0, 30);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void readPartition_afterWritePartition_returnsSameRecords(long seed) {
        Random random = new Random(seed);
        int partitions = 1 + random.nextInt(5);
        List<List<Pair<String, Integer>>> written = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            List<Pair<String, Integer>> records = randomRecords(random);
            written.add(records);
            files.writePartition(dirUri, p, records.iterator());
        }

        assertThat(files.countPartitions(dirUri)).as("seed %d", seed).isEqualTo(partitions);
        for (int p = 0; p < partitions; p++) {
            assertThat(files.<Pair<String, Integer>>readPartition(dirUri, p)).as("seed %d partition %d", seed, p)
                    .isEqualTo(written.get(p));
        }
    }

    private static List<Pair<String, Integer>> randomRecords(Random random) {
        int size = random.nextInt(4) == 0 ? 0 : random.nextInt(2_000);
        List<Pair<String, Integer>> records = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            String key = random.nextInt(10) == 0 ? null : "k" + random.nextInt(100);
            records.add(Pair.of(key, random.nextInt()));
        }
        return records;
    }

    @Test
    void readPartition_emptyPartition_returnsEmptyList() {
        files.writePartition(dirUri, 0, Collections.emptyIterator());

        assertThat(files.readPartition(dirUri, 0)).isEmpty();
        assertThat(files.hasPartition(dirUri, 0)).isTrue();
    }

    @Test
    void partName_partition_isFiveDigits() {
        assertThat(CheckpointFiles.partName(7)).isEqualTo("part-00007");
        assertThat(CheckpointFiles.partName(123_456)).isEqualTo("part-123456");
        assertThatThrownBy(() -> CheckpointFiles.partName(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("partition");
    }

    @Test
    void countPartitions_missingDir_isZero() {
        assertThat(files.countPartitions(dirUri)).isZero();
        assertThat(files.hasPartition(dirUri, 0)).isFalse();
    }

    @Test
    void delete_writtenDir_removesItAndMissingDirIsFine() {
        files.writePartition(dirUri, 0, List.of(1).iterator());

        files.delete(dirUri);
        files.delete(dirUri);

        assertThat(dir).doesNotExist();
        assertThat(files.countPartitions(dirUri)).isZero();
    }

    @Test
    void writePartition_retried_keepsFirstFileAndLeavesNoTempFiles() throws IOException {
        files.writePartition(dirUri, 3, List.of("first").iterator());

        files.writePartition(dirUri, 3, List.of("second").iterator());

        assertThat(files.<String>readPartition(dirUri, 3)).containsExactly("first");
        assertThat(files.countPartitions(dirUri)).isEqualTo(1);
        assertThat(fileNames()).noneMatch(name -> name.contains("tmp"));
    }

    @Test
    void readPartition_missingFile_throwsNamingFile() {
        files.writePartition(dirUri, 0, List.of(1).iterator());

        assertThatThrownBy(() -> files.readPartition(dirUri, 1))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("part-00001")
                .hasMessageContaining("missing");
    }

    @Test
    void readPartition_truncatedFile_throwsWithExpectedAndFoundLength() throws IOException {
        Path file = writeCorrupted(List.of("a", "b", "c"), bytes -> Arrays.copyOf(bytes, bytes.length - 3));
        long present = Files.size(file) - PartitionFileHeader.LENGTH;

        assertThatThrownBy(() -> files.readPartition(dirUri, 0))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("part-00000")
                .hasMessageContaining("payload of " + (present + 3) + " bytes")
                .hasMessageContaining("found " + present + " bytes");
    }

    static Stream<Arguments> corruptions() {
        return Stream.of(
                Arguments.of("truncated header", (UnaryOperator<byte[]>) bytes -> Arrays.copyOf(bytes, 10),
                        "header of 32 bytes"),
                Arguments.of("flipped payload byte", flip(-2), "CRC32"),
                Arguments.of("bad magic", flip(0), "magic"),
                Arguments.of("other version", putInt(4, 2), "expected format version 1, found version 2"),
                Arguments.of("wrong record count", putLong(8, 4), "expected 4 records, found 3 records"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corruptions")
    void readPartition_corruptFile_throwsNamingFileAndMismatch(
            String corruption, UnaryOperator<byte[]> change, String mismatch) throws IOException {
        writeCorrupted(List.of("x", "y", "z"), change);

        assertThatThrownBy(() -> files.readPartition(dirUri, 0))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("part-00000")
                .hasMessageContaining(mismatch);
    }

    @Test
    void readPartition_corruptFileWithHadoopChecksum_throwsNamingFile() throws IOException {
        files.writePartition(dirUri, 0, List.of("some", "records").iterator());
        Path file = dir.resolve("part-00000");
        Files.write(file, flip(-2).apply(Files.readAllBytes(file)));

        assertThatThrownBy(() -> files.readPartition(dirUri, 0))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("part-00000");
    }

    /** Flips the low bit of the byte at {@code index}, counted from the end if negative. */
    private static UnaryOperator<byte[]> flip(int index) {
        return bytes -> {
            bytes[index < 0 ? bytes.length + index : index] ^= 0x01;
            return bytes;
        };
    }

    private static UnaryOperator<byte[]> putInt(int offset, int value) {
        return bytes -> ByteBuffer.wrap(bytes).putInt(offset, value).array();
    }

    private static UnaryOperator<byte[]> putLong(int offset, long value) {
        return bytes -> ByteBuffer.wrap(bytes).putLong(offset, value).array();
    }

    /** Writes partition 0 without Hadoop's checksum, then applies {@code change} to its bytes. */
    private Path writeCorrupted(List<?> records, UnaryOperator<byte[]> change) throws IOException {
        Path file = writeWithoutHadoopChecksum(records);
        Files.write(file, change.apply(Files.readAllBytes(file)));
        return file;
    }

    /**
     * Writes partition 0 and deletes the {@code .crc} file Hadoop's local file system keeps
     * beside it, as on file systems without client-side checksums, so the corruption reaches
     * the checkpoint format's own checks.
     */
    private Path writeWithoutHadoopChecksum(List<?> records) throws IOException {
        files.writePartition(dirUri, 0, records.iterator());
        Files.deleteIfExists(dir.resolve(".part-00000.crc"));
        return dir.resolve("part-00000");
    }

    private List<String> fileNames() throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).toList();
        }
    }
}
