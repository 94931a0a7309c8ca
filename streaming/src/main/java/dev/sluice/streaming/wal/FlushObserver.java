package dev.sluice.streaming.wal;

/**
 * Told of each group commit of a {@link WriteAheadLog}, on the appending thread that wrote it
 * while it holds the log's commit lock (return quickly): for the metrics, one call per flush,
 * never per record.
 */
@FunctionalInterface
public interface FlushObserver {
    /**
     * The log in directory {@code log} (its last path segment) wrote {@code records} records of
     * {@code bytes} bytes (headers included) and flushed them in {@code nanos}.
     */
    void flushed(String log, long nanos, long bytes, int records);
}
