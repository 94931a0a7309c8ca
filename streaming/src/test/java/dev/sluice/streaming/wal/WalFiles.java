package dev.sluice.streaming.wal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * File-system level access to a log's segments for tests that damage them, on any Hadoop file
 * system (the rewrite goes through the same file system the log uses).
 */
public final class WalFiles {
    private final WalReader reader;

    public WalFiles(String dirUri, Configuration conf) {
        this.reader = WalReader.open(dirUri, conf, WalOptions.defaults().maxRecordBytes());
    }

    /** Returns the segment paths, in sequence order. */
    public List<Path> segments() {
        return reader.segments().stream().map(SegmentFile::path).toList();
    }

    /** Returns the bytes of {@code file}. */
    public byte[] read(Path file) throws IOException {
        try (InputStream in = fs().open(file)) {
            return in.readAllBytes();
        }
    }

    /** Replaces the content of {@code file} with {@code change} applied to it. */
    public void rewrite(Path file, UnaryOperator<byte[]> change) throws IOException {
        byte[] bytes = change.apply(read(file));
        fs().delete(file, false);
        try (OutputStream out = fs().create(file, false)) {
            out.write(bytes);
        }
    }

    /** Returns the file system the log uses. */
    public FileSystem fs() {
        return reader.fs();
    }

    /** The size of a segment header, where the first record starts. */
    public static int firstRecordOffset() {
        return SegmentFormat.SEGMENT_HEADER_BYTES;
    }

    /** The size of a record header. */
    public static int recordHeaderBytes() {
        return SegmentFormat.RECORD_HEADER_BYTES;
    }
}
