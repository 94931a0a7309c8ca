package dev.sluice.core.checkpoint;

import com.google.common.io.BaseEncoding;
import dev.sluice.core.CheckpointException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * The fixed-size header that opens every checkpoint partition file, followed by the payload (a
 * Kryo record stream).
 *
 * <pre>
 * magic "SLCK" (4 bytes) | format version (int) | record count (long)
 *   | payload length (long) | CRC32 of the payload (long) | payload
 * </pre>
 *
 * <p>Each check throws a {@link CheckpointException} naming the file, what the header promised
 * and what the file holds.
 */
record PartitionFileHeader(int version, long recordCount, long payloadLength, long payloadCrc) {
    static final int FORMAT_VERSION = 1;
    static final int LENGTH = 4 + 4 + 8 + 8 + 8;
    private static final byte[] MAGIC = "SLCK".getBytes(StandardCharsets.US_ASCII);

    /** Returns the header of a file holding {@code recordCount} records as {@code payload}. */
    static PartitionFileHeader of(long recordCount, byte[] payload) {
        return new PartitionFileHeader(FORMAT_VERSION, recordCount, payload.length, crc32(payload));
    }

    byte[] toBytes() {
        return ByteBuffer.allocate(LENGTH)
                .put(MAGIC).putInt(version).putLong(recordCount).putLong(payloadLength).putLong(payloadCrc)
                .array();
    }

    /** Parses the first bytes of {@code path}, checking that they are a header this code reads. */
    static PartitionFileHeader parse(String path, byte[] bytes) {
        if (bytes.length < LENGTH) {
            throw new CheckpointException(path, "a header of " + LENGTH + " bytes", bytes.length + " bytes");
        }
        byte[] magic = Arrays.copyOf(bytes, MAGIC.length);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new CheckpointException(path, "magic bytes 'SLCK' (" + hex(MAGIC) + ")", "bytes " + hex(magic)
                    + "; this is not a Sluice checkpoint partition file");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes, MAGIC.length, LENGTH - MAGIC.length);
        PartitionFileHeader header = new PartitionFileHeader(
                buffer.getInt(), buffer.getLong(), buffer.getLong(), buffer.getLong());
        if (header.version != FORMAT_VERSION) {
            throw new CheckpointException(path, "format version " + FORMAT_VERSION, "version " + header.version);
        }
        return header;
    }

    /** Checks the payload length against the bytes the file holds after its header. */
    void checkPayloadLength(String path, long bytesPresent) {
        if (bytesPresent != payloadLength) {
            throw new CheckpointException(path, "payload of " + payloadLength + " bytes",
                    bytesPresent + " bytes" + (bytesPresent < payloadLength ? " (truncated)" : ""));
        }
        if (payloadLength > Integer.MAX_VALUE - 8) {
            throw new CheckpointException(path, "payload under 2 GiB", payloadLength + " bytes");
        }
    }

    void checkCrc(String path, byte[] payload) {
        long crc = crc32(payload);
        if (crc != payloadCrc) {
            throw new CheckpointException(path, String.format("payload CRC32 %08x", payloadCrc),
                    String.format("CRC32 %08x (corrupt payload)", crc));
        }
    }

    void checkRecordCount(String path, long recordsRead) {
        if (recordsRead != recordCount) {
            throw new CheckpointException(path, recordCount + " records", recordsRead + " records");
        }
    }

    private static String hex(byte[] bytes) {
        return BaseEncoding.base16().encode(bytes);
    }

    private static long crc32(byte[] payload) {
        CRC32 crc = new CRC32();
        crc.update(payload);
        return crc.getValue();
    }
}
