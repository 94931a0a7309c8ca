package dev.sluice.streaming.statestore;

import dev.sluice.streaming.statestore.StateManifest.FileRef;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The files of the state checkpoints of one checkpoint directory, on any Hadoop file system.
 *
 * <h2>Layout</h2>
 * <pre>
 * &lt;checkpointDir&gt;/state/&lt;uid, URL-encoded&gt;/
 *     p00003-0000000000000012000-base.st    partition 3, a full copy of its state at batch 12000 ms
 *     p00003-0000000000000013000-delta.st   partition 3, what changed after the previous checkpoint
 *     ckpt-0000000000000013000.manifest     the checkpoint of batch 13000 ms: per partition its files
 * </pre>
 * A partition file: {@code MAGIC, FILE_VERSION, kind (base | delta | records), stateTime, since,
 * count}, then the entries in blocks ({@link EntryBlocks}: their times, then key and state per
 * entry, a {@code null} state a removal) or a Kryo record stream of the records, then the CRC-32
 * of everything before it. Version 1 files (written before the blocks) hold the {@code count}
 * times (8 bytes each), then one Kryo record stream of key, state, key, state, ...; they are
 * still read. A manifest: {@code MAGIC, MANIFEST_VERSION, uid, stateTime, base, partitions},
 * per partition its files (name, length, CRC-32, base, keys), then its own CRC-32. Partition
 * files are written first, the manifest last, to a temporary name renamed into place: the
 * rename is the commit.
 *
 * <p>Threading: stateless apart from the serializer and configuration; safe from any thread.
 */
public final class StateFiles {
    static final int FILE_MAGIC = 0x534c5354; // "SLST"
    static final int MANIFEST_MAGIC = 0x534c534d; // "SLSM"
    /** Partition files: 2 since the entries are written in blocks; 1 is still read. */
    static final int FILE_VERSION = 2;
    static final int MANIFEST_VERSION = 1;
    static final byte BASE = 0;
    static final byte DELTA = 1;
    static final byte RECORDS = 2;
    static final String MANIFEST_SUFFIX = ".manifest";

    private final String root;
    private final Serialization serializer;
    private final Configuration conf;

    /** How records become bytes and back: the engine's serializer (Kryo record streams). */
    public interface Serialization {
        /** Writes the records to {@code out}, leaving it open. */
        void writeAll(java.util.Iterator<?> records, OutputStream out);

        /** Reads every record from {@code in}. */
        List<Object> readAll(java.io.InputStream in);

        /** Reads the records from {@code in}, handing each over as it is read; returns how many. */
        long readEach(java.io.InputStream in, java.util.function.Consumer<Object> each);
    }

    /** The state files under {@code checkpointDir}. */
    public StateFiles(String checkpointDir, Serialization serializer, Configuration conf) {
        this.root = checkpointDir.endsWith("/") ? checkpointDir + "state" : checkpointDir + "/state";
        this.serializer = serializer;
        this.conf = conf;
    }

    /** Returns the state files under {@code checkpointDir}, with {@code services}' serializer and configuration. */
    public static StateFiles of(dev.sluice.core.spi.EngineServices services, String checkpointDir) {
        return new StateFiles(checkpointDir, new Serialization() {
            @Override
            public void writeAll(java.util.Iterator<?> records, OutputStream out) {
                services.writeRecords(records, out);
            }

            @Override
            public List<Object> readAll(java.io.InputStream in) {
                return services.readRecords(in);
            }

            @Override
            public long readEach(java.io.InputStream in, java.util.function.Consumer<Object> each) {
                return services.readEachRecord(in, each);
            }
        }, services.hadoopConf());
    }

    /** Returns the directory of {@code uid}'s files. */
    public Path dir(String uid) {
        return new Path(root + "/" + URLEncoder.encode(uid, StandardCharsets.UTF_8));
    }

    /** Returns true if {@code location} (an operator state's recorded location) is a state manifest. */
    public static boolean isManifest(String location) {
        return location.endsWith(MANIFEST_SUFFIX);
    }

    static String partitionFileName(int partition, long time, byte kind) {
        String k = kind == DELTA ? "delta" : kind == BASE ? "base" : "records";
        return String.format("p%05d-%019d-%s.st", partition, time, k);
    }

    static String manifestName(long time) {
        return String.format("ckpt-%019d%s", time, MANIFEST_SUFFIX);
    }

    /** Returns the batch time in a state file's name, or -1 if the name is not one of ours. */
    static long timeOf(String name) {
        try {
            if (name.startsWith("ckpt-")) {
                return Long.parseLong(name.substring(5, 24));
            }
            if (name.startsWith("p") && name.length() > 26) {
                return Long.parseLong(name.substring(7, 26));
            }
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            return -1;
        }
        return -1;
    }

    // ---------------------------------------------------------------- writing

    /**
     * One partition file ready to write: its first {@code length} bytes of {@code buffer} (the
     * CRC-32 at their end included), its CRC and entries.
     */
    record Encoded(byte[] buffer, int length, int crc, long keys) {
        /** Returns a copy of the file's bytes. */
        byte[] bytes() {
            return Arrays.copyOf(buffer, length);
        }
    }

    /** What was written to one partition file: its length, CRC and entries. */
    record Written(long length, int crc, long keys) {
    }

    /**
     * Encodes a base or delta in memory: the entries {@code entries} hands its visitor (a
     * {@code null} state is a removal), in a buffer sized for {@code expectedEntries} of
     * {@code bytesPerEntry} (estimates; the 8-byte times not included). The header's entry count
     * is filled in once they are known.
     */
    Encoded encodeEntries(Runnable pace, byte kind, long stateTime, long since, long expectedEntries,
                          int bytesPerEntry, Consumer<StateCodec.EntryVisitor> entries) {
        Buffer buffer = new Buffer((int) Math.min(Integer.MAX_VALUE - 16, HEADER_BYTES + 4 + 64
                + expectedEntries * (8 + Math.max(2, bytesPerEntry))));
        long count;
        try {
            count = writeEntriesTo(pace, buffer, kind, stateTime, since, -1, entries);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a state file in memory", e);
        }
        buffer.patchCount(count);
        return buffer.withCrc(count);
    }

    /**
     * Writes the header and the entries in blocks to {@code sink}; returns how many entries there
     * were. {@code count} is the header's entry count, or -1 for 0 now and the count patched later.
     */
    private long writeEntriesTo(Runnable pace, OutputStream sink, byte kind, long stateTime, long since, long count,
                                Consumer<StateCodec.EntryVisitor> entries) throws IOException {
        DataOutputStream out = new DataOutputStream(sink);
        header(out, kind, stateTime, since, Math.max(0, count));
        out.flush();
        EntryBlocks.Writer writer = new EntryBlocks.Writer(sink, serializer, pace);
        try {
            entries.accept(writer);
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        writer.finish();
        if (count >= 0 && writer.entries() != count) {
            throw new IllegalStateException("a state file of " + count + " entries was handed " + writer.entries());
        }
        return writer.entries();
    }

    /**
     * Writes a base or delta of {@code count} entries (those {@code entries} hands its visitor)
     * straight to {@code uid}'s file {@code name}, the CRC-32 computed on the way (no copy of the
     * file, nor an array of its entries, in memory), replacing a leftover of a failed attempt.
     */
    Written writeEntries(Runnable pace, String uid, String name, byte kind, long stateTime, long since, long count,
                         Consumer<StateCodec.EntryVisitor> entries) throws IOException {
        Path path = new Path(dir(uid), name);
        FileSystem fs = fs(path);
        CRC32 crc = new CRC32();
        long length;
        try (OutputStream file = fs.create(path, true)) {
            java.io.BufferedOutputStream buffered = new java.io.BufferedOutputStream(file, 1 << 16);
            java.util.zip.CheckedOutputStream checked = new java.util.zip.CheckedOutputStream(buffered, crc);
            CountingStream counted = new CountingStream(checked);
            writeEntriesTo(pace, counted, kind, stateTime, since, count, entries);
            counted.flush();
            int c = (int) crc.getValue();
            buffered.write(ByteBuffer.allocate(4).putInt(c).array());
            buffered.flush();
            length = counted.count + 4;
            return new Written(length, c, count);
        }
    }

    /** Counts the bytes written through it. */
    private static final class CountingStream extends java.io.FilterOutputStream {
        long count;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }

    /** Encodes a partition's records, in full. */
    Encoded encodeRecords(long stateTime, List<?> records) {
        Buffer buffer = new Buffer(1024);
        try {
            DataOutputStream out = new DataOutputStream(buffer);
            header(out, RECORDS, stateTime, Long.MIN_VALUE, records.size());
            out.flush();
            serializer.writeAll(records.iterator(), buffer);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a state file in memory", e);
        }
        return buffer.withCrc(records.size());
    }

    private static void header(DataOutputStream out, byte kind, long stateTime, long since, long count)
            throws IOException {
        out.writeInt(FILE_MAGIC);
        out.writeInt(FILE_VERSION);
        out.writeByte(kind);
        out.writeLong(stateTime);
        out.writeLong(since);
        out.writeLong(count);
    }

    /**
     * A byte buffer whose array is handed over as it is: an encoded delta of a large state is tens
     * of megabytes (a humongous array under G1), and copying it out, then again to append its CRC,
     * allocated it three times over.
     */
    private static final class Buffer extends ByteArrayOutputStream {
        Buffer(int capacity) {
            super(capacity);
        }

        /** Sets the entry count of the header at the start of the buffer. */
        void patchCount(long entries) {
            ByteBuffer.wrap(buf, HEADER_BYTES - 8, 8).putLong(entries);
        }

        /** Appends the CRC-32 of what it holds; returns the encoded file (its array, not a copy). */
        Encoded withCrc(long entries) {
            CRC32 crc = new CRC32();
            crc.update(buf, 0, count);
            int c = (int) crc.getValue();
            write(c >>> 24);
            write(c >>> 16);
            write(c >>> 8);
            write(c);
            return new Encoded(buf, count, c, entries);
        }
    }

    /**
     * Returns the file system of {@code path}; for a checksummed one (the local file system) its
     * raw file system: every state file carries its own CRC-32, a second checksum file per file
     * would only double the reads and the files.
     */
    private FileSystem fs(Path path) throws IOException {
        FileSystem fs = path.getFileSystem(conf);
        return fs instanceof org.apache.hadoop.fs.ChecksumFileSystem c ? c.getRawFileSystem() : fs;
    }

    /** Writes an encoded file to {@code uid}'s file {@code name}, replacing a leftover of a failed attempt. */
    Written write(String uid, String name, Encoded encoded) throws IOException {
        Path path = new Path(dir(uid), name);
        FileSystem fs = fs(path);
        try (OutputStream out = fs.create(path, true)) {
            out.write(encoded.buffer(), 0, encoded.length());
        }
        return new Written(encoded.length(), encoded.crc(), encoded.keys());
    }

    /** Writes the manifest to a temporary file and renames it into place: the commit. Returns its URI. */
    String commit(StateManifest manifest) throws IOException {
        Buffer buffer = new Buffer(256);
        DataOutputStream out = new DataOutputStream(buffer);
        out.writeInt(MANIFEST_MAGIC);
        out.writeInt(MANIFEST_VERSION);
        out.writeUTF(manifest.uid());
        out.writeLong(manifest.stateTime());
        out.writeBoolean(manifest.base());
        out.writeInt(manifest.partitions().size());
        for (List<FileRef> chain : manifest.partitions()) {
            out.writeInt(chain.size());
            for (FileRef f : chain) {
                out.writeUTF(f.name());
                out.writeLong(f.length());
                out.writeInt(f.crc());
                out.writeBoolean(f.base());
                out.writeLong(f.keys());
            }
        }
        out.flush();
        Encoded e = buffer.withCrc(0);
        Path dir = dir(manifest.uid());
        Path tmp = new Path(dir, "." + manifestName(manifest.stateTime()) + ".tmp");
        Path target = new Path(dir, manifestName(manifest.stateTime()));
        FileSystem fs = fs(dir);
        try (OutputStream o = fs.create(tmp, true)) {
            o.write(e.buffer(), 0, e.length());
        }
        fs.delete(target, false);
        if (!fs.rename(tmp, target)) {
            throw new IOException("cannot rename " + tmp + " to " + target);
        }
        return target.getFileSystem(conf).makeQualified(target).toString();
    }

    // ---------------------------------------------------------------- reading

    /** Reads and checks the manifest at {@code uri}. */
    public StateManifest readManifest(String uri) {
        byte[] bytes = readChecked(new Path(uri), -1, null);
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 0, bytes.length - 4));
            if (in.readInt() != MANIFEST_MAGIC) {
                throw new StateCheckpointException(uri, "is not a state manifest (wrong magic number)", null);
            }
            int version = in.readInt();
            if (version != MANIFEST_VERSION) {
                throw new StateCheckpointException(uri, "has format version " + version + "; this build reads "
                        + MANIFEST_VERSION, null);
            }
            String uid = in.readUTF();
            long time = in.readLong();
            boolean base = in.readBoolean();
            int n = in.readInt();
            List<List<FileRef>> partitions = new ArrayList<>(n);
            for (int p = 0; p < n; p++) {
                int files = in.readInt();
                List<FileRef> chain = new ArrayList<>(files);
                for (int f = 0; f < files; f++) {
                    chain.add(new FileRef(in.readUTF(), in.readLong(), in.readInt(), in.readBoolean(), in.readLong()));
                }
                partitions.add(chain);
            }
            return new StateManifest(uid, time, base, partitions);
        } catch (IOException e) {
            throw new StateCheckpointException(uri, "is truncated", e);
        }
    }

    /** Reads a file whole and checks its length (if {@code length >= 0}), CRC and, given, the expected CRC. */
    private byte[] readChecked(Path path, long length, Integer expectedCrc) {
        try {
            FileSystem fs = fs(path);
            byte[] bytes = new byte[(int) checkedLength(fs, path, length, 4, Integer.MAX_VALUE - 16)];
            try (FSDataInputStream in = fs.open(path)) {
                in.readFully(0, bytes);
            }
            CRC32 crc = new CRC32();
            crc.update(bytes, 0, bytes.length - 4);
            int stored = ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt();
            if ((int) crc.getValue() != stored || (expectedCrc != null && stored != expectedCrc)) {
                throw new StateCheckpointException(path.toString(), "fails its CRC-32 check (corrupt)", null);
            }
            return bytes;
        } catch (IOException e) {
            throw unreadable(path.toString(), e);
        }
    }

    /**
     * Returns the length of {@code path}, checked against the manifest's record of it (if
     * {@code expected >= 0}) and against what the file's format allows.
     */
    private static long checkedLength(FileSystem fs, Path path, long expected, long min, long max) throws IOException {
        long length = fs.getFileStatus(path).getLen();
        if (expected >= 0 && length != expected) {
            throw new StateCheckpointException(path.toString(), "has " + length + " bytes, its manifest recorded "
                    + expected, null);
        }
        if (length < min || length > max) {
            throw new StateCheckpointException(path.toString(), "has an impossible length " + length, null);
        }
        return length;
    }

    /** The error for a state file that could not be read: missing, truncated, or unreadable. */
    private static StateCheckpointException unreadable(String name, IOException e) {
        if (e instanceof FileNotFoundException) {
            return new StateCheckpointException(name, "is missing", e);
        }
        if (e instanceof EOFException) {
            return new StateCheckpointException(name, "is truncated", e);
        }
        return new StateCheckpointException(name, "cannot be read: " + e, e);
    }

    /** A partition file's header: its format version, what it holds and how many entries (or records). */
    private record Header(int version, byte kind, long count) {
    }

    /** Reads and checks a partition file's header (magic and version). */
    private static Header readHeader(String name, DataInputStream in) throws IOException {
        if (in.readInt() != FILE_MAGIC) {
            throw new StateCheckpointException(name, "is not a state file (wrong magic number)", null);
        }
        int version = in.readInt();
        if (version < 1 || version > FILE_VERSION) {
            throw new StateCheckpointException(name, "has format version " + version + "; this build reads 1 to "
                    + FILE_VERSION, null);
        }
        byte kind = in.readByte();
        in.readLong(); // state time
        in.readLong(); // since
        return new Header(version, kind, in.readLong());
    }

    /** Reads a records file (updateStateByKey, windows) whole: its records. */
    private List<Object> readRecordsFile(Path path, FileRef ref) {
        byte[] bytes = readChecked(path, ref.length(), ref.crc());
        try {
            Header header = readHeader(path.toString(), new DataInputStream(new ByteArrayInputStream(bytes, 0,
                    bytes.length - 4)));
            if (header.kind() != RECORDS) {
                throw new StateCheckpointException(path.toString(), "is not a records file (kind " + header.kind()
                        + ")", null);
            }
            List<Object> objects = serializer.readAll(new ByteArrayInputStream(bytes, HEADER_BYTES,
                    bytes.length - 4 - HEADER_BYTES));
            if (objects.size() != header.count()) {
                throw new StateCheckpointException(path.toString(), "holds " + objects.size() + " objects, its header "
                        + "says " + header.count(), null);
            }
            return objects;
        } catch (IOException | RuntimeException e) {
            if (e instanceof StateCheckpointException s) {
                throw s;
            }
            throw new StateCheckpointException(path.toString(), "cannot be decoded: " + e.getMessage(), e);
        }
    }

    /**
     * Reads partition {@code partition} of {@code manifest} back through {@code codec}'s loader:
     * its base's entries, then each delta's changes, oldest first (a later change of a key
     * replaces an earlier one, a removal deletes it). Every file is streamed, decoded entry by
     * entry straight into the loader, its CRC-32 computed on the way and checked at its end
     * before the partition is returned (no copy of the file, no list of its objects); a records
     * codec gets the records of its single file.
     *
     * @throws StateCheckpointException naming the file if one is missing, truncated or corrupt
     */
    public <T> List<T> loadPartition(StateManifest manifest, int partition, StateCodec<T> codec) {
        Path dir = dir(manifest.uid());
        List<FileRef> chain = manifest.partitions().get(partition);
        if (!codec.incremental()) {
            @SuppressWarnings("unchecked")
            List<T> records = (List<T>) (List<?>) readRecordsFile(new Path(dir, chain.get(0).name()), chain.get(0));
            return records;
        }
        FileRef base = chain.get(0);
        StateCodec.Loader<T> loader = codec.loader(Math.max(16, base.keys()));
        Path basePath = new Path(dir, base.name());
        streamEntries(basePath, base, (key, state, time) -> {
            if (state == null) {
                throw new StateCheckpointException(basePath.toString(), "holds a removal, which a base cannot", null);
            }
            loader.add(key, state, time);
        });
        for (int f = 1; f < chain.size(); f++) {
            streamEntries(new Path(dir, chain.get(f).name()), chain.get(f), loader::apply);
        }
        return loader.build();
    }

    /**
     * Streams the entries of a base or delta file to {@code sink}, in file order, checking its
     * length, header, entry count and CRC-32 (the CRC only at the end: a caller discards what it
     * built from a file that then fails). A file that cannot be decoded is reported as corrupt
     * if its CRC fails too, else as undecodable.
     */
    private void streamEntries(Path path, FileRef ref, StateCodec.EntryVisitor sink) {
        String name = path.toString();
        try {
            FileSystem fs = fs(path);
            long length = checkedLength(fs, path, ref.length(), HEADER_BYTES + 4, Long.MAX_VALUE);
            CRC32 crc = new CRC32();
            try (FSDataInputStream raw = fs.open(path)) {
                java.io.BufferedInputStream buffered = new java.io.BufferedInputStream(raw, 1 << 16);
                java.util.zip.CheckedInputStream checked = new java.util.zip.CheckedInputStream(
                        com.google.common.io.ByteStreams.limit(buffered, length - 4), crc);
                RuntimeException failure = null;
                try {
                    decodeEntries(name, length, new DataInputStream(checked), checked, sink);
                } catch (StateCheckpointException e) {
                    failure = e;
                } catch (RuntimeException e) {
                    failure = new StateCheckpointException(name, "cannot be decoded: " + e.getMessage(), e);
                }
                checked.transferTo(java.io.OutputStream.nullOutputStream()); // the rest, for the CRC
                int stored = new DataInputStream(buffered).readInt();
                if ((int) crc.getValue() != stored || stored != ref.crc()) {
                    throw new StateCheckpointException(name, "fails its CRC-32 check (corrupt)", failure);
                }
                if (failure != null) {
                    throw failure;
                }
            }
        } catch (IOException e) {
            throw unreadable(name, e);
        }
    }

    /** Bytes of a partition file's header: magic, version, kind, stateTime, since, count. */
    private static final int HEADER_BYTES = 4 + 4 + 1 + 8 + 8 + 8;

    /** Decodes the header, the times and the entries of a base or delta file (blocks, or in version 1 one record stream). */
    private void decodeEntries(String name, long length, DataInputStream in, java.io.InputStream body,
                               StateCodec.EntryVisitor sink) throws IOException {
        Header header = readHeader(name, in);
        long count = header.count();
        if (header.kind() != BASE && header.kind() != DELTA) {
            throw new StateCheckpointException(name, "is not a base or delta file (kind " + header.kind() + ")", null);
        }
        if (count < 0 || count * 8 > length - HEADER_BYTES - 4) {
            throw new StateCheckpointException(name, "has an impossible entry count " + count, null);
        }
        if (header.version() >= 2) {
            EntryBlocks.read(name, body, count, serializer, sink::visit);
            return;
        }
        long[] times = new long[(int) count];
        byte[] block = new byte[8 * 4096];
        ByteBuffer tb = ByteBuffer.wrap(block);
        for (int i = 0; i < count; ) {
            int n = (int) Math.min(4096, count - i);
            in.readFully(block, 0, 8 * n);
            tb.clear();
            for (int j = 0; j < n; j++) {
                times[i++] = tb.getLong();
            }
        }
        long[] next = {0};
        Object[] key = {null};
        long objects = serializer.readEach(body, o -> {
            long n = next[0]++;
            if ((n & 1) == 0) {
                key[0] = o;
                return;
            }
            long entry = n >> 1;
            if (entry >= count) {
                throw new StateCheckpointException(name, "holds more entries than its header's " + count, null);
            }
            sink.visit(key[0], o, times[(int) entry]);
        });
        if (objects != 2 * count) {
            throw new StateCheckpointException(name, "holds " + objects + " objects, its header says " + 2 * count,
                    null);
        }
    }

    /** Lists the names of {@code uid}'s files (empty if none). */
    List<String> list(String uid) throws IOException {
        Path dir = dir(uid);
        FileSystem fs = fs(dir);
        List<String> names = new ArrayList<>();
        try {
            for (FileStatus s : fs.listStatus(dir)) {
                names.add(s.getPath().getName());
            }
        } catch (FileNotFoundException e) {
            return names;
        }
        return names;
    }

    /** Deletes {@code uid}'s file {@code name}. */
    void delete(String uid, String name) throws IOException {
        Path path = new Path(dir(uid), name);
        fs(path).delete(path, false);
    }

    /** Returns the bytes of every file under the state directory (for the benchmark). */
    public long bytesOnDisk() throws IOException {
        Path dir = new Path(root);
        FileSystem fs = dir.getFileSystem(conf);
        if (!fs.exists(dir)) {
            return 0;
        }
        return fs.getContentSummary(dir).getLength();
    }
}
