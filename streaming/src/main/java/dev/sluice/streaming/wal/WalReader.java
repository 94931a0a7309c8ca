package dev.sluice.streaming.wal;

import static com.google.common.base.Preconditions.checkNotNull;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Reads a write-ahead-log directory: all records, the records after a position, or one record
 * at its position. Usable while a {@link WriteAheadLog} appends to the same directory (it sees
 * what was flushed) and, for recovery, before one is opened.
 *
 * <p>Threading: safe from any thread; it holds no mutable state.
 */
public final class WalReader {
    private final Path dir;
    private final FileSystem fs;
    private final SegmentReader segmentReader;

    private WalReader(Path dir, FileSystem fs, int maxRecordBytes) {
        this.dir = dir;
        this.fs = fs;
        this.segmentReader = new SegmentReader(fs, maxRecordBytes);
    }

    /** Returns a reader of the log in {@code dirUri} (which need not exist: then it is empty). */
    public static WalReader open(String dirUri, Configuration conf, int maxRecordBytes) {
        checkNotNull(dirUri, "dirUri");
        Path dir = new Path(dirUri);
        return new WalReader(dir, fileSystem(dir, conf), maxRecordBytes);
    }

    /**
     * Returns the file system of {@code dir}; for {@code file:} the raw one, because the log
     * checks its own CRCs and Hadoop's checksum side files would only add writes (and make a
     * damaged file fail with Hadoop's error instead of the log's path-and-offset report).
     */
    static FileSystem fileSystem(Path dir, Configuration conf) {
        try {
            FileSystem fs = dir.getFileSystem(checkNotNull(conf, "conf"));
            return fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach the file system of write-ahead log " + dir, e);
        }
    }

    /** Returns every valid record, and the torn tails skipped. */
    public WalReadResult readAll() {
        return readAfter(WalPosition.START);
    }

    /**
     * Returns the valid records positioned after {@code after}, and the torn tails skipped in the
     * segments read.
     *
     * @throws WalCorruptionException if a segment is damaged other than at its tail
     */
    public WalReadResult readAfter(WalPosition after) {
        checkNotNull(after, "after");
        List<WalRecord> records = new ArrayList<>();
        List<TornTail> torn = new ArrayList<>();
        SegmentFile previous = null;
        for (SegmentFile segment : segments()) {
            checkNoGap(previous, segment);
            previous = segment;
            if (segment.sequence() < after.segment()) {
                continue;
            }
            try {
                segmentReader.read(segment, after, records::add).ifPresent(torn::add);
            } catch (FileNotFoundException e) {
                // Deleted between listing and reading: it held only records no one needs any more.
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read write-ahead log segment " + segment.path(), e);
            }
        }
        return new WalReadResult(records, torn);
    }

    /**
     * Deleting old segments only ever removes a prefix of the sequence, so a gap means a segment
     * was lost; reading past it would silently skip its records.
     */
    private static void checkNoGap(SegmentFile previous, SegmentFile segment) {
        if (previous != null && segment.sequence() != previous.sequence() + 1) {
            throw new WalCorruptionException(segment.path().toString(), 0, "segment " + (previous.sequence() + 1)
                    + " is missing between " + previous.path() + " and this one: its records are lost. Restore it"
                    + " from a copy, or move the older segments away to give up their records, then restart");
        }
    }

    /**
     * Returns the payload of the record at {@code position}, checked against its CRCs.
     *
     * @throws WalCorruptionException if no valid record is there
     * @throws IllegalArgumentException if the log has no segment {@code position.segment()}
     */
    public byte[] read(WalPosition position) {
        checkNotNull(position, "position");
        SegmentFile segment = segment(position.segment()).orElseThrow(() -> new IllegalArgumentException(
                "write-ahead log " + dir + " has no segment " + position.segment() + " (deleted as no longer"
                        + " needed?) to read record " + position + " from"));
        try {
            return segmentReader.readOne(segment, position);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read record " + position + " of " + segment.path(), e);
        }
    }

    /** Returns the log's segments in sequence order. */
    List<SegmentFile> segments() {
        try {
            if (!fs.exists(dir)) {
                return List.of();
            }
            List<SegmentFile> segments = new ArrayList<>();
            for (FileStatus s : fs.listStatus(dir)) {
                SegmentFile.parse(s.getPath()).ifPresent(segments::add);
            }
            segments.sort(Comparator.comparingLong(SegmentFile::sequence));
            return segments;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list write-ahead log " + dir, e);
        }
    }

    private Optional<SegmentFile> segment(long sequence) {
        return segments().stream().filter(s -> s.sequence() == sequence).findFirst();
    }

    Path dir() {
        return dir;
    }

    FileSystem fs() {
        return fs;
    }
}
