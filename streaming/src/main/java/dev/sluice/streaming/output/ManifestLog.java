package dev.sluice.streaming.output;

import static com.google.common.base.Preconditions.checkNotNull;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The manifest of a file output, a directory of small files: one entry per committed batch
 * ({@code %020d} of the batch id) listing the batch's data files, and now and then a compacted
 * snapshot ({@code compact-%010d}, a sequence number) holding every entry committed up to then.
 *
 * <p>Design notes. Committing a batch is creating its entry, once, under its final name
 * (create-if-absent: no rename, so a store where rename is a copy is as safe as HDFS); every file
 * is framed with a CRC, so one torn by a crash, or still being written when a reader lists it,
 * reads as absent. A reader starts from the newest whole snapshot and adds every whole entry it
 * does not hold (a union by batch id, so an entry committed after a snapshot, even of an older
 * batch, is seen once). Compaction writes the next snapshot and only then deletes the entries and
 * older snapshots it covers; a crash at any step leaves either the old snapshot and all entries,
 * or the new snapshot (whole) and some leftovers it covers. A reader that finds a listed file gone
 * (deleted by a compaction after its listing) lists again. The file {@value #OWNER} holds the uid
 * of the output that writes the manifest, so two outputs cannot share it.
 *
 * <p>Threading: one writer (the job thread); any number of readers, in any process.
 */
public final class ManifestLog {
    /** The manifest directory of a {@code ManifestFileSink} output directory. */
    public static final String DIRECTORY = "_manifest";
    /** The file naming the output that owns the manifest. */
    public static final String OWNER = "_output";
    private static final Pattern ENTRY = Pattern.compile("\\d{20}");
    private static final Pattern SNAPSHOT = Pattern.compile("compact-(\\d{10})");
    private static final int FORMAT = 2;
    private static final int MAX_LISTINGS = 50;

    private final Path baseDir;
    private final Path dir;
    private final FileSystem fs;

    private ManifestLog(Path baseDir, Path dir, FileSystem fs) {
        this.baseDir = baseDir;
        this.dir = dir;
        this.fs = fs;
    }

    /**
     * A committed batch: its id, the uid of the output that committed it, the application that
     * wrote it (see {@code OutputContext}), and its data file names relative to the base directory,
     * in partition order.
     */
    public record Entry(long batchId, String outputUid, String writer, List<String> files) {
        /** Copies the files. */
        public Entry {
            checkNotNull(outputUid, "outputUid");
            checkNotNull(writer, "writer");
            files = List.copyOf(files);
        }
    }

    /**
     * What a listing of the manifest found: every committed entry by batch id, the newest whole
     * snapshot's sequence number (-1 if none), the highest sequence number of any snapshot file
     * (torn ones too), the number of whole entries the snapshot does not hold, and every entry or
     * snapshot file other than the newest whole snapshot (removable once a newer snapshot holds
     * all of {@code committed}).
     */
    public record Listing(SortedMap<Long, Entry> committed, int snapshot, int highestSnapshot, int looseEntries,
                          List<Path> files) {
        /** Copies. */
        public Listing {
            committed = Collections.unmodifiableSortedMap(new TreeMap<>(committed));
            files = List.copyOf(files);
        }
    }

    /**
     * Returns the manifest {@code _manifest/} of output directory {@code outputDir}, whose data
     * files are named relative to {@code outputDir}.
     *
     * @throws UncheckedIOException if its file system cannot be reached
     */
    public static ManifestLog of(String outputDir, Configuration conf) {
        Path path = new Path(checkNotNull(outputDir, "outputDir"));
        return of(path, DIRECTORY, conf);
    }

    /**
     * Returns the manifest {@code manifestName} under {@code baseDir}, whose data files are named
     * relative to {@code baseDir}.
     *
     * @throws UncheckedIOException if its file system cannot be reached
     */
    public static ManifestLog of(Path baseDir, String manifestName, Configuration conf) {
        try {
            FileSystem fs = ChecksummedFiles.fileSystem(baseDir, conf);
            Path base = fs.makeQualified(baseDir);
            return new ManifestLog(base, new Path(base, manifestName), fs);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach the file system of output directory " + baseDir, e);
        }
    }

    /** Returns the base directory's file system (the raw one for a local directory). */
    public FileSystem fileSystem() {
        return fs;
    }

    /** Returns the directory the data files are named relative to. */
    public Path outputDir() {
        return baseDir;
    }

    /** Returns the manifest directory. */
    public Path directory() {
        return dir;
    }

    /**
     * Makes output {@code uid} the owner of the manifest, or checks that it is.
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
            throw new IllegalStateException("output directory " + baseDir + " is written by output '" + other
                    + "' (its manifest " + owner + " says so), not by '" + uid + "': give each output its own "
                    + "directory, or keep the output's uid when the program changes");
        }
    }

    /** Returns the whole entry file of batch {@code batchId}, or empty if there is none (or a torn one). */
    public Optional<Entry> entry(long batchId) throws IOException {
        Path path = entryPath(batchId);
        Optional<byte[]> payload = ChecksummedFiles.read(fs, path);
        return payload.isEmpty() ? Optional.empty() : Optional.of(decodeEntry(payload.get(), path));
    }

    /**
     * Commits {@code entry}: creates its file unless a whole entry file of the batch exists (which
     * wins); a torn one is replaced. Returns the entry in force. The caller checks the snapshot
     * first (an entry a snapshot holds is committed even when its file is gone).
     */
    public Entry commit(Entry entry) throws IOException {
        Path path = entryPath(entry.batchId());
        byte[] payload = ChecksummedFiles.payload(out -> writeEntry(out, entry));
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
        return list().committed();
    }

    /**
     * Lists the manifest: the newest whole snapshot plus every whole entry it does not hold. Lists
     * again when a listed file it needs is gone (a compaction deleted it meanwhile).
     *
     * @throws IOException if the manifest cannot be read, or kept changing over many listings
     */
    public Listing list() throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return listOnce();
            } catch (FileNotFoundException e) {
                if (attempt == MAX_LISTINGS) {
                    throw new IOException("manifest " + dir + " changed under " + MAX_LISTINGS + " listings in a row "
                            + "(files deleted by compaction while it was read): " + e.getMessage(), e);
                }
            }
        }
    }

    private Listing listOnce() throws IOException {
        FileStatus[] statuses;
        try {
            statuses = fs.listStatus(dir);
        } catch (FileNotFoundException e) {
            return new Listing(new TreeMap<>(), -1, -1, 0, List.of());
        }
        TreeMap<Long, Path> entries = new TreeMap<>();
        TreeMap<Integer, Path> snapshots = new TreeMap<>();
        for (FileStatus s : statuses) {
            String name = s.getPath().getName();
            Matcher m = SNAPSHOT.matcher(name);
            if (ENTRY.matcher(name).matches()) {
                entries.put(Long.parseLong(name), s.getPath());
            } else if (m.matches()) {
                snapshots.put(Integer.parseInt(m.group(1)), s.getPath());
            }
        }
        SortedMap<Long, Entry> committed = new TreeMap<>();
        List<Path> removable = new ArrayList<>();
        int snapshot = -1;
        for (Map.Entry<Integer, Path> s : snapshots.descendingMap().entrySet()) {
            Optional<byte[]> payload = snapshot < 0 ? readListed(s.getValue()) : Optional.empty();
            if (payload.isPresent()) {
                decodeSnapshot(payload.get(), s.getValue()).forEach(e -> committed.put(e.batchId(), e));
                snapshot = s.getKey();
            } else {
                removable.add(s.getValue());
            }
        }
        int loose = 0;
        for (Map.Entry<Long, Path> e : entries.entrySet()) {
            removable.add(e.getValue());
            if (!committed.containsKey(e.getKey())) {
                Optional<byte[]> payload = readListed(e.getValue());
                if (payload.isPresent()) {
                    committed.put(e.getKey(), decodeEntry(payload.get(), e.getValue()));
                    loose++;
                }
            }
        }
        return new Listing(committed, snapshot, snapshots.isEmpty() ? -1 : snapshots.lastKey(), loose, removable);
    }

    /**
     * Writes the next snapshot, holding every entry of {@code listing} (taken by this writer just
     * before, with no commit since), then deletes the entries and snapshots it makes redundant.
     * A crash before the snapshot is whole changes nothing readers see; one after it leaves
     * leftovers that the next compaction deletes.
     */
    public void compact(Listing listing) throws IOException {
        Path path = snapshotPath(listing.highestSnapshot() + 1);
        Collection<Entry> entries = listing.committed().values();
        byte[] payload = ChecksummedFiles.payload(out -> {
            out.writeInt(FORMAT);
            out.writeInt(entries.size());
            for (Entry e : entries) {
                writeEntry(out, e);
            }
        });
        if (!ChecksummedFiles.createIfAbsent(fs, path, payload)) {
            throw new IOException("manifest snapshot " + path + " exists already: is a second writer at work?");
        }
        for (Path p : listing.files()) {
            fs.delete(p, false);
        }
        if (listing.snapshot() >= 0) {
            fs.delete(snapshotPath(listing.snapshot()), false);
        }
    }

    /** Returns the path of data file {@code name} of this output. */
    public Path file(String name) {
        return new Path(baseDir, name);
    }

    private Path snapshotPath(int seq) {
        return new Path(dir, String.format("compact-%010d", seq));
    }

    private Path entryPath(long batchId) {
        return new Path(dir, String.format("%020d", batchId));
    }

    /** Reads a file a listing named: gone (deleted since) is {@link FileNotFoundException}, torn is empty. */
    private Optional<byte[]> readListed(Path path) throws IOException {
        Optional<byte[]> payload = ChecksummedFiles.read(fs, path);
        if (payload.isEmpty() && !fs.exists(path)) {
            throw new FileNotFoundException(path + " was listed, then deleted");
        }
        return payload;
    }

    private static void writeEntry(DataOutputStream out, Entry entry) throws IOException {
        out.writeInt(FORMAT);
        out.writeLong(entry.batchId());
        out.writeUTF(entry.outputUid());
        out.writeUTF(entry.writer());
        out.writeInt(entry.files().size());
        for (String f : entry.files()) {
            out.writeUTF(f);
        }
    }

    private static Entry readEntry(DataInputStream in, Path path) throws IOException {
        int format = in.readInt();
        if (format != FORMAT) {
            throw new IOException("manifest file " + path + " has format " + format + ", expected " + FORMAT
                    + "; it was written by another version of Sluice");
        }
        long id = in.readLong();
        String uid = in.readUTF();
        String writer = in.readUTF();
        int n = in.readInt();
        List<String> files = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            files.add(in.readUTF());
        }
        return new Entry(id, uid, writer, files);
    }

    private static Entry decodeEntry(byte[] payload, Path path) throws IOException {
        return readEntry(new DataInputStream(new ByteArrayInputStream(payload)), path);
    }

    private static List<Entry> decodeSnapshot(byte[] payload, Path path) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
        int format = in.readInt();
        if (format != FORMAT) {
            throw new IOException("manifest snapshot " + path + " has format " + format + ", expected " + FORMAT);
        }
        int n = in.readInt();
        List<Entry> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(readEntry(in, path));
        }
        return out;
    }
}
