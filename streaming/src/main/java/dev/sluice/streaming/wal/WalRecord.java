package dev.sluice.streaming.wal;

import static com.google.common.base.Preconditions.checkNotNull;

/**
 * A record read back from the write-ahead log.
 *
 * @param position where the record starts
 * @param payload the bytes appended; owned by the caller (the reader keeps no reference)
 */
public record WalRecord(WalPosition position, byte[] payload) {

    public WalRecord {
        checkNotNull(position, "position");
        checkNotNull(payload, "payload");
    }
}
