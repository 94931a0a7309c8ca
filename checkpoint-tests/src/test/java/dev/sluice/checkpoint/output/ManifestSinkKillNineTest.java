package dev.sluice.checkpoint.output;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.checkpoint.ChildJvm;
import dev.sluice.streaming.ManifestFiles;
import dev.sluice.streaming.recovery.CrashPoint;
import dev.sluice.streaming.recovery.CrashPoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 over the manifest file sink: a child JVM ({@link ManifestSinkChild}) writes the lines of
 * the files moved into a directory through the sink (compacting its manifest every 3 batches) and
 * through {@code saveAsTextFiles}; the harness SIGKILLs it at seeded random moments
 * ({@code sluice.manifest.kill9.rounds}, default 10; the {@code kill9-soak} profile runs 60) and at
 * the crash points {@code AFTER_BATCH_STATE_BEFORE_OUTPUT} and {@code AFTER_OUTPUT_BEFORE_COMMIT}
 * (the child parked there), restarting it on the same checkpoint directory each time. A last child
 * runs until both manifests commit every line; readers through the manifests must then see every
 * line exactly once.
 */
class ManifestSinkKillNineTest {
    private static final long SEED = 20261212L;
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failure keeps the child logs and the output
    Path tempDir;

    private Path in;
    private Path markers;

    @Test
    void killedAtRandomMomentsAndCrashPoints_readersSeeEveryLineExactlyOnce() throws Exception {
        int rounds = Integer.getInteger("sluice.manifest.kill9.rounds", 10);
        Random random = new Random(SEED);
        in = Files.createDirectories(tempDir.resolve("in"));
        markers = Files.createDirectories(tempDir.resolve("markers"));
        Path staging = Files.createDirectories(tempDir.resolve("staging"));
        String out = tempDir.resolve("out").toUri().toString();
        String textPrefix = tempDir.resolve("text").resolve("lines").toUri().toString();
        List<String> args = List.of(tempDir.resolve("ckpt").toUri().toString(), in.toString(), out, textPrefix,
                markers.toString());
        List<String> expected = new ArrayList<>();
        List<CrashPoint> points = List.of(CrashPoint.AFTER_BATCH_STATE_BEFORE_OUTPUT,
                CrashPoint.AFTER_OUTPUT_BEFORE_COMMIT);
        int file = 0;
        for (int round = 0; round < rounds + points.size(); round++) {
            CrashPoint point = round < rounds ? null : points.get(round - rounds);
            Map<String, String> props = point == null ? Map.of()
                    : Map.of(CrashPoints.PROPERTY, point.name() + ":" + (1 + random.nextInt(2)));
            try (ChildJvm child = ChildJvm.start(ManifestSinkChild.class, ChildJvm.QUICK_START_OPTIONS, args, props,
                    tempDir.resolve("child-" + round + ".log"))) {
                child.awaitReady(markers, WAIT);
                for (int f = 0, n = 1 + random.nextInt(3); f < n; f++) {
                    moveIn(random, staging, file++, expected);
                    Thread.sleep(random.nextInt(150)); // when the kill lands; never which batch a line is in
                }
                if (point == null) {
                    Thread.sleep(random.nextInt(600));
                } else {
                    child.awaitCrashPoint(point, WAIT);
                }
                child.kill();
            }
        }
        ManifestFiles sink = ManifestFiles.of(out);
        ManifestFiles text = ManifestFiles.ofTextFiles(textPrefix, "txt");
        try (ChildJvm last = ChildJvm.start(ManifestSinkChild.class, ChildJvm.QUICK_START_OPTIONS, args, Map.of(),
                tempDir.resolve("child-last.log"))) {
            last.awaitReady(markers, WAIT);
            awaitLines(sink, expected.size());
            awaitLines(text, expected.size());
            Thread.sleep(300); // a few more batches: a line committed twice would show now
            String what = String.format("seed %s, %s random kills and %s at crash points, %s files", SEED, rounds,
                    points.size(), file);
            for (ManifestFiles reader : List.of(sink, text)) {
                SortedMap<Long, List<String>> batches = reader.readBatches();
                assertThat(sorted(reader.readLines())).as("%s: lines read through %s (kept in %s); batches by line: %s",
                        what, reader, tempDir, new Object() {
                            @Override
                            public String toString() {
                                return batchesOf(batches);
                            }
                        }).isEqualTo(sorted(expected));
            }
            assertThat(manifestFiles(tempDir.resolve("out").resolve("_manifest"))).as("%s: files in the compacted "
                    + "manifest (at most 3 entries, a snapshot, the owner file, and two crash leftovers until the next "
                    + "compaction)", what).isLessThanOrEqualTo(3 + 1 + 1 + 2);
        }
    }

    private void moveIn(Random random, Path staging, int file, List<String> expected) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0, n = random.nextInt(30); i < n; i++) {
            lines.add("file" + file + "-line" + i);
        }
        expected.addAll(lines);
        Path staged = staging.resolve("f" + file);
        Files.write(staged, lines);
        Files.move(staged, in.resolve(String.format("lines-%04d.txt", file)), StandardCopyOption.ATOMIC_MOVE);
    }

    /** Waits (bounded) until the manifest commits at least {@code n} lines; a shortfall shows in the assertions. */
    private static void awaitLines(ManifestFiles reader, int n) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline && reader.readLines().size() < n) {
            Thread.sleep(50);
        }
    }

    private static long manifestFiles(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.count();
        }
    }

    /** The batches each line that is in more than one batch is in. */
    private static String batchesOf(SortedMap<Long, List<String>> batches) {
        Map<String, List<Long>> where = new TreeMap<>();
        batches.forEach((batch, lines) -> lines.forEach(l -> where.computeIfAbsent(l, k -> new ArrayList<>()).add(batch)));
        where.values().removeIf(b -> b.size() < 2);
        return where.toString();
    }

    private static List<String> sorted(List<String> lines) {
        List<String> out = new ArrayList<>(lines);
        out.sort(null);
        return out;
    }
}
