package dev.sluice.checkpoint.recovery;

import dev.sluice.checkpoint.ChildJvm;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 harness: a child JVM ({@link KillNineChild}) counts the words of files moved into a
 * directory; the harness moves files in and kills the child with SIGKILL at seeded random moments,
 * {@code sluice.kill9.rounds} times (default 20; the {@code soak} profile runs 200), restarting it
 * each time on the same checkpoint directory. A last child then runs until its totals cover every
 * file, and the totals must equal a fault-free plain-Java count: nothing lost, nothing counted twice.
 *
 * <p>The random moments decide only when the child dies, never what a batch holds: the totals are
 * the same whatever the batches were.
 */
class KillNineTest {
    private static final long SEED = 20261201L;

    @TempDir
    Path tempDir;

    @Test
    void killedAtRandomMoments_totalsEqualAFaultFreeCount() throws Exception {
        int rounds = Integer.getInteger("sluice.kill9.rounds", 20);
        Random random = new Random(SEED);
        Path in = Files.createDirectories(tempDir.resolve("in"));
        Path out = Files.createDirectories(tempDir.resolve("out"));
        Path staging = Files.createDirectories(tempDir.resolve("staging"));
        String checkpoint = tempDir.resolve("ckpt").toUri().toString();
        Map<String, Long> expected = new TreeMap<>();
        int file = 0;
        for (int round = 0; round < rounds; round++) {
            try (ChildJvm child = startChild(checkpoint, in, out, round)) {
                child.awaitFile(out.resolve("ready-" + child.pid()));
                for (int f = 0, n = 1 + random.nextInt(3); f < n; f++) {
                    moveIn(random, staging, in, file++, expected);
                    Thread.sleep(random.nextInt(150));
                }
                Thread.sleep(random.nextInt(600));
                child.kill();
            }
        }
        long words = expected.values().stream().mapToLong(Long::longValue).sum();
        try (ChildJvm last = startChild(checkpoint, in, out, rounds)) {
            last.awaitFile(out.resolve("ready-" + last.pid()));
            Map<String, Long> totals = last.awaitTotals(out.resolve("totals"),
                    t -> t.values().stream().mapToLong(Long::longValue).sum() >= words);
            assertThat(totals).as("seed %s, %s rounds, %s files: totals after kill -9s vs a fault-free count",
                    SEED, rounds, file).isEqualTo(expected);
        }
    }

    private static void moveIn(Random random, Path staging, Path in, int file, Map<String, Long> expected)
            throws IOException {
        List<String> words = Restarts.words(random.nextLong(), 1, 40).get(0);
        words.forEach(w -> expected.merge(w, 1L, Long::sum));
        Path staged = staging.resolve("f" + file);
        Files.write(staged, words);
        Files.move(staged, in.resolve(String.format("words-%04d.txt", file)), StandardCopyOption.ATOMIC_MOVE);
    }

    private ChildJvm startChild(String checkpoint, Path in, Path out, int round) throws IOException {
        return ChildJvm.start(KillNineChild.class, List.of(checkpoint, in.toString(), out.toString()), Map.of(),
                tempDir.resolve("child-" + round + ".log"));
    }
}
