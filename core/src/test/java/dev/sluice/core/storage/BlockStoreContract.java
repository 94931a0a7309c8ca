package dev.sluice.core.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.Pair;
import dev.sluice.core.StorageLevel;
import dev.sluice.core.serializer.KryoSerializer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The behaviour every storage level of {@link BlockStore} must show; one subclass per level. */
abstract class BlockStoreContract {
    private static final BlockId FIRST = new DatasetBlockId(1, 0);
    private static final BlockId SECOND = new DatasetBlockId(1, 1);
    private static final BlockId INPUT = new InputBlockId(0, 5);

    @TempDir
    Path tempDir;

    Path diskDir;
    BlockStore store;

    abstract StorageLevel level();

    @BeforeEach
    void createStore() {
        diskDir = tempDir.resolve("blocks");
        store = new BlockStore(new KryoSerializer(), diskDir);
    }

    @AfterEach
    void checkInvariants() throws IOException {
        store.removeIf(id -> true);
        assertThat(store.size()).isZero();
        assertThat(store.ids()).isEmpty();
        assertThat(store.memoryBytes()).isZero();
        assertThat(blockFiles()).isEmpty();
        store.close();
        assertThat(diskDir).doesNotExist();
    }

    @Test
    void get_afterPut_returnsEqualRecords() {
        List<Pair<String, Integer>> records = List.of(Pair.of("a", 1), Pair.of("b", 2), Pair.of(null, 3));

        store.put(FIRST, records, level());

        assertThat(store.<Pair<String, Integer>>get(FIRST)).contains(records);
    }

    @Test
    void get_emptyList_returnsEmptyList() {
        store.put(FIRST, List.of(), level());

        assertThat(store.get(FIRST)).hasValueSatisfying(records -> assertThat(records).isEmpty());
    }

    @Test
    void get_unknownId_returnsEmpty() {
        assertThat(store.get(FIRST)).isEmpty();
        assertThat(store.contains(FIRST)).isFalse();
    }

    @Test
    void put_sameIdTwice_keepsLatest() {
        store.put(FIRST, List.of(1, 2), level());
        store.put(FIRST, List.of(3), level());

        assertThat(store.<Integer>get(FIRST)).contains(List.of(3));
        assertThat(store.size()).isEqualTo(1);
    }

    @Test
    void put_levelNone_throwsIllegalArgument() {
        assertThatThrownBy(() -> store.put(FIRST, List.of(1), StorageLevel.NONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NONE")
                .hasMessageContaining(FIRST.name());
    }

    @Test
    void contains_afterPutAndRemove_tracksBlock() {
        store.put(INPUT, List.of("x"), level());
        assertThat(store.contains(INPUT)).isTrue();

        assertThat(store.remove(INPUT)).isTrue();

        assertThat(store.contains(INPUT)).isFalse();
        assertThat(store.get(INPUT)).isEmpty();
        assertThat(store.remove(INPUT)).isFalse();
    }

    @Test
    void removeIf_matchingSome_removesOnlyThoseAndCounts() {
        store.put(FIRST, List.of(1), level());
        store.put(SECOND, List.of(2), level());
        store.put(INPUT, List.of(3), level());

        int removed = store.removeIf(id -> id instanceof DatasetBlockId);

        assertThat(removed).isEqualTo(2);
        assertThat(store.ids()).containsExactly(INPUT);
        assertThat(store.<Integer>get(INPUT)).contains(List.of(3));
    }

    @Test
    void ids_afterPuts_isSnapshotCopy() {
        store.put(FIRST, List.of(1), level());
        var ids = store.ids();

        store.put(SECOND, List.of(2), level());

        assertThat(ids).containsExactly(FIRST);
        assertThat(store.ids()).containsExactlyInAnyOrder(FIRST, SECOND);
        assertThat(store.size()).isEqualTo(2);
    }

    @Test
    void memoryBytes_afterPut_countsOnlySerializedHeapBlocks() {
        store.put(FIRST, List.of("some", "records"), level());

        if (level() == StorageLevel.MEMORY_SERIALIZED) {
            assertThat(store.memoryBytes()).isPositive();
        } else {
            assertThat(store.memoryBytes()).isZero();
        }
    }

    @Test
    void put_afterClose_throwsIllegalState() {
        store.close();

        assertThatThrownBy(() -> store.put(FIRST, List.of(1), level()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void get_manyBlocks_eachReturnsItsOwnRecords() {
        for (int p = 0; p < 20; p++) {
            store.put(new DatasetBlockId(7, p), List.of(Pair.of(p, "v" + p)), level());
        }

        for (int p = 0; p < 20; p++) {
            assertThat(store.<Pair<Integer, String>>get(new DatasetBlockId(7, p)))
                    .contains(List.of(Pair.of(p, "v" + p)));
        }
    }

    /** Files in the disk directory, temporary ones included. */
    List<Path> blockFiles() throws IOException {
        if (!Files.isDirectory(diskDir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(diskDir)) {
            return files.toList();
        }
    }

    Optional<Path> fileOf(BlockId id) throws IOException {
        return blockFiles().stream().filter(f -> f.getFileName().toString().equals(id.name())).findFirst();
    }
}
