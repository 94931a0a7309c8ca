package dev.sluice.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.streaming.testing.StreamingTestKit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SaveAsTextFilesIT {
    @TempDir
    Path dir;

    @Test
    void saveAsTextFiles_eachBatch_writesOneDirectoryOfPartFiles() throws IOException {
        save(List.of(List.of("a", "b", "c"), List.of(), List.of("d")), "txt", 3);

        assertThat(names(dir)).containsExactly("out-1000.txt", "out-2000.txt", "out-3000.txt");
        assertThat(names(dir.resolve("out-1000.txt"))).isNotEmpty().allMatch(n -> n.startsWith("part-"));
        assertThat(lines(dir.resolve("out-1000.txt"))).containsExactly("a", "b", "c");
        assertThat(lines(dir.resolve("out-2000.txt"))).isEmpty();
        assertThat(lines(dir.resolve("out-3000.txt"))).containsExactly("d");
    }

    @Test
    void saveAsTextFiles_emptySuffix_namesDirectoriesWithoutDot() throws IOException {
        save(List.of(List.of("a")), "", 1);

        assertThat(names(dir)).containsExactly("out-1000");
    }

    @Test
    void saveAsTextFiles_replayedBatchWhoseDirectoryExists_isSkipped() throws IOException {
        save(List.of(List.of("first run")), "txt", 1);

        save(List.of(List.of("replay"), List.of("second run")), "txt", 2);

        assertThat(names(dir)).containsExactly("out-1000.txt", "out-2000.txt");
        assertThat(lines(dir.resolve("out-1000.txt"))).containsExactly("first run");
        assertThat(lines(dir.resolve("out-2000.txt"))).containsExactly("second run");
    }

    private void save(List<List<String>> batches, String suffix, int runs) {
        try (StreamingTestKit kit = StreamingTestKit.create(Duration.ofSeconds(1))) {
            kit.input(batches).saveAsTextFiles(dir.resolve("out").toString(), suffix);
            kit.run(runs);
        }
    }

    /** Every entry of {@code d}, hidden and temporary ones included, sorted. */
    private static List<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".crc")).sorted().toList();
        }
    }

    private static List<String> lines(Path output) throws IOException {
        try (Stream<Path> parts = Files.list(output)) {
            return parts.filter(p -> p.getFileName().toString().startsWith("part-")).sorted()
                    .flatMap(p -> {
                        try {
                            return Files.readAllLines(p).stream();
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }).toList();
        }
    }
}
