package dev.sluice.streaming.wal;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Comparator;

/**
 * Where a record starts in the write-ahead log: its segment's sequence number and the byte offset
 * of its record header in that segment file. Positions order records in the order they were
 * appended.
 *
 * @param segment the segment's sequence number (segments are numbered from 1; 0 only in {@link #START})
 * @param offset the byte offset of the record header in the segment file
 */
public record WalPosition(long segment, long offset) implements Comparable<WalPosition> {
    /** A position before every record of every log. */
    public static final WalPosition START = new WalPosition(0, 0);

    private static final Comparator<WalPosition> ORDER =
            Comparator.comparingLong(WalPosition::segment).thenComparingLong(WalPosition::offset);

    public WalPosition {
        checkArgument(segment >= 0, "segment must be >= 0, got %s", segment);
        checkArgument(offset >= 0, "offset must be >= 0, got %s", offset);
    }

    @Override
    public int compareTo(WalPosition other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return segment + "@" + offset;
    }
}
