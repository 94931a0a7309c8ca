package dev.sluice.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.Dataset;
import dev.sluice.core.Engine;
import dev.sluice.core.JobFailedException;
import dev.sluice.core.Pair;
import dev.sluice.core.PairDataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A checkpoint part file damaged after it was written makes the next job fail, naming the file;
 * the job never returns records from it silently.
 */
class DatasetCheckpointCorruptionTest {
    /** Bytes of the part file header (magic, version, count, length, CRC) before the payload. */
    private static final int HEADER = 32;

    @TempDir
    Path tempDir;

    private Engine engine;

    @BeforeEach
    void start() {
        engine = Engine.builder().parallelism(2).checkpointDir(tempDir.toUri().toString()).build();
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    static Stream<Arguments> corruptions() {
        return Stream.of(
                Arguments.of("payload byte flipped", (UnaryOperator<byte[]>) b -> flip(b, HEADER + b.length / 2 - 16)),
                Arguments.of("last byte flipped", (UnaryOperator<byte[]>) b -> flip(b, b.length - 1)),
                Arguments.of("record count changed", (UnaryOperator<byte[]>) b -> flip(b, 15)),
                Arguments.of("magic changed", (UnaryOperator<byte[]>) b -> flip(b, 0)),
                Arguments.of("truncated payload", (UnaryOperator<byte[]>) b -> Arrays.copyOf(b, b.length - 3)),
                Arguments.of("truncated header", (UnaryOperator<byte[]>) b -> Arrays.copyOf(b, HEADER - 5)),
                Arguments.of("empty file", (UnaryOperator<byte[]>) b -> new byte[0]));
    }

    private static byte[] flip(byte[] bytes, int position) {
        byte[] out = bytes.clone();
        out[position] ^= 0x5A;
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corruptions")
    void action_damagedCheckpointFile_failsNamingTheFile(String damage, UnaryOperator<byte[]> corrupt)
            throws IOException {
        PairDataset<Integer, String> data = engine.parallelize(IntStream.range(0, 200).boxed().toList(), 3)
                .mapToPair(x -> Pair.of(x % 7, "v" + x));
        data.checkpoint();
        List<Pair<Integer, String>> before = data.collect();
        assertThat(data.isCheckpointed()).isTrue();
        Path dir = Path.of(java.net.URI.create(data.checkpointFile().orElseThrow()));
        assertThat(dir).startsWith(tempDir);
        Path part = dir.resolve("part-00000");
        // Hadoop's local file system keeps a CRC sidecar; without it, the format's own checks must hold.
        Files.deleteIfExists(dir.resolve(".part-00000.crc"));
        Files.write(part, corrupt.apply(Files.readAllBytes(part)));

        Dataset<Integer> downstream = data.keys();

        assertThatThrownBy(data::collect).as(damage).isInstanceOf(JobFailedException.class)
                .satisfies(e -> assertThat(messages(e)).as(damage).contains("/" + data.id() + "/part-00000"));
        assertThatThrownBy(downstream::count).as(damage).isInstanceOf(JobFailedException.class);
        assertThat(before).hasSize(200);
    }

    /** All messages of {@code e} and its causes. */
    private static String messages(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            out.append(t.getMessage()).append('\n');
        }
        return out.toString();
    }
}
