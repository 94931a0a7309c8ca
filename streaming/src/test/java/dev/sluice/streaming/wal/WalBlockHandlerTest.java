package dev.sluice.streaming.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.SluiceException;
import dev.sluice.core.Engine;
import dev.sluice.core.spi.EngineServices;
import dev.sluice.core.spi.InputBlock;
import dev.sluice.core.spi.InputBlocks;
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

    private static InputBlocks blocksOf(Engine engine) {
        return EngineServices.of(engine).inputBlocks();
    }

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
        try (Engine storeEngine = Engine.builder().parallelism(1).build();
                WriteAheadLog wal = WriteAheadLog.open(dir, WalOptions.defaults(), new Configuration())) {
            WalBlockHandler handler = new WalBlockHandler(new MemoryBlockHandler(blocksOf(storeEngine)), wal);
            ReceivedBlockHandle handle = handler.store(new InputBlock(3, 7), records);
            assertThat(handle).isInstanceOf(ReceivedBlockHandle.Logged.class);
            assertThat(blocksOf(storeEngine).get(handle.id()).isPresent()).isTrue();

            handler.remove(handle);
            assertThat(blocksOf(storeEngine).get(handle.id()).isPresent()).isFalse();

            assertThat(handler.<String>read(handle)).as("seed %s", seed).isEqualTo(records);
            assertThat(blocksOf(storeEngine).get(handle.id()).isPresent()).as("read back into memory").isTrue();
        }
    }

    @Test
    void recover_afterRestart_returnsEveryStoredBlockInStoreOrder() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        String dir = tmp.resolve("wal").toUri().toString();
        List<List<String>> blocks = new ArrayList<>();
        List<ReceivedBlockHandle> handles = new ArrayList<>();
        try (Engine storeEngine = Engine.builder().parallelism(1).build();
                WriteAheadLog wal = WriteAheadLog.open(dir, WalOptions.defaults().withSegmentBytes(2048),
                        new Configuration())) {
            WalBlockHandler handler = new WalBlockHandler(new MemoryBlockHandler(blocksOf(storeEngine)), wal);
            for (int i = 0; i < 30; i++) {
                blocks.add(randomBlock(random));
                handles.add(handler.store(new InputBlock(0, i), blocks.get(i)));
            }
        }
        try (Engine freshEngine = Engine.builder().parallelism(1).build();
                WriteAheadLog wal = WriteAheadLog.open(dir, WalOptions.defaults(), new Configuration())) {
            WalBlockHandler handler = new WalBlockHandler(new MemoryBlockHandler(blocksOf(freshEngine)), wal);

            List<WalBlockHandler.RecoveredBlock> recovered = handler.recover(WalPosition.START);

            assertThat(recovered).extracting(WalBlockHandler.RecoveredBlock::handle).as("seed %s", seed)
                    .isEqualTo(handles);
            assertThat(recovered).extracting(WalBlockHandler.RecoveredBlock::records).as("seed %s", seed)
                    .isEqualTo(blocks);
            assertThat(handler.<String>read(handles.get(17))).as("seed %s", seed).isEqualTo(blocks.get(17));
        }
    }

    /** Stores from several threads share the log (each encodes into its own scratch buffer); all read back. */
    @Test
    void store_fromManyThreads_everyBlockRecoversWithItsRecords() throws Exception {
        long seed = System.nanoTime();
        int threads = 4;
        String dir = tmp.resolve("wal").toUri().toString();
        java.util.Map<InputBlock, List<String>> reference = new java.util.concurrent.ConcurrentHashMap<>();
        try (Engine storeEngine = Engine.builder().parallelism(1).build();
                WriteAheadLog wal = WriteAheadLog.open(dir, WalOptions.defaults().withSegmentBytes(8192),
                        new Configuration())) {
            WalBlockHandler handler = new WalBlockHandler(new MemoryBlockHandler(blocksOf(storeEngine)), wal);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
            try {
                List<java.util.concurrent.Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    done.add(pool.submit(() -> {
                        Random random = new Random(seed + thread);
                        for (int i = 0; i < 60; i++) {
                            List<String> records = new ArrayList<>();
                            for (int n = random.nextInt(80); n > 0; n--) {
                                records.add(BlockPayloadTest.randomString(random));
                            }
                            InputBlock id = new InputBlock(thread, i);
                            reference.put(id, records);
                            handler.store(id, records);
                        }
                    }));
                }
                for (var f : done) {
                    f.get(60, java.util.concurrent.TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
        }

        WalBlockHandler.Recovery recovery = WalBlockHandler.recoverAll(WalReader.open(dir, new Configuration(), 1 << 20));
        java.util.Map<InputBlock, List<?>> recovered = new java.util.HashMap<>();
        recovery.blocks().forEach(b -> recovered.put(b.handle().id(), b.records()));
        assertThat(recovered).as("seed %s", seed).isEqualTo(reference);
        assertThat(recovery.tornTails()).isEmpty();
    }

    @Test
    void read_inMemoryBlockThatWasRemoved_failsNamingTheBlockAndTheFix() {
        try (Engine storeEngine = Engine.builder().parallelism(1).build()) {
            MemoryBlockHandler handler = new MemoryBlockHandler(blocksOf(storeEngine));
            ReceivedBlockHandle handle = handler.store(new InputBlock(1, 2), List.of("a"));
            assertThat(handler.<String>read(handle)).containsExactly("a");
            handler.remove(handle);

            assertThatThrownBy(() -> handler.read(handle)).isInstanceOf(SluiceException.class)
                    .hasMessageContaining("input_1_2").hasMessageContaining("write-ahead log");
        }
    }
}
