package dev.sluice.examples;

/**
 * Supplies line {@code index} of an endless text input, for example
 * {@code WorkloadData::line} for the benchmark workload.
 *
 * <p>Implementations must be pure (the same index always gives the same line) and thread-safe;
 * lines must not contain {@code '\n'}.
 */
@FunctionalInterface
public interface LineSource {
    /** Returns line {@code index} (0-based) without its line terminator. */
    String line(long index);
}
