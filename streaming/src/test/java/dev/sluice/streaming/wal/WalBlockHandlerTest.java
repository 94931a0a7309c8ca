package dev.sluice.streaming.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.SluiceException;
import dev.sluice.core.serializer.KryoSerializer;
import dev.sluice.core.storage.BlockStore;
import dev.sluice.core.storage.InputBlockId;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalBlockHandlerTest {
    @TempDir
    Path tmp;
    private final KryoSerializer serializer = new KryoSerializer();

    private static List<String> randomBlock(Random random) {
        List<String> records = new ArrayList<>();
        for (int i = random.nextInt(50); i > 0; i--) {
            records.add("w" + random.nextInt(1000));
        }
        return records;
    }

    @Test
    void read_blockNoLongerInMemory_readsItBackFromTheLog() {
        long seed = System.nanoTime();
        List<String> records = randomBlock(new Random(seed));
        String dir = tmp.resolve("wal").toUri().toString();
        try (BlockStore store = new BlockStore(serializer, tmp.resolve("blocks"));
                WriteAheadLog wal = WriteAheadLog.open(dir, WalOptions.defaults(), new Configuration())) {
            WalBlockHandler handler = new WalBlockHandler(new MemoryBlockHandler(store), wal, serializer);
            ReceivedBlockHandle handle = handler.store(new InputBlockId(3, 7), records);
            assertThat(handle).isInstanceOf(ReceivedBlockHandle.Logged.class);
            assertThat(store.contains(handle.id())).isTrue();

            handler.remove(handle);
            assertThat(store.contains(handle.id())).isFalse();

            assertThat(handler.<String>read(handle)).as("seed %s", seed).isEqualTo(records);
            assertThat(store.contains(handle.id())).as("read back into memory").isTrue();
        }
    }

    @Test
    void recover_afterRestart_returnsEveryStoredBlockInStoreOrder() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        String dir = tmp.resolve("wal").toUri().toString();
        List<List<String>> blocks = new ArrayList<>();
        List<ReceivedBlockHandle> handles = new ArrayList<>();
        try (BlockStore store = new BlockStore(serializer, tmp.resolve("blocks1"));
                WriteAheadLog wal = WriteAheadLog.open(dir, WalOptions.defaults().withSegmentBytes(2048),
                        new Configuration())) {
            WalBlockHandler handler = new WalBlockHandler(new MemoryBlockHandler(store), wal, serializer);
            for (int i = 0; i < 30; i++) {
                blocks.add(randomBlock(random));
                handles.add(handler.store(new InputBlockId(0, i), blocks.get(i)));
            }
        }
        try (BlockStore fresh = new BlockStore(serializer, tmp.resolve("blocks2"));
                WriteAheadLog wal = WriteAheadLog.open(dir, WalOptions.defaults(), new Configuration())) {
            WalBlockHandler handler = new WalBlockHandler(new MemoryBlockHandler(fresh), wal, serializer);

            List<WalBlockHandler.RecoveredBlock> recovered = handler.recover(WalPosition.START);

            assertThat(recovered).extracting(WalBlockHandler.RecoveredBlock::handle).as("seed %s", seed)
                    .isEqualTo(handles);
            assertThat(recovered).extracting(WalBlockHandler.RecoveredBlock::records).as("seed %s", seed)
                    .isEqualTo(blocks);
            assertThat(handler.<String>read(handles.get(17))).as("seed %s", seed).isEqualTo(blocks.get(17));
        }
    }

    @Test
    void read_inMemoryBlockThatWasRemoved_failsNamingTheBlockAndTheFix() {
        try (BlockStore store = new BlockStore(serializer, tmp.resolve("blocks"))) {
            MemoryBlockHandler handler = new MemoryBlockHandler(store);
            ReceivedBlockHandle handle = handler.store(new InputBlockId(1, 2), List.of("a"));
            assertThat(handler.<String>read(handle)).containsExactly("a");
            handler.remove(handle);

            assertThatThrownBy(() -> handler.read(handle)).isInstanceOf(SluiceException.class)
                    .hasMessageContaining("input_1_2").hasMessageContaining("write-ahead log");
        }
    }
}
