package dev.sluice.streaming.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.streaming.wal.WalBlockHandler;
import dev.sluice.streaming.wal.WalReader;
import dev.sluice.streaming.wal.WalOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The kit's receiver input stores through the real receiver path, with and without the write-ahead log. */
class ReceiverInputIT {
    @TempDir
    Path tmp;

    private StreamingTestKit kit(boolean logged) {
        StreamingTestKit.Builder b = StreamingTestKit.builder().batchInterval(Duration.ofSeconds(1));
        if (logged) {
            b.checkpointDir(tmp.resolve("ckpt").toUri().toString());
        }
        return b.build();
    }

    private static List<Integer> randomRecords(Random random) {
        List<Integer> out = new ArrayList<>();
        for (int i = random.nextInt(30); i > 0; i--) {
            out.add(random.nextInt(1000));
        }
        return out;
    }

    /** Every record in the block log of the kit's checkpoint directory, in log order. */
    private List<Object> loggedRecords() {
        String dir = tmp.resolve("ckpt").toUri() + "/receiver-log/blocks";
        List<Object> out = new ArrayList<>();
        WalBlockHandler.recoverAll(WalReader.open(dir, new Configuration(), WalOptions.defaults().maxRecordBytes()))
                .blocks().forEach(b -> out.addAll(b.records()));
        return out;
    }

    @ParameterizedTest(name = "write-ahead log {0}")
    @ValueSource(booleans = {false, true})
    void send_beforeAndBetweenRuns_eachBatchHoldsWhatWasSentBeforeIt(boolean logged) {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        try (StreamingTestKit kit = kit(logged)) {
            ReceiverInput<Integer> input = kit.receiverInput();
            BatchOutput<Integer> out = kit.collect(input.stream());
            List<List<Integer>> expected = new ArrayList<>();
            List<Object> sentSoFar = new ArrayList<>();
            int batches = 3 + random.nextInt(5);
            for (int b = 0; b < batches; b++) {
                List<Integer> batch = new ArrayList<>();
                for (int call = random.nextInt(4); call > 0; call--) {
                    List<Integer> records = randomRecords(random);
                    input.send(records);
                    batch.addAll(records);
                }
                expected.add(batch);
                sentSoFar.addAll(batch);
                kit.run(1);
                if (logged) {
                    assertThat(loggedRecords()).as("seed %s: every sent record is in the log", seed)
                            .isEqualTo(sentSoFar);
                }
            }
            for (int b = 0; b < batches; b++) {
                assertThat(out.batch(b)).as("seed %s, batch %s", seed, b + 1).isEqualTo(expected.get(b));
            }
            assertThat(kit.batchInfos()).extracting(i -> i.numInputRecords()).as("seed %s", seed)
                    .isEqualTo(expected.stream().map(l -> (long) l.size()).toList());
        }
    }

    @ParameterizedTest(name = "write-ahead log {0}")
    @ValueSource(booleans = {false, true})
    void send_fromManyThreadsAtOnce_everyRecordLandsInTheNextBatch(boolean logged) throws Exception {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        try (StreamingTestKit kit = kit(logged)) {
            ReceiverInput<Integer> input = kit.receiverInput();
            BatchOutput<Integer> out = kit.collect(input.stream());
            kit.run(1);
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<Void>> senders = new ArrayList<>();
            List<Integer> all = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                List<List<Integer>> chunks = new ArrayList<>();
                for (int c = 0; c < 20; c++) {
                    chunks.add(randomRecords(random));
                    all.addAll(chunks.get(c));
                }
                senders.add(CompletableFuture.runAsync(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    chunks.forEach(input::send);
                }));
            }
            go.countDown();
            CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            kit.run(1);

            assertThat(out.batch(0)).isEmpty();
            assertThat(out.batch(1)).as("seed %s", seed).containsExactlyInAnyOrderElementsOf(all);
            if (logged) {
                assertThat(loggedRecords()).as("seed %s", seed).containsExactlyInAnyOrderElementsOf(all);
            }
        }
    }
}
