package dev.sluice.streaming.dstream;

import dev.sluice.core.Dataset;
import dev.sluice.core.Engine;
import dev.sluice.core.SluiceException;
import dev.sluice.core.spi.EngineServices;
import dev.sluice.streaming.Time;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a stream's {@code saveAsTextFiles} does with each batch: one text directory per batch time,
 * written once. After the directory is written, a marker file {@value #MARKER} in it records who
 * wrote it: the application's checkpoint directory (the same across restarts, so a replayed batch
 * is not written twice), or, without one, a random id of this run. Only that record may decide
 * that a batch's output already exists: a directory of the same name without it, or with another
 * owner's (an unrelated earlier run), fails the batch with the path and the fix instead of being
 * silently taken for this batch's output. Readers of text directories skip {@code _} files.
 */
public final class TextFilesOutput {
    /** The marker file in each batch directory, naming its writer. */
    public static final String MARKER = "_SLUICE_OUTPUT";
    private static final Logger log = LoggerFactory.getLogger(TextFilesOutput.class);

    private TextFilesOutput() {
    }

    /** Returns the directory of batch {@code time}: {@code prefix-<ms>.suffix}, no dot if {@code suffix} is empty. */
    public static String directory(String prefix, String suffix, Time time) {
        return prefix + "-" + time.millis() + (suffix.isEmpty() ? "" : "." + suffix);
    }

    /**
     * Returns who writes this output in the context of {@code engine}: its checkpoint directory if
     * it has one (a restarted application is the same writer), otherwise a new random run id.
     */
    public static String owner(Engine engine) {
        return engine.checkpointDir().map(d -> "application with checkpoint directory " + d)
                .orElseGet(() -> "run " + UUID.randomUUID() + " (no checkpoint directory)");
    }

    /**
     * Saves {@code ds} as batch {@code time}'s directory, unless {@code owner} already did.
     *
     * @throws IllegalStateException if the directory exists and {@code owner} did not write it
     */
    public static void save(Dataset<?> ds, String prefix, String suffix, Time time, String owner) {
        String dir = directory(prefix, suffix, time);
        Path marker = new Path(dir, MARKER);
        try {
            FileSystem fs = marker.getFileSystem(EngineServices.of(ds.engine()).hadoopConf());
            if (fs.exists(new Path(dir))) {
                String writer = fs.exists(marker) ? read(fs, marker) : null;
                if (owner.equals(writer)) {
                    log.debug("batch {}: {} was written by this application already, not writing it again",
                            time.millis(), dir);
                    return;
                }
                throw new IllegalStateException("batch " + time.millis() + " ms: output directory " + dir
                        + " already exists and was not written by this application (" + (writer == null
                        ? "it has no " + MARKER + " marker" : "its " + MARKER + " names " + writer)
                        + "); delete it, or save to another prefix");
            }
            ds.saveAsTextFile(dir);
            try (OutputStream out = fs.create(marker, false)) {
                out.write(owner.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new SluiceException("batch " + time.millis() + " ms: cannot write output directory " + dir + ": "
                    + e.getMessage(), e);
        }
    }

    private static String read(FileSystem fs, Path marker) throws IOException {
        try (InputStream in = fs.open(marker)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
