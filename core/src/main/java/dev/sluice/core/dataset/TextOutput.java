package dev.sluice.core.dataset;

import static com.google.common.base.Preconditions.checkState;

import dev.sluice.core.SluiceException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes a dataset as text files under a temporary directory next to the target, then renames it
 * to the target in one step, so readers never see a half-written output.
 */
public final class TextOutput {
    private final FileSystem fs;
    private final Path target;
    private final Path temporary;

    private TextOutput(FileSystem fs, Path target, Path temporary) {
        this.fs = fs;
        this.target = target;
        this.temporary = temporary;
    }

    /**
     * Prepares an output to {@code uri}.
     *
     * @throws IllegalStateException if {@code uri} already exists
     */
    public static TextOutput begin(Configuration conf, String uri) {
        try {
            Path target = new Path(uri);
            FileSystem fs = target.getFileSystem(conf);
            checkState(!fs.exists(target), "output directory %s already exists; choose a new path or delete it first",
                    uri);
            Path temporary = new Path(target.getParent(), "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
            fs.mkdirs(temporary);
            return new TextOutput(fs, target, temporary);
        } catch (IOException e) {
            throw new SluiceException("cannot prepare text output " + uri + ": " + e.getMessage(), e);
        }
    }

    /** Returns true if {@code uri} exists. */
    public static boolean exists(Configuration conf, String uri) {
        try {
            Path target = new Path(uri);
            return target.getFileSystem(conf).exists(target);
        } catch (IOException e) {
            throw new SluiceException("cannot check " + uri + ": " + e.getMessage(), e);
        }
    }

    /** Writes one part file with a line per record; safe to repeat for a retried task. */
    public void writePart(int partition, Iterator<?> records) throws IOException {
        Path part = new Path(temporary, String.format("part-%05d", partition));
        try (Writer out = new BufferedWriter(new OutputStreamWriter(fs.create(part, true), StandardCharsets.UTF_8))) {
            while (records.hasNext()) {
                out.write(String.valueOf(records.next()));
                out.write('\n');
            }
        }
    }

    /** Moves the finished output to its target name. */
    public void commit() {
        try {
            if (!fs.rename(temporary, target)) {
                throw new SluiceException("cannot rename " + temporary + " to " + target
                        + "; does the target exist already?");
            }
        } catch (IOException e) {
            throw new SluiceException("cannot commit text output " + target + ": " + e.getMessage(), e);
        }
    }

    /** Deletes the temporary output after a failure. */
    public void abort() {
        try {
            fs.delete(temporary, true);
        } catch (IOException e) {
            // The job already failed with its own cause; a leftover temporary directory is harmless.
        }
    }
}
