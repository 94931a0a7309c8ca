package dev.sluice.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.streaming.recovery.CrashPoint;
import dev.sluice.streaming.recovery.CrashPoints;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A child JVM of a crash test, on this JVM's class path, with its output in a log file: started,
 * waited for (a marker file it creates, or a line it prints, by polling: the two are separate
 * processes), and killed with SIGKILL. One harness for every kill -9 test of this module.
 */
public final class ChildJvm implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(90);
    /** The default JVM options of a child. */
    public static final List<String> DEFAULT_OPTIONS = List.of("-Xmx256m");
    /** C1 only and the serial collector: a child that starts in seconds less on a loaded machine. */
    public static final List<String> QUICK_START_OPTIONS = List.of("-Xmx256m", "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC");

    private final Process process;
    private final Path log;

    private ChildJvm(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code main} with {@code args} and system properties {@code props}, its output in {@code log}. */
    public static ChildJvm start(Class<?> main, List<String> args, Map<String, String> props, Path log)
            throws IOException {
        return start(main, DEFAULT_OPTIONS, args, props, log);
    }

    /** Starts {@code main} with the JVM options {@code jvmOptions}, {@code args} and {@code props}, its output in {@code log}. */
    public static ChildJvm start(Class<?> main, List<String> jvmOptions, List<String> args, Map<String, String> props,
                                 Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        props.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        return new ChildJvm(pb.start(), log);
    }

    public long pid() {
        return process.pid();
    }

    /** Returns true while the child runs. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Returns the marker a child with process id {@code pid} creates in {@code markers} once started. */
    public static Path readyMarker(Path markers, long pid) {
        return markers.resolve("ready-" + pid);
    }

    /** Creates this JVM's ready marker in {@code markers}: called by a child once its context started. */
    public static void signalReady(Path markers) throws IOException {
        Files.createFile(readyMarker(markers, ProcessHandle.current().pid()));
    }

    /** Waits (at most {@code timeout}) until the child created its ready marker in {@code markers}; fails if it exits first. */
    public void awaitReady(Path markers, Duration timeout) throws InterruptedException {
        Path marker = readyMarker(markers, process.pid());
        awaitTrue("file " + marker, () -> Files.exists(marker), timeout);
    }

    /** Waits (at most {@code timeout}) until the child's log says it parked at {@code point}; fails if it exits first. */
    public void awaitCrashPoint(CrashPoint point, Duration timeout) throws InterruptedException {
        String line = CrashPoints.MARKER + point.name();
        awaitTrue("'" + line + "' in " + log, () -> {
            try {
                return Files.readString(log, StandardCharsets.ISO_8859_1).contains(line);
            } catch (IOException e) {
                return false; // not readable yet: read again
            }
        }, timeout);
    }

    /** Waits (bounded) until {@code file} exists; fails if the child exits first. */
    public void awaitFile(Path file) throws InterruptedException {
        awaitTrue("file " + file, () -> Files.exists(file), WAIT);
    }

    /** Waits (bounded) until the child printed a line starting with {@code prefix}; fails if it exits first. */
    public void awaitLine(String prefix) throws InterruptedException {
        awaitTrue("a line '" + prefix + "' in " + log, () -> {
            try {
                return Files.readAllLines(log, StandardCharsets.UTF_8).stream().anyMatch(l -> l.startsWith(prefix));
            } catch (IOException | java.io.UncheckedIOException e) {
                return false; // partly written (malformed) output: read again
            }
        }, WAIT);
    }

    private void awaitTrue(String what, java.util.function.BooleanSupplier condition, Duration timeout)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        while (!condition.getAsBoolean()) {
            if (!process.isAlive()) {
                throw new AssertionError("the child exited with " + process.exitValue() + " before " + what
                        + "; see " + log);
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("no " + what + " within " + timeout.toMillis() + " ms; see " + log);
            }
            Thread.sleep(20);
        }
    }

    /** Kills the child with SIGKILL (Linux, macOS) and waits for it to be gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the child %s died", process.pid()).isTrue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }

    /**
     * Waits (bounded) until the totals file (lines {@code key count}) that a child rewrites
     * atomically satisfies {@code done}, then returns it; fails, with the end of the child's log, if it exits first or time runs out.
     */
    public Map<String, Long> awaitTotals(Path totals, Predicate<Map<String, Long>> done) throws Exception {
        long deadline = System.currentTimeMillis() + WAIT.toMillis();
        Map<String, Long> read = Map.of();
        while (System.currentTimeMillis() < deadline) {
            read = readTotals(totals);
            if (done.test(read)) {
                return read;
            }
            if (!process.isAlive()) {
                throw new AssertionError("the child exited with " + process.exitValue() + " before its totals were "
                        + "complete (last read: " + read + "); the end of its log " + log + ":\n" + tail());
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the child's totals were not complete within " + WAIT.toMillis() + " ms (last read: "
                + read + "); the end of its log " + log + ":\n" + tail());
    }

    private String tail() throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    public static Map<String, Long> readTotals(Path totals) throws IOException {
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
