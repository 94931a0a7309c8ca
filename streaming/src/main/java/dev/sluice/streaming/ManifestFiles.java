package dev.sluice.streaming;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.streaming.output.ManifestLog;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * Reads what a {@link ManifestFileSink} committed: only the files its manifest names, each
 * committed batch exactly once, in batch order (the files of a batch in partition order). A batch
 * being committed while a reader lists is either wholly in the result or not at all.
 *
 * <p>Thread-safe: every call reads the directory afresh.
 */
public final class ManifestFiles {
    private ManifestFiles() {
    }

    /**
     * Returns the URIs of the committed data files of {@code directory}, by batch id (the batch time in ms).
     *
     * @throws UncheckedIOException if the manifest cannot be read
     */
    public static SortedMap<Long, List<String>> committedFiles(String directory) {
        ManifestLog manifest = ManifestLog.of(checkNotNull(directory, "directory"), new Configuration());
        SortedMap<Long, List<String>> out = new TreeMap<>();
        try {
            for (Map.Entry<Long, ManifestLog.Entry> e : manifest.committed().entrySet()) {
                List<String> uris = new ArrayList<>();
                for (String name : e.getValue().files()) {
                    uris.add(manifest.file(name).toString());
                }
                out.put(e.getKey(), Collections.unmodifiableList(uris));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the manifest of " + directory, e);
        }
        return Collections.unmodifiableSortedMap(out);
    }

    /**
     * Returns the lines of every committed batch of {@code directory}, by batch id.
     *
     * @throws UncheckedIOException if the manifest or a file it names cannot be read (a committed file deleted, say)
     */
    public static SortedMap<Long, List<String>> readBatches(String directory) {
        ManifestLog manifest = ManifestLog.of(checkNotNull(directory, "directory"), new Configuration());
        FileSystem fs = manifest.fileSystem();
        SortedMap<Long, List<String>> out = new TreeMap<>();
        committedFiles(directory).forEach((batch, files) -> {
            List<String> lines = new ArrayList<>();
            for (String file : files) {
                readLines(fs, file, lines);
            }
            out.put(batch, Collections.unmodifiableList(lines));
        });
        return Collections.unmodifiableSortedMap(out);
    }

    /** Returns the lines of every committed batch of {@code directory}, batch after batch. */
    public static List<String> readLines(String directory) {
        List<String> all = new ArrayList<>();
        readBatches(directory).values().forEach(all::addAll);
        return all;
    }

    private static void readLines(FileSystem fs, String file, List<String> into) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                fs.open(new org.apache.hadoop.fs.Path(file)), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                into.add(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ", which the manifest commits", e);
        }
    }
}
