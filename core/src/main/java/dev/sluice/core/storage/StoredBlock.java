package dev.sluice.core.storage;

import java.nio.file.Path;
import java.util.List;

/** What the {@link BlockStore} holds for one block, by where the records live. */
sealed interface StoredBlock {

    /** Returns the heap bytes this entry holds as serialized data; 0 for objects and files. */
    long memoryBytes();

    /** The caller's list itself, immutable and unshared. */
    record Values(List<?> values) implements StoredBlock {
        @Override
        public long memoryBytes() {
            return 0;
        }
    }

    /** Kryo bytes on the heap. */
    record Bytes(byte[] bytes) implements StoredBlock {
        @Override
        public long memoryBytes() {
            return bytes.length;
        }
    }

    /** Kryo bytes in a file, with the length and CRC32 written, to detect a changed file. */
    record DiskFile(Path path, long length, long crc32) implements StoredBlock {
        @Override
        public long memoryBytes() {
            return 0;
        }
    }
}
