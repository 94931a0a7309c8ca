package dev.sluice.streaming.wal;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * The end of a segment that a crash left half-written: from {@code offset} on, no valid record
 * follows. Reading keeps the records before it and reports this; the dropped bytes were never
 * acknowledged, because an append returns only after its record was flushed whole.
 *
 * @param path the segment file
 * @param offset where the first incomplete or invalid record starts
 * @param droppedBytes how many bytes from {@code offset} to the end of the file were ignored
 * @param reason what was found at {@code offset}
 */
public record TornTail(String path, long offset, long droppedBytes, String reason) {

    public TornTail {
        checkNotNull(path, "path");
        checkArgument(offset >= 0, "offset must be >= 0, got %s", offset);
        checkArgument(droppedBytes >= 0, "droppedBytes must be >= 0, got %s", droppedBytes);
        checkNotNull(reason, "reason");
    }

    @Override
    public String toString() {
        return String.format("torn tail of %s at offset %d (%d bytes ignored): %s", path, offset, droppedBytes,
                reason);
    }
}
