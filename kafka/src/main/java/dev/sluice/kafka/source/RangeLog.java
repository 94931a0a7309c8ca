package dev.sluice.kafka.source;

import dev.sluice.core.SluiceException;
import dev.sluice.kafka.OffsetRange;
import dev.sluice.streaming.Time;
import java.io.BufferedReader;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A direct stream's planned ranges, written to the checkpoint directory the moment a batch is
 * planned, before it runs: one small file per batch ({@code <checkpointDir>/kafka-ranges/<uid>/<time>},
 * lines {@code topic TAB partition TAB from TAB until}, written under a temporary name and renamed).
 *
 * <p>Why: the metadata checkpoint is written after each batch completes, so it records batch
 * {@code t}'s ranges only if {@code t} was generated before the previous batch finished. A crash
 * while {@code t} runs would then leave {@code t} unrecorded and the restarted run would plan it
 * again, over different offsets if records arrived meanwhile; a transactional sink that had already
 * committed {@code t} would skip it, and its output would not match its input. With this log, a
 * batch generated after the newest metadata checkpoint is re-read with the ranges it was planned
 * with. Files are deleted once no checkpoint can ask for their batch.
 *
 * <p>Threading: {@link #write} on the generator thread, {@link #deleteBefore} on the job thread,
 * {@link #readAfter} at recovery; the set of written times is concurrent.
 */
final class RangeLog {
    private static final Logger log = LoggerFactory.getLogger(RangeLog.class);
    private final Path dir;
    private final Configuration conf;
    private final NavigableSet<Long> written = new ConcurrentSkipListSet<>();

    RangeLog(String checkpointDir, String uid, Configuration conf) {
        this.dir = new Path(checkpointDir, "kafka-ranges/" + uid);
        this.conf = conf;
    }

    /** Records batch {@code time}'s ranges durably. */
    void write(Time time, List<OffsetRange> ranges) {
        StringBuilder text = new StringBuilder();
        for (OffsetRange r : ranges) {
            text.append(r.topic()).append('\t').append(r.partition()).append('\t').append(r.fromOffset()).append('\t')
                    .append(r.untilOffset()).append('\n');
        }
        Path target = new Path(dir, Long.toString(time.millis()));
        Path staged = new Path(dir, "." + time.millis() + ".tmp");
        try {
            FileSystem fs = dir.getFileSystem(conf);
            try (FSDataOutputStream out = fs.create(staged, true)) {
                out.write(text.toString().getBytes(StandardCharsets.UTF_8));
                out.hsync();
            }
            fs.delete(target, false);
            if (!fs.rename(staged, target)) {
                throw new IOException("rename of " + staged + " to " + target + " failed");
            }
        } catch (IOException e) {
            throw new SluiceException("batch " + time.millis() + ": cannot record the Kafka offset ranges in " + target
                    + ": " + e.getMessage() + "; is the checkpoint directory writable?", e);
        }
        written.add(time.millis());
    }

    /** Returns the logged batches after {@code after} (all if null), by time. */
    NavigableMap<Time, List<OffsetRange>> readAfter(Time after) {
        NavigableMap<Time, List<OffsetRange>> out = new TreeMap<>();
        try {
            FileSystem fs = dir.getFileSystem(conf);
            FileStatus[] files;
            try {
                files = fs.listStatus(dir, p -> !p.getName().startsWith("."));
            } catch (FileNotFoundException e) {
                return out;
            }
            for (FileStatus f : files) {
                long millis = Long.parseLong(f.getPath().getName());
                written.add(millis);
                if (after == null || millis > after.millis()) {
                    out.put(Time.ofMillis(millis), read(fs, f.getPath()));
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new SluiceException("cannot read the Kafka offset ranges logged in " + dir + ": " + e.getMessage()
                    + "; delete the damaged file to fall back on the metadata checkpoint alone", e);
        }
        return out;
    }

    private static List<OffsetRange> read(FileSystem fs, Path file) throws IOException {
        List<OffsetRange> ranges = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(fs.open(file), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String[] f = line.split("\t");
                if (f.length != 4) {
                    throw new IOException(file + " holds a line that is not topic, partition, from, until: " + line);
                }
                ranges.add(new OffsetRange(f[0], Integer.parseInt(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])));
            }
        }
        return List.copyOf(ranges);
    }

    /** Deletes the files of batches before {@code time}; a failure is logged (the next call retries). */
    void deleteBefore(Time time) {
        NavigableSet<Long> old = written.headSet(time.millis(), false);
        if (old.isEmpty()) {
            return;
        }
        try {
            FileSystem fs = dir.getFileSystem(conf);
            for (Long millis : List.copyOf(old)) {
                fs.delete(new Path(dir, Long.toString(millis)), false);
                written.remove(millis);
            }
        } catch (IOException e) {
            log.warn("cannot delete old Kafka offset ranges in {} (retried after the next batch): {}", dir, e.toString());
        }
    }
}
