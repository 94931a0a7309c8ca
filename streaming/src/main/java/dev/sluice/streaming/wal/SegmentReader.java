package dev.sluice.streaming.wal;

import static dev.sluice.streaming.wal.SegmentFormat.RECORD_HEADER_BYTES;
import static dev.sluice.streaming.wal.SegmentFormat.SEGMENT_HEADER_BYTES;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;

/**
 * Reads one segment front to back, checking every record.
 *
 * <p>Invariants: a record is handed on only when its header and payload CRCs match. At the
 * first record that fails (short, bad header, bad payload CRC), the rest of the file is scanned
 * for any valid record: if one exists, the damage is in the middle and reading refuses with the
 * path and offset; if none, it is a torn tail, reported and skipped. A file that is all zeros
 * from some offset on (pre-allocated or unwritten pages after a crash) is a torn tail too.
 *
 * <p>The reader never trusts the file length: on HDFS, a file whose writer died has a reported
 * length behind its readable bytes, so it reads until the stream ends.
 */
final class SegmentReader {
    private final FileSystem fs;
    private final int maxRecordBytes;

    SegmentReader(FileSystem fs, int maxRecordBytes) {
        this.fs = fs;
        this.maxRecordBytes = maxRecordBytes;
    }

    /**
     * Hands every valid record of {@code segment} positioned after {@code after} to {@code sink},
     * and returns the segment's torn tail if it has one.
     *
     * @throws WalCorruptionException if the segment is damaged other than at its tail
     */
    Optional<TornTail> read(SegmentFile segment, WalPosition after, Consumer<WalRecord> sink) throws IOException {
        String path = segment.path().toString();
        try (InputStream in = new BufferedInputStream(fs.open(segment.path()), 1 << 16)) {
            byte[] header = in.readNBytes(SEGMENT_HEADER_BYTES);
            if (header.length < SEGMENT_HEADER_BYTES) {
                return Optional.of(new TornTail(path, 0, header.length, header.length == 0
                        ? "empty segment (a crash right after it was created)"
                        : "segment header incomplete: " + header.length + " of " + SEGMENT_HEADER_BYTES + " bytes"));
            }
            String problem = SegmentFormat.segmentHeaderProblem(header, segment.sequence());
            if (problem != null) {
                byte[] rest = concat(header, in.readAllBytes());
                if (SegmentFormat.allZero(rest)) {
                    return Optional.of(new TornTail(path, 0, rest.length, "segment is all zero bytes"));
                }
                throw new WalCorruptionException(path, 0, problem);
            }
            return readRecords(segment, in, after, sink);
        }
    }

    private Optional<TornTail> readRecords(SegmentFile segment, InputStream in, WalPosition after,
            Consumer<WalRecord> sink) throws IOException {
        long offset = SEGMENT_HEADER_BYTES;
        byte[] header = new byte[RECORD_HEADER_BYTES];
        while (true) {
            int n = in.readNBytes(header, 0, RECORD_HEADER_BYTES);
            if (n == 0) {
                return Optional.empty();
            }
            if (n < RECORD_HEADER_BYTES) {
                return badRecord(segment, offset, Arrays.copyOf(header, n), in, "record header incomplete");
            }
            int length = SegmentFormat.checkedLength(header, 0, maxRecordBytes);
            if (length < 0) {
                return badRecord(segment, offset, header, in, "record header fails its CRC or length check");
            }
            byte[] payload = in.readNBytes(length);
            if (payload.length < length) {
                return badRecord(segment, offset, concat(header, payload), in,
                        "record of " + length + " bytes cut off after " + payload.length);
            }
            if (SegmentFormat.crc(payload, 0, length) != SegmentFormat.payloadCrc(header, 0)) {
                return badRecord(segment, offset, concat(header, payload), in, "record payload CRC mismatch");
            }
            WalPosition position = new WalPosition(segment.sequence(), offset);
            if (position.compareTo(after) > 0) {
                sink.accept(new WalRecord(position, payload));
            }
            offset += RECORD_HEADER_BYTES + length;
        }
    }

    private Optional<TornTail> badRecord(SegmentFile segment, long offset, byte[] consumed, InputStream in,
            String problem) throws IOException {
        String path = segment.path().toString();
        byte[] rest = concat(consumed, in.readAllBytes());
        int next = SegmentFormat.nextValidRecord(rest, 1, maxRecordBytes);
        if (next >= 0) {
            throw new WalCorruptionException(path, offset, problem + ", yet a valid record follows at offset "
                    + (offset + next) + ": the segment is damaged in the middle, not torn by a crash. Restore the"
                    + " file from a copy, or move it away to give up its records, then restart");
        }
        String reason = SegmentFormat.allZero(rest) ? "zero bytes after the last valid record" : problem;
        return Optional.of(new TornTail(path, offset, rest.length, reason));
    }

    /** Returns the payload of the record at {@code position}, checked. */
    byte[] readOne(SegmentFile segment, WalPosition position) throws IOException {
        String path = segment.path().toString();
        try (FSDataInputStream in = fs.open(segment.path())) {
            in.seek(position.offset());
            byte[] header = new byte[RECORD_HEADER_BYTES];
            in.readFully(header);
            int length = SegmentFormat.checkedLength(header, 0, maxRecordBytes);
            if (length < 0) {
                throw new WalCorruptionException(path, position.offset(),
                        "no valid record header at this position (is the position from this log?)");
            }
            byte[] payload = new byte[length];
            in.readFully(payload);
            if (SegmentFormat.crc(payload, 0, length) != SegmentFormat.payloadCrc(header, 0)) {
                throw new WalCorruptionException(path, position.offset(), "record payload CRC mismatch");
            }
            return payload;
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
