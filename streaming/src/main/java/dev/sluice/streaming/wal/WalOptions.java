package dev.sluice.streaming.wal;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * How a {@link WriteAheadLog} writes.
 *
 * @param segmentBytes a segment is rolled before a record would take it past this size
 * @param rollInterval a segment is rolled at the first write after it has been open this long
 * @param durability what "durable" means for an acknowledged append
 * @param maxBatchRecords at most this many appends share one flush
 * @param maxRecordBytes the largest record accepted (and believed when reading a length)
 * @param clock the time segments are stamped and rolled by, in milliseconds
 */
public record WalOptions(long segmentBytes, Duration rollInterval, Durability durability, int maxBatchRecords,
        int maxRecordBytes, LongSupplier clock) {

    /** What a flush guarantees when an append returns. */
    public enum Durability {
        /**
         * {@code hflush}: the record survives a crash of this process (on HDFS: it is in every
         * replica's memory and visible to readers; on a local disk: it is in the OS page cache).
         */
        FLUSH,
        /** {@code hsync}: the record survives a crash of the machine too; slower. */
        SYNC
    }

    public WalOptions {
        checkArgument(segmentBytes >= 1024, "segmentBytes must be >= 1024, got %s", segmentBytes);
        checkNotNull(rollInterval, "rollInterval");
        checkArgument(!rollInterval.isNegative() && !rollInterval.isZero(), "rollInterval must be > 0, got %s",
                rollInterval);
        checkNotNull(durability, "durability");
        checkArgument(maxBatchRecords > 0, "maxBatchRecords must be > 0, got %s", maxBatchRecords);
        checkArgument(maxRecordBytes > 0, "maxRecordBytes must be > 0, got %s", maxRecordBytes);
        checkNotNull(clock, "clock");
    }

    /** 64 MiB segments rolled at least every minute, hflush, up to 4,096 records per flush. */
    public static WalOptions defaults() {
        return new WalOptions(64L << 20, Duration.ofMinutes(1), Durability.FLUSH, 4096, 64 << 20,
                System::currentTimeMillis);
    }

    public WalOptions withSegmentBytes(long bytes) {
        return new WalOptions(bytes, rollInterval, durability, maxBatchRecords, maxRecordBytes, clock);
    }

    public WalOptions withRollInterval(Duration interval) {
        return new WalOptions(segmentBytes, interval, durability, maxBatchRecords, maxRecordBytes, clock);
    }

    public WalOptions withDurability(Durability d) {
        return new WalOptions(segmentBytes, rollInterval, d, maxBatchRecords, maxRecordBytes, clock);
    }

    public WalOptions withMaxBatchRecords(int records) {
        return new WalOptions(segmentBytes, rollInterval, durability, records, maxRecordBytes, clock);
    }

    public WalOptions withMaxRecordBytes(int bytes) {
        return new WalOptions(segmentBytes, rollInterval, durability, maxBatchRecords, bytes, clock);
    }

    public WalOptions withClock(LongSupplier c) {
        return new WalOptions(segmentBytes, rollInterval, durability, maxBatchRecords, maxRecordBytes, c);
    }
}
