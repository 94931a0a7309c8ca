package dev.sluice.checkpoint.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.checkpoint.ChildJvm;
import dev.sluice.kafka.testing.EmbeddedKafkaBroker;
import dev.sluice.streaming.ManifestFiles;
import dev.sluice.streaming.recovery.CrashPoint;
import dev.sluice.streaming.recovery.CrashPoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end exactly-once under kill -9: an in-process KRaft broker in this JVM; a child JVM
 * ({@link KafkaKillNineChild}) counts the records of an input topic per key in state and writes
 * each batch's updates with {@code writeTransactionally} to an output topic (exactly-once {@code
 * KafkaSink}) and to a manifest file directory. Each round the harness produces a chunk of
 * numbered records (key = a word of a seeded random vocabulary) and SIGKILLs the child at a seeded
 * random moment ({@code sluice.kafka.kill9.rounds}, default 10; the {@code kill9-soak} profile runs
 * more), then twice more at armed crash points (between an output's commit and its commit log
 * entry, and before a batch's outputs), restarting it on the same checkpoint directory each time.
 * A last child runs to the end of the input. Then a {@code read_committed} consumer of the output
 * topic and the manifest reader must each see every batch's update of a key exactly once, each
 * update must continue the key's previous total, the totals must equal a fault-free plain-Java
 * count, and the two outputs must hold the same updates.
 */
class KafkaKillNineTest {
    private static final long SEED = 20261213L;
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int CHUNK = 200;
    private static final String INPUT = "numbers";
    private static final String OUTPUT = "count-updates";

    private static EmbeddedKafkaBroker broker;

    @TempDir
    Path tempDir;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start();
        broker.createTopic(INPUT, 2);
        broker.createTopic(OUTPUT, 2);
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void killedAtRandomMomentsAndCrashPoints_eachUpdateIsReadOnceAndTotalsEqualAFaultFreeCount() throws Exception {
        int rounds = Integer.getInteger("sluice.kafka.kill9.rounds", 10);
        Random random = new Random(SEED);
        List<String> vocabulary = vocabulary(random, 40);
        Path markers = Files.createDirectories(tempDir.resolve("markers"));
        String checkpoint = tempDir.resolve("ckpt").toUri().toString();
        String files = tempDir.resolve("files").toUri().toString();
        List<String> points = List.of(CrashPoint.AFTER_OUTPUT_BEFORE_COMMIT + ":" + (1 + random.nextInt(4)),
                CrashPoint.AFTER_BATCH_STATE_BEFORE_OUTPUT + ":" + (1 + random.nextInt(3)));
        Map<String, Long> expected = new TreeMap<>();
        List<String> args = List.of(checkpoint, broker.bootstrapServers(), INPUT, OUTPUT, files, markers.toString(),
                "150");
        String what = String.format("seed %s, %s random kills and %s at crash points", SEED, rounds, points.size());
        int produced = 0;
        try (KafkaProducer<String, String> producer = broker.stringProducer()) {
            for (int round = 0; round < rounds + points.size(); round++) {
                String crashAt = round < rounds ? null : points.get(round - rounds);
                ChildJvm child = ChildJvm.start(KafkaKillNineChild.class, ChildJvm.QUICK_START_OPTIONS, args,
                        crashAt == null ? Map.of() : Map.of(CrashPoints.PROPERTY, crashAt),
                        tempDir.resolve("child-" + round + ".log"));
                int committed = ManifestFiles.committedFiles(files).size();
                child.awaitReady(markers, WAIT);
                produced = produce(producer, random, vocabulary, produced, expected);
                if (crashAt == null && random.nextInt(4) == 0) {
                    Thread.sleep(random.nextInt(1000)); // early: in the first batches or the replay
                } else if (crashAt == null) {
                    awaitCommitted(files, committed + 1, child);
                    Thread.sleep(random.nextInt(600)); // while it works through the chunk
                } else {
                    child.awaitCrashPoint(CrashPoint.valueOf(crashAt.substring(0, crashAt.indexOf(':'))), WAIT);
                }
                child.kill();
            }
            ChildJvm last = ChildJvm.start(KafkaKillNineChild.class, ChildJvm.QUICK_START_OPTIONS, args, Map.of(),
                    tempDir.resolve("child-last.log"));
            try {
                last.awaitReady(markers, WAIT);
                produced = produce(producer, random, vocabulary, produced, expected);
                awaitDeltas(files, produced, what);
            } finally {
                last.kill();
            }
        }
        String described = what + ", " + produced + " records";
        List<String> fromKafka = broker.readAllValues(OUTPUT, true);
        List<String> fromFiles = new ArrayList<>();
        SortedMap<Long, List<String>> batches = ManifestFiles.readBatches(files);
        batches.forEach((batch, lines) -> {
            for (String line : lines) {
                assertThat(line).as("%s: a line of committed batch %s names its batch", described, batch)
                        .startsWith(batch + ",");
            }
            fromFiles.addAll(lines);
        });
        checkUpdates(fromKafka, expected, described + ", read_committed consumer of " + OUTPUT);
        checkUpdates(fromFiles, expected, described + ", manifest reader");
        assertThat(sorted(fromKafka)).as("%s: the topic and the files hold the same updates", described)
                .isEqualTo(sorted(fromFiles));
        assertThat(batches.values().stream().filter(lines -> !lines.isEmpty()).count())
                .as("%s: batches with updates", described).isGreaterThan(rounds);
    }

    /** Produces the next chunk of numbered records (value = number, key = a random word) and flushes. */
    private static int produce(KafkaProducer<String, String> producer, Random random, List<String> vocabulary,
            int from, Map<String, Long> expected) {
        int n = CHUNK / 2 + random.nextInt(CHUNK);
        for (int i = from; i < from + n; i++) {
            String word = vocabulary.get(random.nextInt(vocabulary.size()));
            expected.merge(word, 1L, Long::sum);
            producer.send(new ProducerRecord<>(INPUT, word, Integer.toString(i)));
        }
        producer.flush();
        return from + n;
    }

    private static List<String> vocabulary(Random random, int size) {
        Set<String> words = new HashSet<>();
        while (words.size() < size) {
            StringBuilder w = new StringBuilder();
            for (int i = 0, n = 2 + random.nextInt(5); i < n; i++) {
                w.append((char) ('a' + random.nextInt(26)));
            }
            words.add(w.toString());
        }
        List<String> out = new ArrayList<>(words);
        out.sort(null);
        return out;
    }

    /** Waits (bounded) until the manifest commits {@code batches} batches, while the child lives. */
    private static void awaitCommitted(String files, int batches, ChildJvm child) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (ManifestFiles.committedFiles(files).size() < batches) {
            assertThat(child.isAlive()).as("the child is alive until it commits batch %s", batches).isTrue();
            assertThat(System.nanoTime()).as("%s batches committed within %s", batches, WAIT).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** Waits (bounded) until the manifest's committed deltas add up to {@code records}. */
    private static void awaitDeltas(String files, int records, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        long seen = 0;
        while (System.nanoTime() < deadline) {
            seen = ManifestFiles.readLines(files).stream().mapToLong(l -> Long.parseLong(l.split(",")[2])).sum();
            if (seen >= records) {
                Thread.sleep(500); // a few more batches: an update committed twice would show now
                return;
            }
            Thread.sleep(100);
        }
        assertThat(seen).as("%s: records counted through the manifest within %s", what, WAIT).isEqualTo(records);
    }

    /**
     * Checks lines {@code batch,word,delta,total}: no (batch, word) twice, each total is the word's
     * previous total plus its delta, and the last totals and the sums of deltas equal {@code expected}.
     */
    private static void checkUpdates(List<String> lines, Map<String, Long> expected, String what) {
        Map<String, TreeMap<Long, long[]>> byWord = new TreeMap<>();
        List<String> duplicates = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split(",");
            long[] update = {Long.parseLong(f[2]), Long.parseLong(f[3])};
            if (byWord.computeIfAbsent(f[1], w -> new TreeMap<>()).put(Long.parseLong(f[0]), update) != null) {
                duplicates.add(f[0] + "," + f[1]);
            }
        }
        assertThat(duplicates).as("%s: (batch, word) updates seen more than once", what).isEmpty();
        List<String> broken = new ArrayList<>();
        Map<String, Long> totals = new TreeMap<>();
        Map<String, Long> deltas = new TreeMap<>();
        byWord.forEach((word, updates) -> {
            long total = 0;
            for (Map.Entry<Long, long[]> u : updates.entrySet()) {
                if (u.getValue()[1] != total + u.getValue()[0]) {
                    broken.add(word + " at batch " + u.getKey() + ": " + total + " + " + u.getValue()[0] + " != "
                            + u.getValue()[1]);
                }
                total = u.getValue()[1];
                deltas.merge(word, u.getValue()[0], Long::sum);
            }
            totals.put(word, total);
        });
        assertThat(broken).as("%s: updates that do not continue the previous total (one lost or doubled)", what)
                .isEmpty();
        assertThat(deltas).as("%s: sum of each word's deltas vs a fault-free count", what).isEqualTo(expected);
        assertThat(totals).as("%s: each word's last total vs a fault-free count", what).isEqualTo(expected);
    }

    private static List<String> sorted(List<String> lines) {
        List<String> out = new ArrayList<>(lines);
        out.sort(null);
        return out;
    }
}
