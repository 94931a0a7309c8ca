package dev.sluice.streaming.output;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.zip.CRC32;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * Small files that commit something by existing, written once under their final name (create if
 * absent, never rename, so a store without atomic rename is as safe as HDFS) and framed so that a
 * torn or damaged file reads as absent: magic, payload length, payload, CRC32 of the payload.
 * A reader that finds a file still being written (HDFS shows a file while it is written) sees a
 * short or unchecked frame and treats it as absent too.
 */
final class ChecksummedFiles {
    private static final int MAGIC = 0x534C4F43; // "SLOC"
    private static final int MAX_PAYLOAD = 64 << 20;

    private ChecksummedFiles() {
    }

    /**
     * Returns the file system of {@code path}: for a local path the raw one, since the frame has its
     * own CRC (Hadoop's {@code .crc} side files would double the writes).
     */
    static FileSystem fileSystem(Path path, Configuration conf) throws IOException {
        FileSystem fs = path.getFileSystem(conf);
        return fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
    }

    /**
     * Returns {@code path} on the local file system when {@code fs} is Hadoop's raw local one (not a
     * subclass, which may change how files are written), so that it can be written and deleted by
     * {@code java.nio} directly; else null.
     */
    static java.nio.file.Path localPath(FileSystem fs, Path path) {
        return fs instanceof RawLocalFileSystem raw && raw.getClass() == RawLocalFileSystem.class
                ? raw.pathToFile(path).toPath() : null;
    }

    /** Returns {@code payload} framed. */
    static byte[] frame(byte[] payload) {
        CRC32 crc = new CRC32();
        crc.update(payload);
        return ByteBuffer.allocate(12 + payload.length).putInt(MAGIC).putInt(payload.length).put(payload)
                .putInt((int) crc.getValue()).array();
    }

    /** Returns the payload of {@code bytes}, or empty if they are not one whole, valid frame. */
    static Optional<byte[]> unframe(byte[] bytes) {
        if (bytes.length < 12) {
            return Optional.empty();
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        int length = in.getInt(4);
        if (in.getInt(0) != MAGIC || length < 0 || length > MAX_PAYLOAD || bytes.length != 12 + length) {
            return Optional.empty();
        }
        byte[] payload = new byte[length];
        in.position(8);
        in.get(payload);
        CRC32 crc = new CRC32();
        crc.update(payload);
        return in.getInt() == (int) crc.getValue() ? Optional.of(payload) : Optional.empty();
    }

    /**
     * Creates {@code path} holding {@code payload} framed, unless it exists.
     *
     * @return false if the file already existed (nothing was written)
     */
    static boolean createIfAbsent(FileSystem fs, Path path, byte[] payload) throws IOException {
        byte[] bytes = frame(payload);
        try {
            java.nio.file.Path local = localPath(fs, path);
            if (local != null) {
                // Hadoop's local create forks chmod when its native library is absent (~4 ms a file).
                Files.write(local, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                return true;
            }
            try (FSDataOutputStream out = fs.create(path, false)) {
                out.write(bytes);
            }
            return true;
        } catch (FileAlreadyExistsException | org.apache.hadoop.fs.FileAlreadyExistsException e) {
            return false;
        }
    }

    /** Returns the payload of {@code path}: empty if the file does not exist or is not a whole valid frame. */
    static Optional<byte[]> read(FileSystem fs, Path path) throws IOException {
        byte[] bytes;
        try (InputStream in = fs.open(path)) {
            bytes = in.readAllBytes();
        } catch (FileNotFoundException e) {
            return Optional.empty();
        }
        return unframe(bytes);
    }

    /** Returns a payload writer's bytes; for the callers' small binary payloads. */
    static byte[] payload(PayloadWriter writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writer.write(out);
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        return bytes.toByteArray();
    }

    /** Writes a payload. */
    @FunctionalInterface
    interface PayloadWriter {
        void write(DataOutputStream out) throws IOException;
    }
}
