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

        assertThat(names(dir)).containsExactly("ckpt", "out-1000.txt", "out-2000.txt", "out-3000.txt");
        assertThat(names(dir.resolve("out-1000.txt"))).isNotEmpty().allMatch(n -> n.startsWith("part-")
                || n.equals("_SLUICE_OUTPUT"));
        assertThat(lines(dir.resolve("out-1000.txt"))).containsExactly("a", "b", "c");
        assertThat(lines(dir.resolve("out-2000.txt"))).isEmpty();
        assertThat(lines(dir.resolve("out-3000.txt"))).containsExactly("d");
    }

    @Test
    void saveAsTextFiles_emptySuffix_namesDirectoriesWithoutDot() throws IOException {
        save(List.of(List.of("a")), "", 1);

        assertThat(names(dir)).containsExactly("ckpt", "out-1000");
    }

    @Test
    void saveAsTextFiles_replayedBatchOfTheSameApplication_isSkipped() throws IOException {
        String ckpt = dir.resolve("ckpt").toUri().toString();
        saveThenCrash(List.of(List.of("first run")), ckpt);

        save(List.of(List.of("replay"), List.of("second run")), "txt", 2, ckpt);

        assertThat(names(dir)).containsExactly("ckpt", "out-1000.txt", "out-2000.txt");
        assertThat(lines(dir.resolve("out-1000.txt"))).containsExactly("first run");
        assertThat(lines(dir.resolve("out-2000.txt"))).containsExactly("second run");
        assertThat(Files.readString(dir.resolve("out-1000.txt").resolve("_SLUICE_OUTPUT"))).contains(ckpt);
    }

    @Test
    void saveAsTextFiles_directoryLeftByAnUnrelatedRun_failsTheBatchNamingItInsteadOfSkipping() throws IOException {
        save(List.of(List.of("unrelated")), "txt", 1, dir.resolve("other-ckpt").toUri().toString());
        Files.createDirectories(dir.resolve("out-2000.txt"));

        List<BatchInfo> infos = saveExpectingFailures(List.of(List.of("mine"), List.of("mine too")), 2);

        assertThat(infos.get(0).failure()).hasValueSatisfying(f -> assertThat(f).hasMessageContaining("out-1000.txt")
                .hasMessageContaining("not written by this application").hasMessageContaining("other-ckpt")
                .hasMessageContaining("delete it"));
        assertThat(infos.get(1).failure()).hasValueSatisfying(f -> assertThat(f).hasMessageContaining("out-2000.txt")
                .hasMessageContaining("no _SLUICE_OUTPUT marker"));
        assertThat(lines(dir.resolve("out-1000.txt"))).containsExactly("unrelated");
    }

    private List<BatchInfo> saveExpectingFailures(List<List<String>> batches, int runs) {
        try (StreamingTestKit kit = StreamingTestKit.builder().batchInterval(Duration.ofSeconds(1))
                .failOnBatchError(false).build()) {
            kit.input(batches).saveAsTextFiles(dir.resolve("out").toString(), "txt");
            kit.run(runs);
            return kit.batchInfos();
        }
    }

    /** Runs batch 1, which writes its output and then crashes (as kill -9 would) before it completes. */
    private void saveThenCrash(List<List<String>> batches, String checkpointDir) {
        try (StreamingTestKit kit = StreamingTestKit.builder().batchInterval(Duration.ofSeconds(1))
                .checkpointDir(checkpointDir).build()) {
            DStream<String> in = kit.input(batches);
            in.saveAsTextFiles(dir.resolve("out").toString(), "txt");
            in.foreachBatch((ds, time) -> kit.crash());
            kit.run(1);
            assertThat(kit.isCrashed()).isTrue();
        }
    }

    private void save(List<List<String>> batches, String suffix, int runs) {
        save(batches, suffix, runs, dir.resolve("ckpt").toUri().toString());
    }

    private void save(List<List<String>> batches, String suffix, int runs, String checkpointDir) {
        try (StreamingTestKit kit = StreamingTestKit.builder().batchInterval(Duration.ofSeconds(1))
                .checkpointDir(checkpointDir).build()) {
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
