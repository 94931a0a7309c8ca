package dev.sluice.streaming.wal;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.Path;

/**
 * A segment file of the log, known by its name {@code log-<sequence>-<createdMillis>}: the
 * sequence orders segments; the creation time (by the log's clock) bounds the records of the
 * segment before it, which were all written earlier.
 *
 * @param path the file
 * @param sequence the segment's number, from 1
 * @param createdMillis when the segment was opened, by the log's clock
 */
record SegmentFile(Path path, long sequence, long createdMillis) {
    private static final Pattern NAME = Pattern.compile("log-(\\d{20})-(\\d+)");

    SegmentFile {
        checkNotNull(path, "path");
        checkArgument(sequence >= 1, "sequence must be >= 1, got %s", sequence);
    }

    static SegmentFile of(Path dir, long sequence, long createdMillis) {
        return new SegmentFile(new Path(dir, String.format("log-%020d-%d", sequence, createdMillis)), sequence,
                createdMillis);
    }

    /** Returns the segment named by {@code path}, or empty for a file that is not a segment. */
    static Optional<SegmentFile> parse(Path path) {
        Matcher m = NAME.matcher(path.getName());
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new SegmentFile(path, Long.parseLong(m.group(1)), Long.parseLong(m.group(2))));
    }
}
