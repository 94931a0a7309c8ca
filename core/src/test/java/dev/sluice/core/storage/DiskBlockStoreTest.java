package dev.sluice.core.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.StorageLevel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class DiskBlockStoreTest extends BlockStoreContract {
    private static final BlockId BLOCK = new DatasetBlockId(4, 2);

    @Override
    StorageLevel level() {
        return StorageLevel.DISK;
    }

    @Test
    void put_disk_createsDirectoryLazilyAndNamesFileByBlock() throws IOException {
        assertThat(diskDir).doesNotExist();

        store.put(BLOCK, List.of(1, 2), level());

        assertThat(fileOf(BLOCK)).isPresent();
        assertThat(blockFiles()).hasSize(1);
    }

    @Test
    void remove_disk_deletesFile() throws IOException {
        store.put(BLOCK, List.of(1, 2), level());

        store.remove(BLOCK);

        assertThat(blockFiles()).isEmpty();
    }

    @Test
    void get_fileDeleted_returnsEmptyAndForgetsBlock() throws IOException {
        store.put(BLOCK, List.of(1, 2), level());
        Files.delete(fileOf(BLOCK).orElseThrow());

        assertThat(store.get(BLOCK)).isEmpty();
        assertThat(store.contains(BLOCK)).isFalse();
        assertThat(store.get(BLOCK)).isEmpty();
    }

    @Test
    void get_fileTruncated_returnsEmpty() throws IOException {
        store.put(BLOCK, List.of("a", "b", "c"), level());
        Path file = fileOf(BLOCK).orElseThrow();
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 2));

        assertThat(store.get(BLOCK)).isEmpty();
        assertThat(blockFiles()).isEmpty();
    }

    @Test
    void get_fileChangedSameLength_returnsEmptyNotWrongData() throws IOException {
        store.put(BLOCK, List.of("aaaa"), level());
        Path file = fileOf(BLOCK).orElseThrow();
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 3] = (byte) 'b';
        Files.write(file, bytes);

        assertThat(store.get(BLOCK)).isEmpty();
    }
}
