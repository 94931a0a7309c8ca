package dev.sluice.checkpoint.output;

import static dev.sluice.checkpoint.output.Outputs.time;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.streaming.ManifestFileSink;
import dev.sluice.streaming.ManifestFiles;
import dev.sluice.streaming.TransactionalSink;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The manifest file sink on the local file system: a reader through {@link ManifestFiles} sees
 * each batch exactly once, or not at all, whatever moment the writer crashed at (between the data
 * files and the manifest entry, after the entry, with a torn entry), and after recovery every batch
 * exactly once; compared with a plain-Java reference over seeded input.
 */
class ManifestFileSinkTest {
    private static final int BATCHES = 8;
    private static final String UID = "files";

    @TempDir
    Path tempDir;

    enum Crash {
        /** Every data file of the batch is written, its manifest entry is not. */
        BEFORE_MANIFEST_ENTRY,
        /** The entry is written, the output commit log does not record the batch. */
        AFTER_MANIFEST_ENTRY,
        /** As after the entry, but the entry is torn (its last byte lost), as if the crash came while it was written. */
        TORN_MANIFEST_ENTRY
    }

    static void pipeline(StreamingTestKit kit, List<List<Integer>> input, TransactionalSink<Integer> sink) {
        kit.input(input).map(Outputs::f).repartition(3).writeTransactionally(sink).uid(UID);
    }

    @Test
    void manifestSink_uninterrupted_readerSeesEveryBatchOnce() throws IOException {
        long seed = 71;
        List<List<Integer>> input = Outputs.numbers(seed, BATCHES, 40);
        Path out = tempDir.resolve("out");
        try (StreamingTestKit kit = Outputs.kit(tempDir.resolve("ckpt"))) {
            pipeline(kit, input, ManifestFileSink.text(out.toUri().toString()));
            kit.run(BATCHES);
        }
        assertThat(Outputs.readManifest(out.toUri().toString())).as("seed %s: batches read through the manifest, plain Java", seed)
                .isEqualTo(Outputs.nonEmpty(Outputs.reference(input)));
        assertThat(dataFiles(out)).as("no data file outside the manifest")
                .hasSameElementsAs(committedFileNames(out.toUri().toString()));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Crash.class)
    void manifestSink_crash_readersSeeTheBatchOnceOrNotAtAllThenExactlyOnceAfterRecovery(Crash crash)
            throws IOException {
        long seed = 73 + crash.ordinal();
        List<List<Integer>> input = Outputs.numbers(seed, BATCHES, 40);
        int crashIndex = nonEmptyBatch(new Random(seed), input);
        long crashAt = time(crashIndex);
        Path ckpt = tempDir.resolve("ckpt");
        Path out = tempDir.resolve("out");
        String dir = out.toUri().toString();
        SortedMap<Long, List<Integer>> expected = Outputs.nonEmpty(Outputs.reference(input));

        StreamingTestKit first = Outputs.kit(ckpt);
        CrashingSink<Integer> crashing = new CrashingSink<>(ManifestFileSink.<Integer>text(dir));
        if (crash == Crash.BEFORE_MANIFEST_ENTRY) {
            crashing.beforeCommit(b -> crashIfAt(first, b, crashAt));
        } else {
            crashing.afterCommit(b -> crashIfAt(first, b, crashAt));
        }
        pipeline(first, input, crashing);
        first.run(BATCHES);
        assertThat(first.isCrashed()).isTrue();
        first.close();

        boolean committed = crash == Crash.AFTER_MANIFEST_ENTRY;
        if (crash == Crash.TORN_MANIFEST_ENTRY) {
            Path entry = out.resolve("_manifest").resolve(String.format("%020d", crashAt));
            byte[] bytes = Files.readAllBytes(entry);
            Files.write(entry, java.util.Arrays.copyOf(bytes, bytes.length - 1));
        }
        SortedMap<Long, List<Integer>> visible = new TreeMap<>(expected.headMap(crashAt + 1));
        if (!committed) {
            visible.remove(crashAt);
            assertThat(dataFiles(out)).as("batch %s's data files exist", crashAt)
                    .anyMatch(n -> n.startsWith(String.format("part-%020d-", crashAt)));
        }
        assertThat(Outputs.readManifest(dir)).as("seed %s, %s in batch %s: readers after the crash", seed, crash, crashAt)
                .isEqualTo(visible);

        try (StreamingTestKit second = Outputs.kit(ckpt)) {
            pipeline(second, input, ManifestFileSink.text(dir));
            second.run(BATCHES - crashIndex);
        }
        assertThat(Outputs.readManifest(dir)).as("seed %s, %s in batch %s: readers after recovery, plain Java", seed, crash, crashAt)
                .isEqualTo(expected);
        assertThat(dataFiles(out)).as("the replay deleted the crashed run's uncommitted files")
                .hasSameElementsAs(committedFileNames(dir));
    }

    @Test
    void manifestSink_directoryOfAnotherOutput_isRefusedAtStartNamingIt() {
        Path out = tempDir.resolve("out");
        String dir = out.toUri().toString();
        try (StreamingTestKit kit = Outputs.kit(tempDir.resolve("ckpt"))) {
            pipeline(kit, Outputs.numbers(1, 2, 5), ManifestFileSink.text(dir));
            kit.run(2);
        }
        try (StreamingTestKit kit = Outputs.kit(tempDir.resolve("ckpt2"))) {
            kit.input(Outputs.numbers(2, 2, 5)).writeTransactionally(ManifestFileSink.text(dir)).uid("other");
            assertThatThrownBy(() -> kit.run(1)).hasMessageContaining(out.toString())
                    .hasMessageContaining("'" + UID + "'").hasMessageContaining("'other'");
        }
    }

    /** Returns a seeded random index, not the first or last, of a batch with records. */
    static int nonEmptyBatch(Random random, List<List<Integer>> input) {
        while (true) {
            int b = 1 + random.nextInt(input.size() - 2);
            if (!input.get(b).isEmpty()) {
                return b;
            }
        }
    }

    private static boolean crashIfAt(StreamingTestKit kit, long batch, long crashAt) {
        if (batch == crashAt && !kit.isCrashed()) {
            kit.crash();
            return true;
        }
        return false;
    }

    static List<String> dataFiles(Path out) throws IOException {
        try (Stream<Path> files = Files.list(out)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("part-")).toList();
        }
    }

    static List<String> committedFileNames(String dir) {
        List<String> names = new ArrayList<>();
        ManifestFiles.committedFiles(dir).values().forEach(files -> files.forEach(
                f -> names.add(f.substring(f.lastIndexOf('/') + 1))));
        return names;
    }
}
