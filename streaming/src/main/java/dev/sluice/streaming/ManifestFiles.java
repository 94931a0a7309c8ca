package dev.sluice.streaming;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.streaming.dstream.TextFilesOutput;
import dev.sluice.streaming.output.ManifestLayout;
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
import org.apache.hadoop.fs.Path;

/**
 * Reads what a manifest file output committed ({@link ManifestFileSink}, or
 * {@code saveAsTextFiles} through {@link #ofTextFiles}): only the files its manifest names, each
 * committed batch exactly once, in batch order (the files of a batch in partition order). A batch
 * being committed, or a compaction of the manifest running, while a reader lists is either wholly
 * in the result or not at all. Batches that wrote nothing (empty batches) have no entry and are
 * not in the result.
 *
 * <pre>{@code
 * List<String> lines = ManifestFiles.of("hdfs://nn/out/words").readLines();
 * SortedMap<Long, List<String>> batches = ManifestFiles.ofTextFiles("hdfs://nn/out/counts", "txt")
 *         .withHadoopProperties(Map.of("dfs.client.use.datanode.hostname", "true")).readBatches();
 * }</pre>
 *
 * <p>Thread-safe: every read lists the manifest afresh (reuse an instance: it holds its Hadoop
 * configuration, which is costly to load).
 */
public final class ManifestFiles {
    private final String description;
    private final ManifestLayout layout;
    private final Map<String, String> hadoopProperties;
    private final Configuration conf;

    private ManifestFiles(String description, ManifestLayout layout, Map<String, String> hadoopProperties) {
        this.description = description;
        this.layout = layout;
        this.hadoopProperties = Map.copyOf(hadoopProperties);
        this.conf = new Configuration();
        hadoopProperties.forEach(conf::set);
    }

    /** Returns the reader of a {@link ManifestFileSink}'s output directory. */
    public static ManifestFiles of(String directory) {
        checkNotNull(directory, "directory");
        return new ManifestFiles(directory, ManifestLayout.flat(directory), Map.of());
    }

    /** Returns the reader of a stream's {@code saveAsTextFiles(prefix, suffix)}. */
    public static ManifestFiles ofTextFiles(String prefix, String suffix) {
        TextFilesOutput layout = TextFilesOutput.of(prefix, suffix);
        return new ManifestFiles(layout.toString(), layout, Map.of());
    }

    /**
     * Returns a copy that reaches the file system with these Hadoop settings over the class
     * path's {@code core-site.xml} (as the engine builder's {@code hadoopProperty} does).
     */
    public ManifestFiles withHadoopProperties(Map<String, String> properties) {
        return new ManifestFiles(description, layout, checkNotNull(properties, "properties"));
    }

    /**
     * Returns the URIs of the committed data files, by batch id (the batch time in ms).
     *
     * @throws UncheckedIOException if the manifest cannot be read
     */
    public SortedMap<Long, List<String>> committedFiles() {
        return committedFiles(manifest());
    }

    /**
     * Returns the lines of every committed batch, by batch id.
     *
     * @throws UncheckedIOException if the manifest or a file it names cannot be read (a committed file deleted, say)
     */
    public SortedMap<Long, List<String>> readBatches() {
        ManifestLog manifest = manifest();
        FileSystem fs = manifest.fileSystem();
        SortedMap<Long, List<String>> out = new TreeMap<>();
        committedFiles(manifest).forEach((batch, files) -> {
            List<String> lines = new ArrayList<>();
            for (String file : files) {
                readLines(fs, file, lines);
            }
            out.put(batch, Collections.unmodifiableList(lines));
        });
        return Collections.unmodifiableSortedMap(out);
    }

    /** Returns the lines of every committed batch, batch after batch. */
    public List<String> readLines() {
        List<String> all = new ArrayList<>();
        readBatches().values().forEach(all::addAll);
        return all;
    }

    /** {@code ManifestFiles.of(directory).committedFiles()}. */
    public static SortedMap<Long, List<String>> committedFiles(String directory) {
        return of(directory).committedFiles();
    }

    /** {@code ManifestFiles.of(directory).readBatches()}. */
    public static SortedMap<Long, List<String>> readBatches(String directory) {
        return of(directory).readBatches();
    }

    /** {@code ManifestFiles.of(directory).readLines()}. */
    public static List<String> readLines(String directory) {
        return of(directory).readLines();
    }

    private ManifestLog manifest() {
        return layout.manifest(conf);
    }

    private SortedMap<Long, List<String>> committedFiles(ManifestLog manifest) {
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
            throw new UncheckedIOException("cannot read the manifest of " + description, e);
        }
        return Collections.unmodifiableSortedMap(out);
    }

    private static void readLines(FileSystem fs, String file, List<String> into) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(fs.open(new Path(file)),
                StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                into.add(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ", which the manifest commits", e);
        }
    }

    @Override
    public String toString() {
        return "ManifestFiles(" + description + ")";
    }
}
