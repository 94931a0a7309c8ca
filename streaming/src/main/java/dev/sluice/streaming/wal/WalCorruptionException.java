package dev.sluice.streaming.wal;

import dev.sluice.core.SluiceException;

/**
 * A write-ahead-log segment is damaged where it cannot be a crash's torn tail: a record fails its
 * checks but valid records follow it, or a segment header is wrong. Reading refuses rather than
 * skip records that were acknowledged.
 */
public final class WalCorruptionException extends SluiceException {
    private final String path;
    private final long offset;

    /** Creates the exception for the record or header at {@code offset} of {@code path}. */
    public WalCorruptionException(String path, long offset, String problem) {
        super(String.format("write-ahead log segment %s is corrupt at offset %d: %s", path, offset, problem));
        this.path = path;
        this.offset = offset;
    }

    /** Returns the segment file. */
    public String path() {
        return path;
    }

    /** Returns the offset of the damaged record or header. */
    public long offset() {
        return offset;
    }
}
