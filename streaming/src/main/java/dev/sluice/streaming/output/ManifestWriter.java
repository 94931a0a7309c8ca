package dev.sluice.streaming.output;

import static com.google.common.base.Preconditions.checkArgument;

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
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work of a manifest file output: each task attempt writes its partition to a data file of a
 * name no other attempt uses (see {@link ManifestLayout}), and the batch's commit is one manifest
 * entry naming the files of the attempts that succeeded ({@link ManifestLog}). An empty partition
 * writes no file, and a batch with no file writes no entry: replaying an empty batch writes
 * nothing either, so the output commit log suffices for it. Files of failed attempts, aborted
 * batches and crashed runs are never in an entry, so readers never see them; they are deleted
 * when known (a failed attempt, an abort, the replay of the batch). Every {@code compactInterval}
 * entries the manifest is compacted into a snapshot, so it does not grow by a file per batch.
 *
 * <p>An entry records the application that wrote it; a batch committed by another application
 * (an unrelated run writing the same output with the same uid) is neither skipped nor
 * overwritten: the batch fails, naming both.
 *
 * <p>Threading: {@link #begin}, {@link #commit} and {@link #abort} on the job thread, one batch at
 * a time; {@link #writePartition} from task threads, concurrently.
 */
public final class ManifestWriter<T> {
    /** Entries between two snapshots of the manifest, by default. */
    public static final int DEFAULT_COMPACT_INTERVAL = 10;
    private static final Logger log = LoggerFactory.getLogger(ManifestWriter.class);

    private final ManifestLog manifest;
    private final ManifestLayout layout;
    private final MapFunction<? super T, String> format;
    private final String uid;
    private final String writer;
    private final int compactInterval;
    private final Map<Integer, String> files = new ConcurrentHashMap<>();
    private int looseEntries;
    private long newestCompacted;

    private ManifestWriter(ManifestLog manifest, ManifestLayout layout, MapFunction<? super T, String> format,
                           String uid, String writer, int compactInterval, ManifestLog.Listing listing) {
        this.manifest = manifest;
        this.layout = layout;
        this.format = format;
        this.uid = uid;
        this.writer = writer;
        this.compactInterval = compactInterval;
        this.looseEntries = listing.looseEntries();
        this.newestCompacted = listing.committed().isEmpty() ? Long.MIN_VALUE : listing.committed().lastKey();
    }

    /**
     * Opens the writer of output {@code uid}, run by application {@code writer}, on
     * {@code manifest}, claiming it for the output.
     *
     * @throws IllegalStateException if another output owns the manifest
     */
    public static <T> ManifestWriter<T> open(ManifestLog manifest, ManifestLayout layout,
                                             MapFunction<? super T, String> format, String uid, String writer,
                                             int compactInterval) throws IOException {
        checkArgument(compactInterval > 0, "compactInterval must be > 0, got %s", compactInterval);
        manifest.claim(uid);
        return new ManifestWriter<>(manifest, layout, format, uid, writer, compactInterval, manifest.list());
    }

    /**
     * Returns true if this application committed batch {@code batchId} (a whole entry, or a snapshot holding it).
     *
     * @throws IllegalStateException if another application committed it
     */
    public boolean isCommitted(long batchId) throws IOException {
        Optional<ManifestLog.Entry> entry = manifest.entry(batchId);
        if (entry.isEmpty() && batchId <= newestCompacted) {
            entry = Optional.ofNullable(manifest.committed().get(batchId));
        }
        if (entry.isPresent() && !entry.get().writer().equals(writer)) {
            throw new IllegalStateException("batch " + batchId + ": the manifest " + manifest.directory()
                    + " already commits it, written by " + entry.get().writer() + ", not by this " + writer
                    + "; an unrelated run wrote this output: give this output another directory, or delete the "
                    + "old output (its data files and manifest)");
        }
        return entry.isPresent();
    }

    /** Starts batch {@code batchId}; on a replay, deletes the data files a crashed run wrote for it. */
    public void begin(long batchId, boolean replay) throws IOException {
        files.clear();
        if (replay) {
            FileStatus[] stale = manifest.fileSystem().globStatus(manifest.file(layout.batchFiles(batchId)));
            for (FileStatus s : stale == null ? new FileStatus[0] : stale) {
                log.info("batch {}: deleting {}, written by a run that crashed before committing it", batchId,
                        s.getPath());
                manifest.fileSystem().delete(s.getPath(), false);
            }
        }
    }

    /**
     * Writes one attempt of partition {@code partition} to a new data file (none if it is empty);
     * a later attempt's file replaces it.
     */
    public void writePartition(long batchId, int partition, Iterator<? extends T> records) throws Exception {
        String name = null;
        if (records.hasNext()) {
            name = layout.dataFile(batchId, partition, UUID.randomUUID().toString());
            write(manifest.file(name), records);
        }
        String replaced = name == null ? files.remove(partition) : files.put(partition, name);
        if (replaced != null) {
            deleteQuietly(manifest.file(replaced));
        }
    }

    private void write(Path path, Iterator<? extends T> records) throws Exception {
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
    }

    /**
     * Commits batch {@code batchId} with one manifest entry, or none if it wrote no file. If a
     * whole entry of the batch exists already, it wins, and this attempt's files are deleted.
     * Compacts the manifest when it is due; a failed compaction is logged, not thrown (the batch
     * is committed: its files must stay).
     */
    public void commit(long batchId) throws IOException {
        List<String> names = new ArrayList<>(new TreeMap<>(files).values());
        if (names.isEmpty()) {
            return;
        }
        ManifestLog.Entry entry = new ManifestLog.Entry(batchId, uid, writer, names);
        ManifestLog.Entry inForce = manifest.commit(entry);
        if (!inForce.equals(entry)) {
            log.warn("batch {}: the manifest {} already commits it; this attempt's files are deleted", batchId,
                    manifest.directory());
            abort(batchId);
            return;
        }
        files.clear();
        if (++looseEntries >= compactInterval) {
            compact();
        }
    }

    private void compact() {
        try {
            ManifestLog.Listing listing = manifest.list();
            manifest.compact(listing);
            looseEntries = 0;
            newestCompacted = listing.committed().isEmpty() ? newestCompacted : listing.committed().lastKey();
            log.debug("compacted manifest {}: {} batches in snapshot {}", manifest.directory(),
                    listing.committed().size(), listing.highestSnapshot() + 1);
        } catch (IOException e) {
            log.warn("could not compact manifest {} (readers still see every committed batch; the next commit "
                    + "tries again)", manifest.directory(), e);
        }
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
}
