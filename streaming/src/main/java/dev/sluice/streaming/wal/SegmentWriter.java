package dev.sluice.streaming.wal;

import java.io.IOException;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;

/**
 * The open segment the log appends to. Used only under the log's commit lock.
 */
final class SegmentWriter implements AutoCloseable {
    private final SegmentFile file;
    private final FSDataOutputStream out;
    private final byte[] recordHeader = new byte[SegmentFormat.RECORD_HEADER_BYTES];
    private long length;

    private SegmentWriter(SegmentFile file, FSDataOutputStream out) {
        this.file = file;
        this.out = out;
        this.length = SegmentFormat.SEGMENT_HEADER_BYTES;
    }

    /** Creates the file of {@code file} (failing if it exists) and writes its header. */
    static SegmentWriter create(FileSystem fs, SegmentFile file) throws IOException {
        FSDataOutputStream out = fs.create(file.path(), false);
        try {
            out.write(SegmentFormat.segmentHeader(file.sequence(), file.createdMillis()));
        } catch (IOException e) {
            out.close();
            throw e;
        }
        return new SegmentWriter(file, out);
    }

    SegmentFile file() {
        return file;
    }

    long length() {
        return length;
    }

    boolean hasRecords() {
        return length > SegmentFormat.SEGMENT_HEADER_BYTES;
    }

    /** Writes the first {@code n} bytes of {@code payload} as the next record (not yet flushed); returns its position. */
    WalPosition write(byte[] payload, int n) throws IOException {
        SegmentFormat.recordHeader(payload, n, recordHeader);
        WalPosition position = new WalPosition(file.sequence(), length);
        out.write(recordHeader);
        out.write(payload, 0, n);
        length += recordHeader.length + n;
        return position;
    }

    void flush(WalOptions.Durability durability) throws IOException {
        if (durability == WalOptions.Durability.SYNC) {
            out.hsync();
        } else {
            out.hflush();
        }
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
