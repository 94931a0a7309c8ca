package dev.sluice.streaming.output;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.streaming.ManifestFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The manifest writer and its compaction against a plain-Java model, over seeded random
 * sequences of batches (some empty, some of an older id that an earlier failure skipped, as a
 * recovered run can commit), with the "process" killed at a random create or delete (torn files
 * included: inside data files, entries, snapshots, and between a snapshot and the deletions it
 * allows) and restarted, replaying the batch it was in. After every step a reader through
 * {@link ManifestFiles} must see exactly the model's batches, each once; right after a crash, the
 * model with or without the interrupted batch. The manifest must stay bounded by the compaction
 * interval however many batches were committed.
 */
class ManifestCompactionTest {
    private static final int STEPS = 60;
    private static final String UID = "out";
    private static final String WRITER = "application with checkpoint directory test";

    @TempDir
    Path tempDir;

    @BeforeEach
    @AfterEach
    void resetFileSystem() {
        FaultyFileSystem.reset();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
    void commitsCompactionsAndCrashes_readersSeeEveryCommittedBatchExactlyOnce(long seed) throws Exception {
        Random random = new Random(seed);
        int interval = 1 + random.nextInt(5);
        String dir = "faulty://" + tempDir.resolve("out").toAbsolutePath();
        ManifestLayout layout = ManifestLayout.flat(dir);
        ManifestFiles reader = ManifestFiles.of(dir).withHadoopProperties(FaultyFileSystem.PROPERTIES);
        SortedMap<Long, List<String>> model = new TreeMap<>();
        List<Long> skipped = new ArrayList<>();
        ManifestWriter<String> writer = open(layout, interval);
        int crashes = 0;
        long next = 1000;
        for (int step = 0; step < STEPS; step++) {
            long batch;
            if (!skipped.isEmpty() && random.nextInt(8) == 0) {
                batch = skipped.remove(random.nextInt(skipped.size()));
            } else {
                batch = next;
                next += 1000;
                if (random.nextInt(10) == 0) {
                    skipped.add(batch); // as a failed batch: no output now, committed later by a recovery
                    continue;
                }
            }
            List<List<String>> partitions = partitions(random, batch);
            boolean replay = false;
            while (true) {
                if (random.nextInt(3) == 0) {
                    FaultyFileSystem.crashAfter(random.nextInt(interval + 6), new Random(random.nextLong()));
                }
                try {
                    write(writer, batch, replay, partitions);
                    FaultyFileSystem.reset();
                    break;
                } catch (FaultyFileSystem.Crash crash) {
                    crashes++;
                    FaultyFileSystem.reset();
                    SortedMap<Long, List<String>> withBatch = with(model, batch, partitions);
                    assertThat(read(reader)).as("seed %s, step %s, batch %s: readers right after %s", seed, step, batch,
                            crash.getMessage()).isIn(model, withBatch);
                    writer = open(layout, interval);
                    replay = true;
                }
            }
            model = with(model, batch, partitions);
            assertThat(read(reader)).as("seed %s, step %s, batch %s (%s crashes so far): readers, plain-Java model",
                    seed, step, batch, crashes).isEqualTo(model);
            assertThat(manifestFiles()).as("seed %s, step %s: files in the manifest, compaction interval %s", seed,
                    step, interval).isLessThanOrEqualTo(4 * interval + 12);
        }
        assertThat(model.size()).as("seed %s: batches committed", seed).isGreaterThan(4 * interval);
        for (int i = 0; i < interval; i++, next += 1000) {
            List<List<String>> partitions = List.of(List.of(next + "-tail"));
            write(writer, next, false, partitions);
            model = with(model, next, partitions);
        }
        assertThat(read(reader)).as("seed %s: readers after %s more batches without a crash", seed, interval)
                .isEqualTo(model);
        assertThat(manifestFileNames()).as("seed %s: the last compaction deleted every file the snapshot covers, "
                + "crash leftovers included (interval %s)", seed, interval).hasSizeLessThanOrEqualTo(interval);
        assertThat(dataFiles()).as("seed %s: data files on disk are those committed (crashed ones deleted)", seed)
                .isEqualTo(committedNames(reader));
    }

    private static ManifestWriter<String> open(ManifestLayout layout, int interval) throws IOException {
        return ManifestWriter.open(layout.manifest(FaultyFileSystem.conf()), layout, s -> s, UID, WRITER, interval);
    }

    /** What the engine does for one batch: skip it if committed, else begin, write each partition, commit. */
    private static void write(ManifestWriter<String> writer, long batch, boolean replay, List<List<String>> partitions)
            throws Exception {
        if (writer.isCommitted(batch)) {
            return;
        }
        writer.begin(batch, replay);
        for (int p = 0; p < partitions.size(); p++) {
            writer.writePartition(batch, p, partitions.get(p).iterator());
        }
        writer.commit(batch);
    }

    private static List<List<String>> partitions(Random random, long batch) {
        List<List<String>> out = new ArrayList<>();
        boolean empty = random.nextInt(5) == 0;
        for (int p = 0, n = 1 + random.nextInt(3); p < n; p++) {
            List<String> lines = new ArrayList<>();
            for (int i = 0, m = empty ? 0 : random.nextInt(4); i < m; i++) {
                lines.add(batch + "-" + p + "-" + i);
            }
            out.add(lines);
        }
        return out;
    }

    /** The model after committing {@code batch}: batches that wrote nothing are not in the manifest. */
    private static SortedMap<Long, List<String>> with(SortedMap<Long, List<String>> model, long batch,
                                                      List<List<String>> partitions) {
        SortedMap<Long, List<String>> out = new TreeMap<>(model);
        List<String> lines = new ArrayList<>();
        partitions.forEach(lines::addAll);
        if (!lines.isEmpty()) {
            out.put(batch, lines);
        }
        return out;
    }

    private static SortedMap<Long, List<String>> read(ManifestFiles reader) {
        return new TreeMap<>(reader.readBatches());
    }

    private int manifestFiles() throws IOException {
        return manifestFileNames().size();
    }

    private List<String> manifestFileNames() throws IOException {
        try (Stream<Path> s = Files.list(tempDir.resolve("out").resolve(ManifestLog.DIRECTORY))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.equals(ManifestLog.OWNER)).sorted().toList();
        }
    }

    private List<String> dataFiles() throws IOException {
        try (Stream<Path> s = Files.list(tempDir.resolve("out"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("part-")).sorted().toList();
        }
    }

    private static List<String> committedNames(ManifestFiles reader) {
        List<String> names = new ArrayList<>();
        reader.committedFiles().values()
                .forEach(files -> files.forEach(f -> names.add(f.substring(f.lastIndexOf('/') + 1))));
        names.sort(null);
        return names;
    }
}
