package dev.sluice.checkpoint.output;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 over the manifest file sink: a child JVM ({@link ManifestSinkChild}) writes the lines of
 * the files moved into a directory through the sink; the harness SIGKILLs it at seeded random
 * moments ({@code sluice.manifest.kill9.rounds}, default 8) and at the named crash points
 * {@code AFTER_BATCH_STATE_BEFORE_OUTPUT} and {@code AFTER_OUTPUT_BEFORE_COMMIT} (twice each, the
 * child parked there), restarting it on the same checkpoint directory each time. A last child runs
 * until the manifest commits every line; a reader through the manifest must then see every line
 * exactly once.
 *
 * <p>Off in the default run (it starts 13 JVMs; on the shared build machine it took 5 minutes):
 * {@code mvn -B verify -pl checkpoint-tests -am -Dtest=ManifestSinkKillNineTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dsluice.manifest.kill9=true}.
 */
@EnabledIfSystemProperty(named = "sluice.manifest.kill9", matches = "true")
class ManifestSinkKillNineTest {
    private static final long SEED = 20261212L;
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path tempDir;

    private Path in;
    private Path markers;
    private String checkpoint;
    private String out;

    @Test
    void killedAtRandomMomentsAndCrashPoints_readersSeeEveryLineExactlyOnce() throws Exception {
        int rounds = Integer.getInteger("sluice.manifest.kill9.rounds", 8);
        Random random = new Random(SEED);
        in = Files.createDirectories(tempDir.resolve("in"));
        markers = Files.createDirectories(tempDir.resolve("markers"));
        Path staging = Files.createDirectories(tempDir.resolve("staging"));
        checkpoint = tempDir.resolve("ckpt").toUri().toString();
        out = tempDir.resolve("out").toUri().toString();
        List<String> expected = new ArrayList<>();
        List<CrashPoint> points = List.of(CrashPoint.AFTER_BATCH_STATE_BEFORE_OUTPUT, CrashPoint.AFTER_OUTPUT_BEFORE_COMMIT,
                CrashPoint.AFTER_BATCH_STATE_BEFORE_OUTPUT, CrashPoint.AFTER_OUTPUT_BEFORE_COMMIT);
        int file = 0;
        for (int round = 0; round < rounds + points.size(); round++) {
            CrashPoint point = round < rounds ? null : points.get(round - rounds);
            String armed = point == null ? null : point.name() + ":" + (1 + random.nextInt(3));
            Process child = startChild(round, armed);
            awaitReady(child);
            for (int f = 0, n = 1 + random.nextInt(3); f < n; f++) {
                moveIn(random, staging, file++, expected);
                Thread.sleep(random.nextInt(150));
            }
            if (point == null) {
                Thread.sleep(random.nextInt(600));
            } else {
                awaitCrashPoint(child, round, point);
            }
            child.destroyForcibly(); // SIGKILL on Linux and macOS
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("round %s: the child died", round).isTrue();
        }
        Process last = startChild(rounds + points.size(), null);
        try {
            awaitReady(last);
            List<String> read = awaitLines(expected.size());
            List<String> sortedRead = new ArrayList<>(read);
            sortedRead.sort(null);
            List<String> sortedExpected = new ArrayList<>(expected);
            sortedExpected.sort(null);
            assertThat(sortedRead).as("seed %s, %s random kills and %s at crash points, %s files: lines read through "
                    + "the manifest", SEED, rounds, points.size(), file).isEqualTo(sortedExpected);
        } finally {
            last.destroyForcibly();
            last.waitFor(30, TimeUnit.SECONDS);
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

    private Process startChild(int round, String crashAt) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m"));
        if (crashAt != null) {
            command.add("-D" + CrashPoints.PROPERTY + "=" + crashAt);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ManifestSinkChild.class.getName(),
                checkpoint, in.toString(), out, markers.toString()));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.redirectErrorStream(true).redirectOutput(log(round).toFile());
        return pb.start();
    }

    private Path log(int round) {
        return tempDir.resolve("child-" + round + ".log");
    }

    /** Waits (bounded) for the child to say it started; inter-process, so by polling its marker file. */
    private void awaitReady(Process child) throws InterruptedException {
        Path marker = markers.resolve("ready-" + child.pid());
        long deadline = System.currentTimeMillis() + WAIT.toMillis();
        while (!Files.exists(marker)) {
            if (!child.isAlive()) {
                throw new AssertionError("the child exited with " + child.exitValue() + " before it started; see "
                        + "child-*.log in " + tempDir);
            }
            assertThat(System.currentTimeMillis()).as("the child started within %s", WAIT).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** Waits (bounded) for the child's line saying it parked at {@code point}. */
    private void awaitCrashPoint(Process child, int round, CrashPoint point) throws Exception {
        long deadline = System.currentTimeMillis() + WAIT.toMillis();
        String line = CrashPoints.MARKER + point.name();
        while (!Files.readString(log(round)).contains(line)) {
            assertThat(child.isAlive()).as("round %s: the child is alive until it reaches %s", round, point).isTrue();
            assertThat(System.currentTimeMillis()).as("round %s: %s reached within %s", round, point, WAIT)
                    .isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** Waits (bounded) until the manifest commits at least {@code n} lines, then returns them. */
    private List<String> awaitLines(int n) throws InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT.toMillis();
        List<String> lines = List.of();
        while (System.currentTimeMillis() < deadline) {
            lines = ManifestFiles.readLines(out);
            if (lines.size() >= n) {
                Thread.sleep(300); // a few more batches: a line committed twice would show now
                return ManifestFiles.readLines(out);
            }
            Thread.sleep(50);
        }
        return lines;
    }
}
