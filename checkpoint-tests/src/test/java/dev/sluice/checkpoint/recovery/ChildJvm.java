package dev.sluice.checkpoint.recovery;

import static org.assertj.core.api.Assertions.assertThat;

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
 * processes), and killed with SIGKILL.
 */
final class ChildJvm implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(90);

    private final Process process;
    private final Path log;

    private ChildJvm(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code main} with {@code args} and system properties {@code props}, its output in {@code log}. */
    static ChildJvm start(Class<?> main, List<String> args, Map<String, String> props, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        props.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        return new ChildJvm(pb.start(), log);
    }

    long pid() {
        return process.pid();
    }

    /** Waits (bounded) until {@code file} exists; fails if the child exits first. */
    void awaitFile(Path file) throws InterruptedException {
        awaitTrue("file " + file, () -> Files.exists(file));
    }

    /** Waits (bounded) until the child printed a line starting with {@code prefix}; fails if it exits first. */
    void awaitLine(String prefix) throws InterruptedException {
        awaitTrue("a line '" + prefix + "' in " + log, () -> {
            try {
                return Files.readAllLines(log, StandardCharsets.UTF_8).stream().anyMatch(l -> l.startsWith(prefix));
            } catch (IOException | java.io.UncheckedIOException e) {
                return false; // partly written (malformed) output: read again
            }
        });
    }

    private void awaitTrue(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT.toMillis();
        while (!condition.getAsBoolean()) {
            if (!process.isAlive()) {
                throw new AssertionError("the child exited with " + process.exitValue() + " before " + what
                        + "; see " + log);
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("no " + what + " within " + WAIT.toMillis() + " ms; see " + log);
            }
            Thread.sleep(20);
        }
    }

    /** Kills the child with SIGKILL (Linux, macOS) and waits for it to be gone. */
    void kill() throws InterruptedException {
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
    Map<String, Long> awaitTotals(Path totals, Predicate<Map<String, Long>> done) throws Exception {
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

    static Map<String, Long> readTotals(Path totals) throws IOException {
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
