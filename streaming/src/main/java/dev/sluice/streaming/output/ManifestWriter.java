package dev.sluice.streaming.output;

import dev.sluice.core.function.MapFunction;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work of the manifest file sink: each task attempt writes its partition to a data file of a
 * name no other attempt uses ({@code part-<batch>-<partition>-<random>}), the batch's commit is
 * one manifest entry naming the files of the attempts that succeeded ({@link ManifestLog}). Files
 * of failed attempts, aborted batches and crashed runs are never in an entry, so readers never
 * see them; they are deleted when known (a failed attempt, an abort, the replay of the batch).
 *
 * <p>Threading: {@link #begin}, {@link #commit} and {@link #abort} on the job thread, one batch at
 * a time; {@link #writePartition} from task threads, concurrently.
 */
public final class ManifestWriter<T> {
    private static final Logger log = LoggerFactory.getLogger(ManifestWriter.class);

    private final ManifestLog manifest;
    private final MapFunction<? super T, String> format;
    private final String uid;
    private final Map<Integer, String> files = new ConcurrentHashMap<>();

    private ManifestWriter(ManifestLog manifest, MapFunction<? super T, String> format, String uid) {
        this.manifest = manifest;
        this.format = format;
        this.uid = uid;
    }

    /**
     * Opens the writer of output {@code uid} on {@code directory}, claiming it for the output.
     *
     * @throws IllegalStateException if another output owns the directory
     */
    public static <T> ManifestWriter<T> open(String directory, Configuration conf, MapFunction<? super T, String> format,
                                             String uid) throws IOException {
        ManifestLog manifest = ManifestLog.of(directory, conf);
        manifest.claim(uid);
        return new ManifestWriter<>(manifest, format, uid);
    }

    /** Returns true if batch {@code batchId} has a whole manifest entry. */
    public boolean isCommitted(long batchId) throws IOException {
        return manifest.entry(batchId).isPresent();
    }

    /** Starts batch {@code batchId}; on a replay, deletes the data files a crashed run wrote for it. */
    public void begin(long batchId, boolean replay) throws IOException {
        files.clear();
        if (replay) {
            FileStatus[] stale = manifest.fileSystem().globStatus(manifest.file(prefix(batchId) + "*"));
            for (FileStatus s : stale == null ? new FileStatus[0] : stale) {
                log.info("batch {}: deleting {}, written by a run that crashed before committing it", batchId,
                        s.getPath());
                manifest.fileSystem().delete(s.getPath(), false);
            }
        }
    }

    /** Writes one attempt of partition {@code partition} to a new data file; a later attempt's file replaces it. */
    public void writePartition(long batchId, int partition, Iterator<? extends T> records) throws Exception {
        String name = prefix(batchId) + String.format("%05d-", partition) + UUID.randomUUID();
        Path path = manifest.file(name);
        FileSystem fs = manifest.fileSystem();
        try (Writer out = new BufferedWriter(new OutputStreamWriter(fs.create(path, false), StandardCharsets.UTF_8))) {
            while (records.hasNext()) {
                out.write(format.call(records.next()));
                out.write('\n');
            }
        } catch (Exception | Error e) {
            deleteQuietly(path);
            throw e;
        }
        String replaced = files.put(partition, name);
        if (replaced != null) {
            deleteQuietly(manifest.file(replaced));
        }
    }

    /**
     * Commits batch {@code batchId} with one manifest entry. If a whole entry of the batch exists
     * already, it wins, and this attempt's files are deleted.
     */
    public void commit(long batchId) throws IOException {
        List<String> names = new ArrayList<>(new TreeMap<>(files).values());
        ManifestLog.Entry entry = new ManifestLog.Entry(batchId, uid, names);
        ManifestLog.Entry inForce = manifest.commit(entry);
        if (!inForce.equals(entry)) {
            log.warn("batch {}: the manifest of {} already commits it; this attempt's files are deleted", batchId,
                    manifest.outputDir());
            abort(batchId);
        }
        files.clear();
    }

    /** Deletes the files written for batch {@code batchId} since {@link #begin}. */
    public void abort(long batchId) {
        for (String name : files.values()) {
            deleteQuietly(manifest.file(name));
        }
        files.clear();
    }

    private void deleteQuietly(Path path) {
        try {
            manifest.fileSystem().delete(path, false);
        } catch (IOException e) {
            log.warn("could not delete {} (not in the manifest, so no reader sees it)", path, e);
        }
    }

    private static String prefix(long batchId) {
        return String.format("part-%020d-", batchId);
    }
}
