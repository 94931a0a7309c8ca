package dev.sluice.checkpoint.output;

import dev.sluice.streaming.ManifestFiles;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/** Seeded inputs, their plain-Java per-batch results, kits on a checkpoint directory, and commit log listings. */
public final class Outputs {
    public static final Duration INTERVAL = Duration.ofSeconds(1);

    private Outputs() {
    }

    /** Returns {@code batches} batches of 0..maxSize seeded random numbers below 1000 (some batches empty). */
    public static List<List<Integer>> numbers(long seed, int batches, int maxSize) {
        Random random = new Random(seed);
        List<List<Integer>> out = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            int n = random.nextInt(6) == 0 ? 0 : random.nextInt(maxSize + 1);
            List<Integer> batch = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                batch.add(random.nextInt(1000));
            }
            out.add(batch);
        }
        return out;
    }

    /** Returns what a reader through the manifest in {@code dir} sees, each batch's lines sorted as numbers. */
    public static SortedMap<Long, List<Integer>> readManifest(String dir) {
        SortedMap<Long, List<Integer>> out = new TreeMap<>();
        ManifestFiles.readBatches(dir).forEach((batch, lines) -> {
            List<Integer> numbers = new ArrayList<>(lines.stream().map(Integer::valueOf).toList());
            numbers.sort(null);
            out.put(batch, numbers);
        });
        return out;
    }

    /** The pipeline's function, {@code x -> 3x + 1}. */
    public static int f(int x) {
        return 3 * x + 1;
    }

    /** Plain Java: each batch's sorted {@code f(x)}, by batch time in ms. */
    public static SortedMap<Long, List<Integer>> reference(List<List<Integer>> input) {
        SortedMap<Long, List<Integer>> out = new TreeMap<>();
        for (int b = 0; b < input.size(); b++) {
            List<Integer> batch = new ArrayList<>(input.get(b).stream().map(Outputs::f).toList());
            batch.sort(null);
            out.put(time(b), batch);
        }
        return out;
    }

    /** Plain Java's batches without the empty ones: a manifest output commits no entry for a batch that wrote nothing. */
    public static SortedMap<Long, List<Integer>> nonEmpty(SortedMap<Long, List<Integer>> reference) {
        SortedMap<Long, List<Integer>> out = new TreeMap<>(reference);
        out.values().removeIf(List::isEmpty);
        return out;
    }

    /** Returns the time in ms of batch index {@code b} (from 0). */
    public static long time(int b) {
        return (b + 1) * INTERVAL.toMillis();
    }

    public static StreamingTestKit kit(Path checkpointDir) {
        return StreamingTestKit.builder().batchInterval(INTERVAL).parallelism(2)
                .checkpointDir(checkpointDir.toUri().toString()).failOnBatchError(false).build();
    }

    /** Returns the batch times the output commit log of {@code uid} records. */
    public static SortedSet<Long> commitLog(Path checkpointDir, String uid) {
        Path dir = checkpointDir.resolve("output-commits").resolve(uid);
        SortedSet<Long> out = new TreeSet<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.list(dir)) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d{20}"))
                    .forEach(n -> out.add(Long.parseLong(n)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
