package dev.sluice.streaming.checkpoint;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.core.CheckpointException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one metadata checkpoint file per batch time, {@code metadata-<time>}, in a directory on
 * any Hadoop {@code FileSystem}, keeps the newest {@code retain}, and reads back the newest valid
 * one.
 *
 * <p>Atomic writes: with {@link CommitMode#RENAME} (HDFS, local disks) a file is written under a
 * temporary name {@code .metadata-<time>.<uuid>.tmp} and renamed into place, so a reader sees a
 * whole file or none. With {@link CommitMode#CREATE_IF_ABSENT} (object stores, where rename is a
 * copy) it is created under its final name; a reader may then see a partial file, which fails the
 * length/CRC check and is skipped like any damaged one. A crash can leave temporary files; they
 * are never read; those a listing finds ({@link #latest} at recovery, the first write) are deleted
 * by the next write, and a failed write of ours deletes its own temporary file.
 *
 * <p>Pruning: after the first listing the store keeps the names of the retained files in memory
 * and deletes the oldest from that list, so a write costs one file write and one rename, not a
 * directory listing (a listing was most of the per-batch cost on local disks).
 *
 * <p>Threading: one writer per directory (the driver's checkpoint writer); reading is safe from
 * any thread.
 */
public final class MetadataCheckpointStore {
    private static final Logger log = LoggerFactory.getLogger(MetadataCheckpointStore.class);
    private static final Pattern NAME = Pattern.compile("metadata-(\\d{20})");
    private static final Pattern TEMP = Pattern.compile("\\.metadata-\\d{20}\\..*\\.tmp");
    /** The default number of checkpoint files kept. */
    public static final int DEFAULT_RETAIN = 10;

    private final Path dir;
    private final FileSystem fs;
    private final int retain;
    private final CommitMode mode;
    private boolean dirCreated;
    /** The checkpoint files retained, oldest first; null until the first listing. */
    private TreeSet<String> retained;
    /** Temporary files the last listing found, deleted by the next write. */
    private List<String> staleTemps = new ArrayList<>();
    /** The directory on the local disk, written through java.nio (null on other file systems). */
    private final java.nio.file.Path localDir;
    /** The directory URI with a trailing slash, for the paths this store reports. */
    private final String dirString;
    /** Temporary names: random per store, then a counter (a UUID per write cost more than the write). */
    private final String tempPrefix = UUID.randomUUID().toString().substring(0, 8) + "-";
    private long tempCount;
    private volatile Runnable beforeCommit = () -> { };

    /** How a checkpoint file becomes visible under its final name. */
    public enum CommitMode {
        /** Write a temporary file, then rename it: atomic on HDFS and local file systems. */
        RENAME,
        /** Create the final file directly: for stores where rename is not atomic. */
        CREATE_IF_ABSENT
    }

    public MetadataCheckpointStore(String dirUri, Configuration conf, int retain, CommitMode mode) {
        checkNotNull(dirUri, "dirUri");
        checkArgument(retain >= 1, "retain must be >= 1, got %s", retain);
        this.dir = new Path(dirUri);
        this.retain = retain;
        this.mode = checkNotNull(mode, "mode");
        String d = dir.toString();
        this.dirString = d.endsWith("/") ? d : d + "/";
        try {
            FileSystem f = dir.getFileSystem(checkNotNull(conf, "conf"));
            // Own CRC in every file: Hadoop's .crc side files would only add a write per checkpoint.
            this.fs = f instanceof LocalFileSystem l ? l.getRawFileSystem() : f;
            this.localDir = fs instanceof RawLocalFileSystem raw ? raw.pathToFile(dir).toPath() : null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach the file system of checkpoint directory " + dirUri, e);
        }
    }

    /** A store keeping {@link #DEFAULT_RETAIN} files, committing by rename. */
    public static MetadataCheckpointStore of(String dirUri, Configuration conf) {
        return new MetadataCheckpointStore(dirUri, conf, DEFAULT_RETAIN, CommitMode.RENAME);
    }

    /**
     * Runs {@code hook} in every {@link CommitMode#RENAME} write after the temporary file is
     * written and before it is renamed: where the crash tests stop the JVM (the crash points live
     * in the recovery package, which depends on this one, hence a hook).
     */
    public void beforeCommit(Runnable hook) {
        this.beforeCommit = checkNotNull(hook, "hook");
    }

    /** A checkpoint file written: its path and size. */
    public record Written(String path, int bytes) {
    }

    /**
     * Writes {@code checkpoint} as the file of its batch time (replacing one of the same time),
     * then deletes files beyond the newest {@code retain} and the stale temporary files the last
     * listing found.
     *
     * @return the path written and its size
     * @throws CheckpointException if the file cannot be written
     */
    public Written write(MetadataCheckpoint checkpoint) {
        String name = nameOf(checkNotNull(checkpoint, "checkpoint").checkpointTime().millis());
        byte[] bytes = MetadataCheckpointFormat.toBytes(checkpoint);
        if (retained == null) {
            remember(list());
        }
        String temp = null;
        try {
            if (!dirCreated) {
                fs.mkdirs(dir);
                dirCreated = true;
            }
            if (mode == CommitMode.RENAME) {
                temp = "." + name + "." + tempPrefix + tempCount++ + ".tmp";
                create(temp, bytes);
                beforeCommit.run();
                replace(temp, name);
            } else {
                if (retained.contains(name)) {
                    deleteFile(name);
                }
                create(name, bytes);
            }
        } catch (IOException | RuntimeException e) {
            if (temp != null) {
                deleteQuietly(temp);
            }
            throw new CheckpointException(pathOf(name), "cannot be written: " + e, e);
        }
        log.debug("wrote metadata checkpoint {} ({} bytes)", name, bytes.length);
        retained.add(name);
        prune();
        return new Written(pathOf(name), bytes.length);
    }

    private void create(String name, byte[] bytes) throws IOException {
        if (localDir != null) {
            // Hadoop's local create sets the file mode by forking chmod when its native library is
            // absent (the usual case): that made a checkpoint write cost ~4 ms instead of ~0.1 ms.
            Files.write(localDir.resolve(name), bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            return;
        }
        try (FSDataOutputStream out = fs.create(new Path(dir, name), false)) {
            out.write(bytes);
        }
    }

    private void replace(String temp, String name) throws IOException {
        if (localDir != null) {
            // rename(2): replaces the target atomically, so a reader never finds neither file.
            Files.move(localDir.resolve(temp), localDir.resolve(name), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            return;
        }
        Path file = new Path(dir, name);
        Path from = new Path(dir, temp);
        // A batch re-run after recovery writes its time again; HDFS rename never overwrites.
        if (retained.contains(name)) {
            fs.delete(file, false);
        }
        if (!fs.rename(from, file)) {
            throw new IOException("rename of " + from + " to " + file + " returned false");
        }
    }

    private boolean deleteFile(String name) throws IOException {
        return localDir != null ? Files.deleteIfExists(localDir.resolve(name)) : fs.delete(new Path(dir, name), false);
    }

    private void deleteQuietly(String name) {
        try {
            deleteFile(name);
        } catch (IOException | RuntimeException e) {
            log.warn("could not delete the temporary file {} of a failed metadata checkpoint write", pathOf(name), e);
        }
    }

    private String pathOf(String name) {
        return dirString + name;
    }

    /** {@code metadata-<time>}, the time zero-padded to 20 digits (so names sort by time); no String.format per batch. */
    private static String nameOf(long millis) {
        String digits = Long.toString(millis);
        return "metadata-" + "0".repeat(Math.max(0, 20 - digits.length())) + digits;
    }

    /**
     * Returns the newest checkpoint that reads back valid, with the newer files it skipped, or
     * empty if the directory holds no checkpoint file.
     *
     * @throws CheckpointException if checkpoint files exist but none is valid, naming each and why
     */
    public Optional<RecoveredCheckpoint> latest() {
        List<FileStatus> listing = list();
        remember(listing);
        List<Path> files = checkpointFiles(listing);
        List<String> skipped = new ArrayList<>();
        for (int i = files.size() - 1; i >= 0; i--) {
            Path file = files.get(i);
            try {
                MetadataCheckpoint c = MetadataCheckpointFormat.fromBytes(file.toString(), readFile(file));
                RecoveredCheckpoint recovered = new RecoveredCheckpoint(c, file.toString(), skipped);
                if (!skipped.isEmpty()) {
                    log.warn("using older {}", recovered.describe());
                }
                return Optional.of(recovered);
            } catch (CheckpointException e) {
                skipped.add(e.getMessage());
            }
        }
        if (!skipped.isEmpty()) {
            throw new CheckpointException(dir.toString(), "at least one valid metadata checkpoint file",
                    files.size() + " files, none valid: " + String.join("; ", skipped)
                            + ". Restore a file from a copy, or start with an empty directory to begin anew");
        }
        return Optional.empty();
    }

    /** Returns the checkpoint files present, oldest first. */
    public List<Path> checkpointFiles() {
        return checkpointFiles(list());
    }

    private static List<Path> checkpointFiles(List<FileStatus> listing) {
        List<Path> files = new ArrayList<>();
        for (FileStatus s : listing) {
            if (NAME.matcher(s.getPath().getName()).matches()) {
                files.add(s.getPath());
            }
        }
        files.sort(Comparator.comparing(Path::getName));
        return files;
    }

    /** Deletes temporary files a crashed write left; returns their paths. */
    public List<String> deleteStaleTempFiles() {
        return deleteStaleTempFiles(list());
    }

    private List<String> deleteStaleTempFiles(List<FileStatus> listing) {
        List<String> deleted = new ArrayList<>();
        for (FileStatus s : listing) {
            if (TEMP.matcher(s.getPath().getName()).matches() && delete(s.getPath())) {
                deleted.add(s.getPath().toString());
            }
        }
        if (!deleted.isEmpty()) {
            log.info("deleted {} stale metadata checkpoint temp files in {}: {}", deleted.size(), dir, deleted);
        }
        return deleted;
    }

    /** Takes the retained files and the stale temporary files from a listing of the directory. */
    private void remember(List<FileStatus> listing) {
        retained = new TreeSet<>();
        staleTemps = new ArrayList<>();
        for (FileStatus s : listing) {
            String name = s.getPath().getName();
            if (NAME.matcher(name).matches()) {
                retained.add(name);
            } else if (TEMP.matcher(name).matches()) {
                staleTemps.add(name);
            }
        }
    }

    private void prune() {
        try {
            while (retained.size() > retain) {
                deleteFile(retained.pollFirst());
            }
            if (!staleTemps.isEmpty()) {
                List<String> deleted = new ArrayList<>();
                for (String name : staleTemps) {
                    if (deleteFile(name)) {
                        deleted.add(pathOf(name));
                    }
                }
                staleTemps = new ArrayList<>();
                log.info("deleted {} stale metadata checkpoint temp files in {}: {}", deleted.size(), dir, deleted);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete an old file in checkpoint directory " + dir, e);
        }
    }

    private byte[] readFile(Path file) {
        try (InputStream in = fs.open(file)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new CheckpointException(file.toString(), "cannot be read: " + e, e);
        }
    }

    private List<FileStatus> list() {
        try {
            return fs.exists(dir) ? List.of(fs.listStatus(dir)) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoint directory " + dir, e);
        }
    }

    private boolean delete(Path p) {
        try {
            return fs.delete(p, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + p + " in checkpoint directory " + dir, e);
        }
    }

}
