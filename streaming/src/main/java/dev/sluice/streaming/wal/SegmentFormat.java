package dev.sluice.streaming.wal;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The byte layout of a segment file (all integers big-endian):
 *
 * <pre>
 * segment header, 28 bytes: magic "SLWL" | int version (1) | long sequence | long createdMillis
 *                           | int masked CRC32C of the 24 bytes before it
 * then records, each:       int length | int masked CRC32C of the 4 length bytes
 *                           | int masked CRC32C of the payload | payload (length bytes)
 * </pre>
 *
 * <p>Why the length has its own CRC: a flipped bit in a length would otherwise send the reader
 * to a wrong record boundary, and a random length could look like a record cut off by a crash.
 * With the header checked on its own, the reader can also scan forward from a bad record for a
 * valid one, which tells a torn tail (nothing valid follows) from damage in the middle.
 *
 * <p>Why masked CRCs: a CRC computed over bytes that themselves contain CRCs is weak; rotating
 * and adding a constant (as LevelDB's log format does) avoids that.
 */
final class SegmentFormat {
    static final int MAGIC = 0x534C574C; // "SLWL"
    static final int VERSION = 1;
    static final int SEGMENT_HEADER_BYTES = 28;
    static final int RECORD_HEADER_BYTES = 12;
    private static final int MASK_DELTA = 0xa282ead8;

    private SegmentFormat() {
    }

    static int crc(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + MASK_DELTA;
    }

    static int lengthCrc(int length) {
        byte[] b = {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length};
        return crc(b, 0, 4);
    }

    static byte[] segmentHeader(long sequence, long createdMillis) {
        ByteBuffer b = ByteBuffer.allocate(SEGMENT_HEADER_BYTES);
        b.putInt(MAGIC).putInt(VERSION).putLong(sequence).putLong(createdMillis);
        b.putInt(crc(b.array(), 0, SEGMENT_HEADER_BYTES - 4));
        return b.array();
    }

    /** Writes the 12-byte record header of the first {@code length} bytes of {@code payload} into {@code into} at 0. */
    static void recordHeader(byte[] payload, int length, byte[] into) {
        ByteBuffer.wrap(into).putInt(length).putInt(lengthCrc(length)).putInt(crc(payload, 0, length));
    }

    /**
     * Returns the problem with the segment header in {@code h} (28 bytes), or null if it is valid
     * and belongs to segment {@code sequence}.
     */
    static String segmentHeaderProblem(byte[] h, long sequence) {
        ByteBuffer b = ByteBuffer.wrap(h);
        int magic = b.getInt();
        int version = b.getInt();
        long seq = b.getLong();
        b.getLong();
        int crc = b.getInt();
        if (magic != MAGIC) {
            return String.format("segment header magic is 0x%08x, expected 0x%08x (is this a Sluice WAL file?)",
                    magic, MAGIC);
        }
        if (crc != crc(h, 0, SEGMENT_HEADER_BYTES - 4)) {
            return "segment header CRC mismatch";
        }
        if (version != VERSION) {
            return "segment format version " + version + " is not supported (this build reads version " + VERSION
                    + ")";
        }
        if (seq != sequence) {
            return "segment header names sequence " + seq + " but the file name says " + sequence
                    + " (was the file renamed or copied?)";
        }
        return null;
    }

    /**
     * Returns the payload length declared by the record header at {@code at} in {@code b}, or -1 if
     * the header fails its CRC or declares a length outside [0, maxRecordBytes].
     */
    static int checkedLength(byte[] b, int at, int maxRecordBytes) {
        ByteBuffer buf = ByteBuffer.wrap(b, at, RECORD_HEADER_BYTES);
        int length = buf.getInt();
        int lengthCrc = buf.getInt();
        if (lengthCrc != lengthCrc(length) || length < 0 || length > maxRecordBytes) {
            return -1;
        }
        return length;
    }

    static int payloadCrc(byte[] b, int at) {
        return ByteBuffer.wrap(b, at + 8, 4).getInt();
    }

    /** Returns the offset of the first valid record in {@code b} at or after {@code from}, or -1. */
    static int nextValidRecord(byte[] b, int from, int maxRecordBytes) {
        for (int at = from; at + RECORD_HEADER_BYTES <= b.length; at++) {
            int length = checkedLength(b, at, maxRecordBytes);
            if (length >= 0 && at + RECORD_HEADER_BYTES + (long) length <= b.length
                    && crc(b, at + RECORD_HEADER_BYTES, length) == payloadCrc(b, at)) {
                return at;
            }
        }
        return -1;
    }

    static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}
