package dev.sluice.core.storage;

import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import dev.sluice.core.SluiceException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.CRC32;

/**
 * The files of on-disk blocks, one per block, named by {@link BlockId#name()}, in a directory
 * owned by one {@link BlockStore}.
 *
 * <p>A file is written under a temporary name and renamed into place, so a reader never sees a
 * half-written file; the length and CRC32 kept in {@link StoredBlock.DiskFile} detect a file
 * that was later cut, changed or replaced.
 */
final class BlockFiles {
    private final Path dir;

    BlockFiles(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    /** Writes {@code bytes} as the file of {@code id}, creating the directory on first use. */
    StoredBlock.DiskFile write(BlockId id, byte[] bytes) {
        Path file = dir.resolve(id.name());
        Path temp = null;
        try {
            Files.createDirectories(dir);
            temp = Files.createTempFile(dir, "." + id.name() + ".", ".tmp");
            Files.write(temp, bytes);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            return new StoredBlock.DiskFile(file, bytes.length, crc32(bytes));
        } catch (IOException e) {
            deleteQuietly(temp);
            throw new SluiceException(String.format("cannot write block %s to %s: %s", id.name(), file, e), e);
        }
    }

    /** Returns the file's bytes, or throws if the file is gone or no longer what was written. */
    byte[] read(StoredBlock.DiskFile block) throws IOException {
        byte[] bytes = Files.readAllBytes(block.path());
        if (bytes.length != block.length()) {
            throw new IOException(String.format("expected %d bytes, found %d", block.length(), bytes.length));
        }
        long crc = crc32(bytes);
        if (crc != block.crc32()) {
            throw new IOException(String.format("expected CRC32 %08x, found %08x", block.crc32(), crc));
        }
        return bytes;
    }

    void delete(StoredBlock.DiskFile block) throws IOException {
        Files.deleteIfExists(block.path());
    }

    /** Deletes the directory and everything in it; nothing to do if it was never created. */
    void deleteAll() throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            MoreFiles.deleteRecursively(dir, RecursiveDeleteOption.ALLOW_INSECURE);
        } catch (NoSuchFileException e) {
            // Never created: no DISK block was put.
        }
    }

    private static void deleteQuietly(Path temp) {
        if (temp != null) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException suppressed) {
                // The write already failed; that failure is the one to report.
            }
        }
    }

    private static long crc32(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }
}
