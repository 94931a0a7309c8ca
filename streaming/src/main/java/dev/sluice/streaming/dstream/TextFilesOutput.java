package dev.sluice.streaming.dstream;

import dev.sluice.core.Dataset;
import dev.sluice.core.Engine;
import dev.sluice.core.SluiceException;
import dev.sluice.core.spi.EngineServices;
import dev.sluice.streaming.OutputBatch;
import dev.sluice.streaming.Time;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a stream's {@code saveAsTextFiles} does with each batch: one text directory per batch time,
 * written once. The output commit log decides first: a replayed batch it records is not run at
 * all. Otherwise the directory is written under a hidden temporary name
 * ({@code .<name>.<uuid>.tmp}, which readers of text directories skip), a marker file
 * {@value #MARKER} naming the writer is added to it, and it is renamed into place, so the
 * directory appears with its marker. The writer is the application's checkpoint directory (the
 * same across restarts) or, without one, a random id of this run. Only that marker may decide
 * that a batch's output already exists (a crash after the rename, before the commit log entry):
 * a directory of the same name without it, or with another owner's (an unrelated earlier run),
 * fails the batch with the path and the fix instead of being silently taken for this batch's
 * output. Readers of text directories skip {@code _} and {@code .} files.
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
     * Saves {@code ds} as the directory of {@code batch}, unless {@code owner} already did.
     *
     * @throws IllegalStateException if the directory exists and {@code owner} did not write it
     */
    public static void save(Dataset<?> ds, String prefix, String suffix, OutputBatch batch, String owner) {
        Time time = batch.time();
        Path dir = new Path(directory(prefix, suffix, time));
        Path marker = new Path(dir, MARKER);
        try {
            FileSystem fs = marker.getFileSystem(EngineServices.of(ds.engine()).hadoopConf());
            if (fs.exists(dir)) {
                String writer = fs.exists(marker) ? read(fs, marker) : null;
                if (owner.equals(writer)) {
                    log.info("batch {}: {} was written by this application already (before a crash), not writing "
                            + "it again", time.millis(), dir);
                    return;
                }
                throw new IllegalStateException("batch " + time.millis() + " ms: output directory " + dir
                        + " already exists and was not written by this application (" + (writer == null
                        ? "it has no " + MARKER + " marker" : "its " + MARKER + " names " + writer)
                        + "); delete it, or save to another prefix");
            }
            if (batch.replay()) {
                deleteTempDirs(fs, dir);
            }
            Path temp = new Path(dir.getParent(), "." + dir.getName() + "." + UUID.randomUUID() + ".tmp");
            ds.saveAsTextFile(temp.toString());
            try (OutputStream out = fs.create(new Path(temp, MARKER), false)) {
                out.write(owner.getBytes(StandardCharsets.UTF_8));
            }
            if (!fs.rename(temp, dir)) {
                fs.delete(temp, true);
                throw new IOException("rename of " + temp + " to " + dir + " returned false");
            }
        } catch (IOException e) {
            throw new SluiceException("batch " + time.millis() + " ms: cannot write output directory " + dir + ": "
                    + e.getMessage(), e);
        }
    }

    /** Deletes the temporary directories of {@code dir} that a crashed attempt left. */
    private static void deleteTempDirs(FileSystem fs, Path dir) throws IOException {
        FileStatus[] stale = fs.globStatus(new Path(dir.getParent(), "." + dir.getName() + ".*.tmp"));
        for (FileStatus s : stale == null ? new FileStatus[0] : stale) {
            log.info("deleting {}, left by a crashed write of {}", s.getPath(), dir);
            fs.delete(s.getPath(), true);
        }
    }

    private static String read(FileSystem fs, Path marker) throws IOException {
        try (InputStream in = fs.open(marker)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
