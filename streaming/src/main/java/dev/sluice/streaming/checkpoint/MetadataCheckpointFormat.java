package dev.sluice.streaming.checkpoint;

import dev.sluice.core.CheckpointException;
import dev.sluice.core.spi.InputBlock;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.checkpoint.InputAllocation.FileNames;
import dev.sluice.streaming.checkpoint.InputAllocation.OffsetRange;
import dev.sluice.streaming.checkpoint.InputAllocation.ReceivedBlocks;
import dev.sluice.streaming.checkpoint.InputAllocation.SourceOffsets;
import dev.sluice.streaming.checkpoint.MetadataCheckpoint.OperatorState;
import dev.sluice.streaming.checkpoint.MetadataCheckpoint.PendingBatch;
import dev.sluice.streaming.wal.ReceivedBlockHandle;
import dev.sluice.streaming.wal.WalPosition;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The binary format of a {@link MetadataCheckpoint} file (big-endian, strings as {@code
 * DataOutput.writeUTF}):
 *
 * <pre>
 * header, 16 bytes: magic "SLMC" | int version | int payload length | int CRC32C of the payload
 * payload (version 1):
 *   long checkpointTime | long batchIntervalMillis | long lastCompletedBatch
 *   int n, n x pending batch: long time | int m, m x (utf inputUid | allocation)
 *   int k, k x operator: utf uid | long stateTime | utf location | int partitions
 *   utf datasetCheckpointRunDir
 *   long zeroTime (version 2 and later; version 1 files read as zero time 0)
 * allocation: byte 1 (received blocks) | int n, n x block
 *             byte 2 (file names)      | int n, n x utf file
 *             byte 3 (source offsets)  | int n, n x (utf partition | long from | long until)
 * block:      byte 1 (in memory)       | int streamId | long sequence | long records
 *             byte 2 (logged)          | int streamId | long sequence | long records | long segment | long offset
 * </pre>
 *
 * <p>Maps are written sorted by key, so equal checkpoints give equal bytes. A reader refuses
 * any file that is short, long, of another magic or a newer version, or fails its CRC, naming
 * the path and what it expected and found. Why not Kryo or Java serialization of the record:
 * a field added to a class would silently change the format; here each version is explicit and
 * an older one can still be read.
 */
public final class MetadataCheckpointFormat {
    /** The version this build writes (and the newest it reads). */
    public static final int VERSION = 2;
    static final int MAGIC = 0x534C4D43; // "SLMC"
    static final int HEADER_BYTES = 16;

    private MetadataCheckpointFormat() {
    }

    /** Returns the bytes of the file of {@code checkpoint}. */
    public static byte[] toBytes(MetadataCheckpoint checkpoint) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writePayload(checkpoint, out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen: in-memory stream", e);
        }
        byte[] payload = bytes.toByteArray();
        return ByteBuffer.allocate(HEADER_BYTES + payload.length).putInt(MAGIC).putInt(VERSION)
                .putInt(payload.length).putInt(crc(payload)).put(payload).array();
    }

    /**
     * Returns the checkpoint in {@code file}, the bytes of the file at {@code path}.
     *
     * @throws CheckpointException if the bytes are not a whole, valid checkpoint
     */
    public static MetadataCheckpoint fromBytes(String path, byte[] file) {
        if (file.length < HEADER_BYTES) {
            throw new CheckpointException(path, "a header of " + HEADER_BYTES + " bytes",
                    "a file of " + file.length + " bytes (truncated or never completed)");
        }
        ByteBuffer header = ByteBuffer.wrap(file, 0, HEADER_BYTES);
        int magic = header.getInt();
        int version = header.getInt();
        int length = header.getInt();
        int crc = header.getInt();
        if (magic != MAGIC) {
            throw new CheckpointException(path, String.format("magic 0x%08x at offset 0", MAGIC),
                    String.format("0x%08x (not a Sluice metadata checkpoint, or damaged)", magic));
        }
        if (version < 1 || version > VERSION) {
            throw new CheckpointException(path, "format version 1.." + VERSION + " at offset 4",
                    version + " (written by a newer Sluice? upgrade this program to read it)");
        }
        if (length != file.length - HEADER_BYTES) {
            throw new CheckpointException(path, "a payload of " + length + " bytes (header at offset 8)",
                    (file.length - HEADER_BYTES) + " bytes after the header (truncated, or bytes appended)");
        }
        int actual = crc0(file, HEADER_BYTES, length);
        if (actual != crc) {
            throw new CheckpointException(path, String.format("payload CRC32C 0x%08x (header at offset 12)", crc),
                    String.format("0x%08x over offsets %d..%d (damaged)", actual, HEADER_BYTES, file.length));
        }
        return readPayload(path, version, file);
    }

    private static void writePayload(MetadataCheckpoint c, DataOutputStream out) throws IOException {
        out.writeLong(c.checkpointTime().millis());
        out.writeLong(c.batchInterval().toMillis());
        out.writeLong(c.lastCompletedBatch().millis());
        out.writeInt(c.pendingBatches().size());
        for (PendingBatch b : c.pendingBatches()) {
            out.writeLong(b.time().millis());
            out.writeInt(b.inputs().size());
            for (Map.Entry<String, InputAllocation> e : new TreeMap<>(b.inputs()).entrySet()) {
                out.writeUTF(e.getKey());
                writeAllocation(e.getValue(), out);
            }
        }
        out.writeInt(c.operators().size());
        for (OperatorState s : new TreeMap<>(c.operators()).values()) {
            out.writeUTF(s.uid());
            out.writeLong(s.stateTime().millis());
            out.writeUTF(s.location());
            out.writeInt(s.partitions());
        }
        out.writeUTF(c.datasetCheckpointRunDir());
        out.writeLong(c.zeroTime().millis());
    }

    private static void writeAllocation(InputAllocation a, DataOutputStream out) throws IOException {
        if (a instanceof ReceivedBlocks r) {
            out.writeByte(1);
            out.writeInt(r.blocks().size());
            for (ReceivedBlockHandle h : r.blocks()) {
                out.writeByte(h instanceof ReceivedBlockHandle.Logged ? 2 : 1);
                out.writeInt(h.id().streamId());
                out.writeLong(h.id().sequence());
                out.writeLong(h.records());
                if (h instanceof ReceivedBlockHandle.Logged l) {
                    out.writeLong(l.position().segment());
                    out.writeLong(l.position().offset());
                }
            }
        } else if (a instanceof FileNames f) {
            out.writeByte(2);
            out.writeInt(f.files().size());
            for (String file : f.files()) {
                out.writeUTF(file);
            }
        } else {
            SourceOffsets s = (SourceOffsets) a;
            out.writeByte(3);
            out.writeInt(s.ranges().size());
            for (OffsetRange r : s.ranges()) {
                out.writeUTF(r.partition());
                out.writeLong(r.from());
                out.writeLong(r.until());
            }
        }
    }

    private static MetadataCheckpoint readPayload(String path, int version, byte[] file) {
        DataInputStream in = new DataInputStream(
                new ByteArrayInputStream(file, HEADER_BYTES, file.length - HEADER_BYTES));
        try {
            Time time = Time.ofMillis(in.readLong());
            Duration interval = Duration.ofMillis(in.readLong());
            Time lastCompleted = Time.ofMillis(in.readLong());
            int pendingCount = count(in);
            List<PendingBatch> pending = new ArrayList<>(pendingCount);
            for (int i = 0; i < pendingCount; i++) {
                Time batch = Time.ofMillis(in.readLong());
                int inputs = count(in);
                Map<String, InputAllocation> allocations = new HashMap<>();
                for (int j = 0; j < inputs; j++) {
                    allocations.put(in.readUTF(), readAllocation(in));
                }
                pending.add(new PendingBatch(batch, allocations));
            }
            int operatorCount = count(in);
            Map<String, OperatorState> operators = new HashMap<>();
            for (int i = 0; i < operatorCount; i++) {
                OperatorState s = new OperatorState(in.readUTF(), Time.ofMillis(in.readLong()), in.readUTF(),
                        in.readInt());
                operators.put(s.uid(), s);
            }
            String runDir = in.readUTF();
            Time zero = version >= 2 ? Time.ofMillis(in.readLong()) : Time.ofMillis(0);
            if (in.available() > 0) {
                throw new IOException(in.available() + " bytes left after the last field");
            }
            return new MetadataCheckpoint(version, time, interval, lastCompleted, pending, operators, runDir, zero);
        } catch (IOException | RuntimeException e) {
            // The CRC matched, so this is a writer bug or a hand-made file, not disk damage.
            throw new CheckpointException(path, "cannot be decoded although its CRC matches: " + e, e);
        }
    }

    private static InputAllocation readAllocation(DataInputStream in) throws IOException {
        int kind = in.readByte();
        int n = count(in);
        switch (kind) {
            case 1: {
                List<ReceivedBlockHandle> blocks = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    int handleKind = in.readByte();
                    InputBlock id = new InputBlock(in.readInt(), in.readLong());
                    long records = in.readLong();
                    blocks.add(handleKind == 2
                            ? new ReceivedBlockHandle.Logged(id, records, new WalPosition(in.readLong(), in.readLong()))
                            : new ReceivedBlockHandle.InMemory(id, records));
                }
                return new ReceivedBlocks(blocks);
            }
            case 2: {
                List<String> files = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    files.add(in.readUTF());
                }
                return new FileNames(files);
            }
            case 3: {
                List<OffsetRange> ranges = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    ranges.add(new OffsetRange(in.readUTF(), in.readLong(), in.readLong()));
                }
                return new SourceOffsets(ranges);
            }
            default:
                throw new IOException("unknown input allocation kind " + kind);
        }
    }

    private static int count(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw new IOException("count " + n + " does not fit in the " + in.available() + " bytes left");
        }
        return n;
    }

    private static int crc(byte[] b) {
        return crc0(b, 0, b.length);
    }

    private static int crc0(byte[] b, int offset, int length) {
        CRC32C c = new CRC32C();
        c.update(b, offset, length);
        return (int) c.getValue();
    }
}
