package dev.sluice.streaming.output;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Collections;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The output commit log of one output operation: which batches it completed, in the checkpoint
 * directory under {@code output-commits/<uid>/}, one file per committed batch named by its time
 * ({@code %020d} ms). A file is created once under its final name (no rename: safe on stores
 * where rename is not atomic) and framed with a CRC, so a torn file from a crash reads as "not
 * committed" and is replaced by the next commit of that batch. The newest {@code retain} entries
 * are kept: recovery only asks about the batches after the last completed one of a metadata
 * checkpoint, of which the store keeps far fewer.
 *
 * <p>Threading: one writer, the job thread; {@link #open} runs on the starting thread before it.
 */
public final class OutputCommitLog {
    /** The directory under the checkpoint directory that holds every output's log. */
    public static final String DIRECTORY = "output-commits";
    /** How many committed batches each log keeps. */
    public static final int DEFAULT_RETAIN = 100;
    private static final Logger log = LoggerFactory.getLogger(OutputCommitLog.class);
    private static final Pattern ENTRY = Pattern.compile("\\d{20}");

    private final String uid;
    private final Path dir;
    private final FileSystem fs;
    private final int retain;
    private final SortedSet<Long> committed = new TreeSet<>();
    /** The directory on the local file system when {@code fs} is Hadoop's raw local one; else null. */
    private final java.nio.file.Path localDir;

    private OutputCommitLog(String uid, Path dir, FileSystem fs, int retain) {
        this.uid = uid;
        this.dir = dir;
        this.fs = fs;
        this.retain = retain;
        this.localDir = ChecksummedFiles.localPath(fs, dir);
    }

    /**
     * Opens (creating if needed) the log of output {@code uid} in {@code checkpointDir}, keeping
     * the newest {@code retain} entries.
     *
     * @throws UncheckedIOException if the directory cannot be listed or created
     */
    public static OutputCommitLog open(String checkpointDir, String uid, Configuration conf, int retain) {
        checkNotNull(checkpointDir, "checkpointDir");
        checkNotNull(uid, "uid");
        checkArgument(retain >= 1, "retain must be >= 1, got %s", retain);
        Path dir = new Path(new Path(checkpointDir, DIRECTORY), directoryName(uid));
        try {
            FileSystem fs = ChecksummedFiles.fileSystem(dir, conf);
            OutputCommitLog commits = new OutputCommitLog(uid, dir, fs, retain);
            fs.mkdirs(dir);
            for (FileStatus s : fs.listStatus(dir)) {
                if (ENTRY.matcher(s.getPath().getName()).matches()) {
                    commits.committed.add(Long.parseLong(s.getPath().getName()));
                }
            }
            return commits;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the output commit log " + dir + " of output '" + uid + "'", e);
        }
    }

    /** Returns the directory name of output {@code uid}: letters, digits, '.', '-' kept, other characters as {@code _hex_}. */
    static String directoryName(String uid) {
        StringBuilder out = new StringBuilder();
        for (byte b : uid.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
                    || (c == '.' && out.length() > 0)) {
                out.append(c);
            } else {
                out.append('_').append(String.format("%02x", b & 0xff)).append('_');
            }
        }
        return out.toString();
    }

    /** Returns the uid of the output this log belongs to. */
    public String uid() {
        return uid;
    }

    /** Returns the directory of this log. */
    public String directory() {
        return dir.toString();
    }

    /**
     * Returns true if batch {@code batchMillis} is committed: its entry exists and is whole. A
     * damaged entry (a crash while it was written) counts as not committed.
     */
    public boolean isCommitted(long batchMillis) {
        if (!committed.contains(batchMillis)) {
            // Not listed at open and not committed since (by the one writer): there is no entry to
            // read, so no file-system read per batch. A listed entry is still read, torn or not.
            return false;
        }
        try {
            Optional<byte[]> payload = ChecksummedFiles.read(fs, entry(batchMillis));
            if (payload.isEmpty()) {
                return false;
            }
            if (!matches(payload.get(), batchMillis)) {
                log.warn("output commit log entry {} does not record batch {} of output '{}': taken as not committed",
                        entry(batchMillis), batchMillis, uid);
                return false;
            }
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read output commit log entry " + entry(batchMillis), e);
        }
    }

    /**
     * Commits batch {@code batchMillis} (replacing a damaged entry of it), then deletes the entries
     * beyond the newest {@code retain}.
     *
     * @throws UncheckedIOException if the entry cannot be written
     */
    public void commit(long batchMillis) {
        Path file = entry(batchMillis);
        byte[] payload = ChecksummedFiles.payload(out -> {
            out.writeUTF(uid);
            out.writeLong(batchMillis);
        });
        try {
            if (!ChecksummedFiles.createIfAbsent(fs, file, payload)) {
                if (isCommitted(batchMillis)) {
                    return;
                }
                log.info("replacing damaged output commit log entry {}", file);
                fs.delete(file, false);
                if (!ChecksummedFiles.createIfAbsent(fs, file, payload)) {
                    throw new IOException("another writer created " + file + " at the same time");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write output commit log entry " + file + " of output '" + uid + "'", e);
        }
        committed.add(batchMillis);
        prune();
    }

    /** Returns the committed batch times this log holds, oldest first. */
    public SortedSet<Long> committed() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(committed));
    }

    private void prune() {
        while (committed.size() > retain) {
            long oldest = committed.first();
            committed.remove(oldest);
            try {
                if (localDir != null) {
                    // Hadoop's local delete stats the path through its own layers first.
                    Files.deleteIfExists(localDir.resolve(entryName(oldest)));
                } else {
                    fs.delete(entry(oldest), false);
                }
            } catch (FileNotFoundException e) {
                // already gone
            } catch (IOException e) {
                log.warn("could not delete old output commit log entry {}", entry(oldest), e);
            }
        }
    }

    private boolean matches(byte[] payload, long batchMillis) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
        return in.readUTF().equals(uid) && in.readLong() == batchMillis;
    }

    private Path entry(long batchMillis) {
        return new Path(dir, entryName(batchMillis));
    }

    /** Returns the file name of batch {@code batchMillis}'s entry: {@code %020d}, without a {@code Formatter} per batch. */
    static String entryName(long batchMillis) {
        String digits = Long.toString(batchMillis);
        return batchMillis < 0 || digits.length() >= 20 ? String.format("%020d", batchMillis)
                : "0".repeat(20 - digits.length()) + digits;
    }
}
