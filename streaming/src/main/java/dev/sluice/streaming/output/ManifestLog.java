package dev.sluice.streaming.output;

import static com.google.common.base.Preconditions.checkNotNull;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The manifest of a file sink's output directory, {@code <dir>/_manifest/}: one entry file per
 * committed batch ({@code %020d} of the batch id) listing the batch's data files. Committing a
 * batch is creating its entry, once, under its final name (create-if-absent: no rename, so a
 * store where rename is a copy is as safe as HDFS); the entry is framed with a CRC, so one torn by
 * a crash, or still being written when a reader lists it, reads as absent. Readers that go
 * through the manifest therefore see each batch's files once or not at all, never a partial
 * batch, and never the files of an attempt that was not committed. The file {@value #OWNER} holds
 * the uid of the output that writes the directory, so two outputs cannot share it.
 *
 * <p>Threading: one writer (the job thread); any number of readers.
 */
public final class ManifestLog {
    /** The manifest directory under the output directory. */
    public static final String DIRECTORY = "_manifest";
    /** The file naming the output that owns the directory. */
    public static final String OWNER = "_output";
    private static final Pattern ENTRY = Pattern.compile("\\d{20}");

    private final Path outputDir;
    private final Path dir;
    private final FileSystem fs;

    private ManifestLog(Path outputDir, FileSystem fs) {
        this.outputDir = outputDir;
        this.dir = new Path(outputDir, DIRECTORY);
        this.fs = fs;
    }

    /**
     * A committed batch: its id, the uid of the output that committed it, and its data file names
     * (relative to the output directory), in partition order.
     */
    public record Entry(long batchId, String outputUid, List<String> files) {
        /** Copies the files. */
        public Entry {
            checkNotNull(outputUid, "outputUid");
            files = List.copyOf(files);
        }
    }

    /**
     * Returns the manifest of output directory {@code outputDir}.
     *
     * @throws UncheckedIOException if its file system cannot be reached
     */
    public static ManifestLog of(String outputDir, Configuration conf) {
        Path path = new Path(checkNotNull(outputDir, "outputDir"));
        try {
            return new ManifestLog(path, ChecksummedFiles.fileSystem(path, conf));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach the file system of output directory " + outputDir, e);
        }
    }

    /** Returns the output directory's file system (the raw one for a local directory). */
    public FileSystem fileSystem() {
        return fs;
    }

    /** Returns the output directory. */
    public Path outputDir() {
        return outputDir;
    }

    /**
     * Makes output {@code uid} the owner of the directory, or checks that it is.
     *
     * @throws IllegalStateException if another output owns it
     */
    public void claim(String uid) throws IOException {
        fs.mkdirs(dir);
        Path owner = new Path(dir, OWNER);
        byte[] payload = ChecksummedFiles.payload(out -> out.writeUTF(uid));
        if (ChecksummedFiles.createIfAbsent(fs, owner, payload)) {
            return;
        }
        Optional<byte[]> found = ChecksummedFiles.read(fs, owner);
        String other = found.isEmpty() ? null : new DataInputStream(new ByteArrayInputStream(found.get())).readUTF();
        if (!uid.equals(other)) {
            throw new IllegalStateException("output directory " + outputDir + " is written by output '" + other
                    + "' (its " + DIRECTORY + "/" + OWNER + " says so), not by '" + uid + "': give each output its "
                    + "own directory, or keep the output's uid when the program changes");
        }
    }

    /** Returns the committed entry of batch {@code batchId}, or empty if it has none (or a torn one). */
    public Optional<Entry> entry(long batchId) throws IOException {
        Optional<byte[]> payload = ChecksummedFiles.read(fs, entryPath(batchId));
        return payload.isEmpty() ? Optional.empty() : Optional.of(decode(payload.get()));
    }

    /**
     * Commits {@code entry}: creates its file unless a whole entry of the batch exists (which wins);
     * a torn one is replaced. Returns the entry in force.
     */
    public Entry commit(Entry entry) throws IOException {
        Path path = entryPath(entry.batchId());
        byte[] payload = ChecksummedFiles.payload(out -> {
            out.writeLong(entry.batchId());
            out.writeUTF(entry.outputUid());
            out.writeInt(entry.files().size());
            for (String f : entry.files()) {
                out.writeUTF(f);
            }
        });
        fs.mkdirs(dir);
        if (ChecksummedFiles.createIfAbsent(fs, path, payload)) {
            return entry;
        }
        Optional<Entry> existing = entry(entry.batchId());
        if (existing.isPresent()) {
            return existing.get();
        }
        fs.delete(path, false);
        if (!ChecksummedFiles.createIfAbsent(fs, path, payload)) {
            throw new IOException("another writer created manifest entry " + path + " at the same time");
        }
        return entry;
    }

    /** Returns every committed entry, by batch id; torn and damaged entries are left out. */
    public SortedMap<Long, Entry> committed() throws IOException {
        SortedMap<Long, Entry> out = new TreeMap<>();
        FileStatus[] listing;
        try {
            listing = fs.listStatus(dir);
        } catch (FileNotFoundException e) {
            return out;
        }
        for (FileStatus s : listing) {
            String name = s.getPath().getName();
            if (ENTRY.matcher(name).matches()) {
                long id = Long.parseLong(name);
                entry(id).ifPresent(e -> out.put(id, e));
            }
        }
        return out;
    }

    /** Returns the path of data file {@code name} of this directory. */
    public Path file(String name) {
        return new Path(outputDir, name);
    }

    private Path entryPath(long batchId) {
        return new Path(dir, String.format("%020d", batchId));
    }

    private static Entry decode(byte[] payload) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
        long id = in.readLong();
        String uid = in.readUTF();
        int n = in.readInt();
        List<String> files = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            files.add(in.readUTF());
        }
        return new Entry(id, uid, files);
    }
}
