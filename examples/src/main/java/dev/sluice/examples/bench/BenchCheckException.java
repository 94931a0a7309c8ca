package dev.sluice.examples.bench;

/**
 * A benchmark's output differs from its plain-Java reference: the numbers of that run are not to
 * be trusted. The message names the workload, the mode, the batch and both values. Thrown out of
 * the benchmark's entry point, so the JVM exits non-zero.
 */
public final class BenchCheckException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    BenchCheckException(String message) {
        super(message);
    }
}
