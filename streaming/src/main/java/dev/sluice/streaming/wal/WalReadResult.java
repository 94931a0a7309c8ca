package dev.sluice.streaming.wal;

import java.util.List;

/**
 * What reading the write-ahead log found: the valid records in append order, and the torn tails
 * it skipped (one per segment that a crash left half-written).
 *
 * @param records the records, in position order
 * @param tornTails the torn segment tails, in segment order; empty after clean shutdowns
 */
public record WalReadResult(List<WalRecord> records, List<TornTail> tornTails) {

    public WalReadResult {
        records = List.copyOf(records);
        tornTails = List.copyOf(tornTails);
    }
}
