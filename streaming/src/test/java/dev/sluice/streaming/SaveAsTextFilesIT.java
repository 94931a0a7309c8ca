package dev.sluice.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.streaming.output.FaultyFileSystem;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code saveAsTextFiles} commits each batch through a manifest: one directory of uniquely named
 * part files per non-empty batch, and a reader through {@link ManifestFiles#ofTextFiles} sees each
 * batch exactly once, compared with plain Java over seeded input, across crashes between the data
 * files and the manifest entry and between the entry and the commit log; files left by an
 * unrelated run never make a batch skip. The output goes to a {@code faulty:} file system that is
 * reachable only through the kit's {@code hadoopProperty} settings, so every test also shows the
 * engine's Hadoop configuration reaching the output.
 */
class SaveAsTextFilesIT {
    private static final int BATCHES = 6;

    @TempDir
    Path dir;

    @BeforeEach
    @AfterEach
    void resetFileSystem() {
        FaultyFileSystem.reset();
    }

    @Test
    void saveAsTextFiles_eachNonEmptyBatch_writesOneDirectoryCommittedThroughTheManifest() throws IOException {
        long seed = 41;
        List<List<String>> input = lines(seed);
        run(kit(), input, BATCHES);

        assertThat(read()).as("seed %s: batches read through the manifest, plain Java", seed)
                .isEqualTo(reference(input));
        List<String> expectedNames = new ArrayList<>(List.of("_manifest-out.txt", "ckpt"));
        reference(input).keySet().forEach(t -> expectedNames.add("out-" + t + ".txt"));
        expectedNames.sort(null);
        assertThat(names(dir)).as("seed %s: one directory per non-empty batch, and the manifest", seed)
                .isEqualTo(expectedNames);
        assertThat(names(dir.resolve("out-1000.txt"))).isNotEmpty()
                .allMatch(n -> n.matches("part-\\d{5}-[0-9a-f-]{36}"));
        assertThat(FaultyFileSystem.CREATES.get()).as("files created through the faulty: scheme").isPositive();
    }

    @Test
    void saveAsTextFiles_emptySuffix_namesDirectoriesAndManifestWithoutDot() throws IOException {
        StreamingTestKit kit = kit();
        kit.input(List.of(List.of("a"))).saveAsTextFiles(faulty(dir.resolve("out")), "");
        kit.run(1);
        kit.close();

        assertThat(names(dir)).containsExactly("_manifest-out", "ckpt", "out-1000");
        assertThat(ManifestFiles.ofTextFiles(faulty(dir.resolve("out")), "")
                .withHadoopProperties(FaultyFileSystem.PROPERTIES).readLines()).containsExactly("a");
    }

    @Test
    void saveAsTextFiles_withoutTheHadoopProperty_cannotReachTheScheme() {
        try (StreamingTestKit kit = StreamingTestKit.builder().batchInterval(Duration.ofSeconds(1)).build()) {
            kit.input(List.of(List.of("a"))).saveAsTextFiles(faulty(dir.resolve("out")), "txt");
            assertThatThrownBy(() -> kit.run(1)).hasStackTraceContaining("faulty");
        }
    }

    /** A crash after the batch's data files, before its manifest entry (seeded batch), then a recovery. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {43, 44, 45})
    void saveAsTextFiles_crashBeforeTheManifestEntry_readersSeeTheBatchNotAtAllThenOnce(long seed) throws IOException {
        List<List<String>> input = lines(seed);
        long crashAt = crashBatch(seed, input);
        StreamingTestKit first = kit();
        FaultyFileSystem.failCreates(p -> {
            if (isEntry(p, crashAt)) {
                first.crash();
                return true;
            }
            return false;
        });
        run(first, input, BATCHES);
        assertThat(first.isCrashed()).isTrue();
        FaultyFileSystem.reset();

        SortedMap<Long, List<String>> expected = reference(input);
        assertThat(read()).as("seed %s: readers after a crash before batch %s's entry", seed, crashAt)
                .isEqualTo(expected.headMap(crashAt));
        assertThat(names(dir.resolve("out-" + crashAt + ".txt"))).as("seed %s: batch %s's uncommitted files", seed,
                crashAt).isNotEmpty();

        run(kit(), input, BATCHES - index(crashAt));
        assertThat(read()).as("seed %s: readers after recovery, plain Java", seed).isEqualTo(expected);
        assertThat(partFiles()).as("seed %s: the replay deleted the crashed run's uncommitted files", seed)
                .isEqualTo(committedFiles());
    }

    /** A crash after the batch's manifest entry, before the output commit log records it, then a recovery. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {47, 48})
    void saveAsTextFiles_crashAfterTheManifestEntry_readersSeeTheBatchOnceAndTheReplaySkipsIt(long seed)
            throws IOException {
        List<List<String>> input = lines(seed);
        long crashAt = crashBatch(seed, input);
        StreamingTestKit first = kit();
        FaultyFileSystem.afterCreates(p -> {
            if (isEntry(p, crashAt)) {
                first.crash();
            }
            return false;
        });
        run(first, input, BATCHES);
        assertThat(first.isCrashed()).isTrue();
        FaultyFileSystem.reset();
        SortedMap<Long, List<String>> expected = reference(input);
        assertThat(read()).as("seed %s: readers after a crash after batch %s's entry", seed, crashAt)
                .isEqualTo(expected.headMap(crashAt + 1));
        List<String> filesAfterCrash = partFiles();

        run(kit(), input, BATCHES - index(crashAt));
        assertThat(read()).as("seed %s: readers after recovery, plain Java", seed).isEqualTo(expected);
        assertThat(partFiles()).as("seed %s: batch %s not written again", seed, crashAt).containsAll(filesAfterCrash)
                .isEqualTo(committedFiles());
    }

    @Test
    void saveAsTextFiles_filesLeftByAnUnrelatedRun_doNotMakeABatchSkipAndAreNotRead() throws IOException {
        long seed = 53;
        List<List<String>> input = lines(seed);
        String ckpt = dir.resolve("ckpt").toUri().toString();
        // What the previous layout left: a directory with part files and a marker naming this very application.
        Path old = Files.createDirectories(dir.resolve("out-1000.txt"));
        Files.writeString(old.resolve("part-00000"), "old layout\n");
        Files.writeString(old.resolve("_SLUICE_OUTPUT"), "application with checkpoint directory " + ckpt);
        Path unrelated = Files.createDirectories(dir.resolve("out-2000.txt"));
        Files.writeString(unrelated.resolve("part-00000-00000000-0000-0000-0000-000000000000"), "unrelated\n");

        run(kit(), input, BATCHES);

        assertThat(read()).as("seed %s: readers see this run's batches only, each once", seed)
                .isEqualTo(reference(input));
    }

    @Test
    void saveAsTextFiles_batchCommittedByAnotherApplication_failsNamingBothInsteadOfSkipping() {
        List<List<String>> input = List.of(List.of("theirs"), List.of("theirs too"));
        run(kit(dir.resolve("other-ckpt")), input, 2);

        StreamingTestKit mine = kit(dir.resolve("ckpt"));
        run(mine, List.of(List.of("mine"), List.of("mine too")), 2);

        assertThat(mine.batchInfos()).allSatisfy(info -> assertThat(info.failure()).hasValueSatisfying(f ->
                assertThat(f).hasStackTraceContaining("other-ckpt").hasStackTraceContaining("not by this application")
                        .hasStackTraceContaining("give this output another directory")));
        assertThat(read().values()).as("the other application's batches, not overwritten")
                .containsExactly(List.of("theirs"), List.of("theirs too"));
    }

    private StreamingTestKit kit() {
        return kit(dir.resolve("ckpt"));
    }

    private static StreamingTestKit kit(Path checkpointDir) {
        StreamingTestKit.Builder b = StreamingTestKit.builder().batchInterval(Duration.ofSeconds(1)).parallelism(2)
                .checkpointDir(checkpointDir.toUri().toString()).failOnBatchError(false);
        FaultyFileSystem.PROPERTIES.forEach(b::hadoopProperty);
        return b.build();
    }

    private void run(StreamingTestKit kit, List<List<String>> input, int batches) {
        try (kit) {
            kit.input(input).uid("lines").repartition(3).saveAsTextFiles(faulty(dir.resolve("out")), "txt")
                    .uid("files");
            kit.run(batches);
        }
    }

    private static String faulty(Path p) {
        return "faulty://" + p.toAbsolutePath();
    }

    private static boolean isEntry(org.apache.hadoop.fs.Path p, long batch) {
        return p.getParent().getName().equals("_manifest-out.txt") && p.getName().equals(String.format("%020d", batch));
    }

    /** Seeded batches of 0..12 lines (some empty). */
    private static List<List<String>> lines(long seed) {
        Random random = new Random(seed);
        List<List<String>> out = new ArrayList<>();
        for (int b = 0; b < BATCHES; b++) {
            List<String> batch = new ArrayList<>();
            for (int i = 0, n = b == 0 || random.nextInt(4) > 0 ? 1 + random.nextInt(12) : 0; i < n; i++) {
                batch.add("b" + b + "-" + random.nextInt(1000));
            }
            out.add(batch);
        }
        return out;
    }

    /** A seeded non-empty batch after the first to crash in. */
    private static long crashBatch(long seed, List<List<String>> input) {
        Random random = new Random(seed * 31);
        while (true) {
            int b = 1 + random.nextInt(BATCHES - 2);
            if (!input.get(b).isEmpty()) {
                return (b + 1) * 1000L;
            }
        }
    }

    private static int index(long time) {
        return (int) (time / 1000) - 1;
    }

    /** Plain Java: each non-empty batch's lines, sorted, by batch time (empty batches commit nothing). */
    private static SortedMap<Long, List<String>> reference(List<List<String>> input) {
        SortedMap<Long, List<String>> out = new TreeMap<>();
        for (int b = 0; b < input.size(); b++) {
            if (!input.get(b).isEmpty()) {
                out.put((b + 1) * 1000L, input.get(b).stream().sorted().toList());
            }
        }
        return out;
    }

    private SortedMap<Long, List<String>> read() {
        SortedMap<Long, List<String>> out = new TreeMap<>();
        ManifestFiles.ofTextFiles(faulty(dir.resolve("out")), "txt").withHadoopProperties(FaultyFileSystem.PROPERTIES)
                .readBatches().forEach((t, lines) -> out.put(t, lines.stream().sorted().toList()));
        return out;
    }

    private List<String> committedFiles() {
        List<String> out = new ArrayList<>();
        ManifestFiles.ofTextFiles(faulty(dir.resolve("out")), "txt").withHadoopProperties(FaultyFileSystem.PROPERTIES)
                .committedFiles().values().forEach(fs -> fs.forEach(f -> out.add(tail(f))));
        out.sort(null);
        return out;
    }

    /** Every part file under the batch directories, as {@code dir/name}. */
    private List<String> partFiles() throws IOException {
        List<String> out = new ArrayList<>();
        for (String d : names(dir)) {
            if (d.startsWith("out-")) {
                names(dir.resolve(d)).stream().filter(n -> n.startsWith("part-")).forEach(n -> out.add(d + "/" + n));
            }
        }
        out.sort(null);
        return out;
    }

    private static String tail(String uri) {
        String[] parts = uri.split("/");
        return parts[parts.length - 2] + "/" + parts[parts.length - 1];
    }

    /** Every entry of {@code d}, sorted, without Hadoop's checksum side files. */
    private static List<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".crc")).sorted().toList();
        }
    }
}
