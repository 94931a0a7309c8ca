package dev.sluice.checkpoint.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
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
    private static final Duration WAIT = Duration.ofSeconds(90);

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
            Process child = startChild(checkpoint, in, out, round);
            awaitReady(child, out);
            for (int f = 0, n = 1 + random.nextInt(3); f < n; f++) {
                moveIn(random, staging, in, file++, expected);
                Thread.sleep(random.nextInt(150));
            }
            Thread.sleep(random.nextInt(600));
            child.destroyForcibly(); // SIGKILL on Linux and macOS
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("round %s: the child died", round).isTrue();
        }
        Process last = startChild(checkpoint, in, out, rounds);
        try {
            awaitReady(last, out);
            Map<String, Long> totals = awaitTotals(out, expected);
            assertThat(totals).as("seed %s, %s rounds, %s files: totals after kill -9s vs a fault-free count",
                    SEED, rounds, file).isEqualTo(expected);
        } finally {
            last.destroyForcibly();
            last.waitFor(30, TimeUnit.SECONDS);
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

    private Process startChild(String checkpoint, Path in, Path out, int round) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                KillNineChild.class.getName(), checkpoint, in.toString(), out.toString());
        pb.redirectErrorStream(true).redirectOutput(tempDir.resolve("child-" + round + ".log").toFile());
        return pb.start();
    }

    /** Waits (bounded) for the child to say it started; inter-process, so by polling its marker file. */
    private static void awaitReady(Process child, Path out) throws InterruptedException {
        Path marker = out.resolve("ready-" + child.pid());
        long deadline = System.currentTimeMillis() + WAIT.toMillis();
        while (!Files.exists(marker)) {
            if (!child.isAlive()) {
                throw new AssertionError("the child exited with " + child.exitValue() + " before it started; see "
                        + "child-*.log in " + out.getParent());
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("the child did not start within " + WAIT.toMillis() + " ms");
            }
            Thread.sleep(20);
        }
    }

    /** Waits (bounded) until the child's totals count as many words as were moved in, then returns them. */
    private static Map<String, Long> awaitTotals(Path out, Map<String, Long> expected) throws Exception {
        long words = expected.values().stream().mapToLong(Long::longValue).sum();
        long deadline = System.currentTimeMillis() + WAIT.toMillis();
        Map<String, Long> totals = Map.of();
        while (System.currentTimeMillis() < deadline) {
            totals = read(out.resolve("totals"));
            if (totals.values().stream().mapToLong(Long::longValue).sum() >= words) {
                return totals;
            }
            Thread.sleep(50);
        }
        return totals;
    }

    private static Map<String, Long> read(Path totals) throws IOException {
        Map<String, Long> out = new TreeMap<>();
        if (Files.exists(totals)) {
            for (String line : Files.readAllLines(totals)) {
                String[] kv = line.split(" ");
                out.put(kv[0], Long.parseLong(kv[1]));
            }
        }
        return out;
    }
}
