package dev.sluice.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.streaming.recovery.CrashPoint;
import dev.sluice.streaming.recovery.CrashPoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM for the kill -9 harnesses: started on the test's class path with its output in a log
 * file, optionally with a crash point armed; a child says it started by creating {@link #readyMarker}
 * in a marker directory. Waits are inter-process, so they poll (bounded by {@code timeout}).
 */
public final class ChildJvm {
    private final Process process;
    private final Path log;

    private ChildJvm(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code main} with {@code args}, its output to {@code log}; {@code crashAt} (a {@link
     * CrashPoints#PROPERTY} value such as {@code AFTER_OUTPUT_BEFORE_COMMIT:2}) arms a crash point, or null.
     */
    public static ChildJvm start(Class<?> main, Path log, String crashAt, String... args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // C1 only and the serial collector: a child starts in seconds less on a loaded machine.
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC"));
        if (crashAt != null) {
            command.add("-D" + CrashPoints.PROPERTY + "=" + crashAt);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        return new ChildJvm(pb.start(), log);
    }

    /** Returns the marker a child with process id {@code pid} creates in {@code markers} once started. */
    public static Path readyMarker(Path markers, long pid) {
        return markers.resolve("ready-" + pid);
    }

    /** Creates this JVM's ready marker in {@code markers}: called by a child once its context started. */
    public static void signalReady(Path markers) throws IOException {
        Files.createFile(readyMarker(markers, ProcessHandle.current().pid()));
    }

    /** Waits until the child created its ready marker in {@code markers}; fails if it exits first. */
    public void awaitReady(Path markers, Duration timeout) throws InterruptedException {
        Path marker = readyMarker(markers, process.pid());
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(marker)) {
            assertThat(process.isAlive()).as("the child is alive until it starts; see %s", log).isTrue();
            assertThat(System.nanoTime()).as("the child started within %s; see %s", timeout, log).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** Waits until the child's log says it parked at {@code point}. */
    public void awaitCrashPoint(CrashPoint point, Duration timeout) throws IOException, InterruptedException {
        String line = CrashPoints.MARKER + point.name();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.readString(log).contains(line)) {
            assertThat(process.isAlive()).as("the child is alive until it reaches %s; see %s", point, log).isTrue();
            assertThat(System.nanoTime()).as("%s reached within %s; see %s", point, timeout, log).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** Returns true while the child runs. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILLs the child (on Linux and macOS) and waits until it is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the child %s died", process.pid()).isTrue();
    }
}
