package dev.sluice.streaming.wal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Appends that queue while a flush runs share the next flush, written by one of the appenders. */
@Timeout(120)
class WriteAheadLogGroupCommitTest {
    @TempDir
    Path tmp;

    @AfterEach
    void openGate() {
        CountDownLatch gate = FailingFileSystem.FLUSH_GATE;
        FailingFileSystem.FLUSH_GATE = null;
        if (gate != null) {
            gate.countDown();
        }
    }

    @Test
    void append_whileAFlushRuns_queuedAppendsShareOneFlush() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        int followers = 2 + random.nextInt(7);
        List<byte[]> records = new ArrayList<>();
        for (int i = 0; i <= followers; i++) {
            byte[] b = new byte[8 + random.nextInt(200)];
            random.nextBytes(b);
            ByteBuffer.wrap(b).putInt(i);
            records.add(b);
        }
        String dir = "failing://" + tmp.resolve("wal").toAbsolutePath();
        ExecutorService pool = Executors.newFixedThreadPool(followers + 1);
        List<CompletableFuture<WalPosition>> acked = new ArrayList<>();
        long flushes;
        try (WriteAheadLog wal = WriteAheadLog.open(dir, WalOptions.defaults(), FailingFileSystem.conf())) {
            CountDownLatch gate = new CountDownLatch(1);
            FailingFileSystem.FLUSH_ENTERED = new CountDownLatch(1);
            FailingFileSystem.FLUSH_GATE = gate;
            acked.add(CompletableFuture.supplyAsync(() -> wal.append(records.get(0)), pool));
            assertThat(FailingFileSystem.FLUSH_ENTERED.await(60, TimeUnit.SECONDS)).as("first flush started").isTrue();
            for (int i = 1; i <= followers; i++) {
                byte[] r = records.get(i);
                acked.add(CompletableFuture.supplyAsync(() -> wal.append(r), pool));
            }
            // Every follower is queued behind the running flush (a safety-net bound, not a timing).
            for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    wal.waitingAppends() < followers && System.nanoTime() < deadline; ) {
                Thread.sleep(1);
            }
            assertThat(wal.waitingAppends()).as("seed %s", seed).isEqualTo(followers);
            FailingFileSystem.FLUSH_GATE = null;
            gate.countDown();
            for (CompletableFuture<WalPosition> f : acked) {
                f.get(60, TimeUnit.SECONDS);
            }
            flushes = wal.flushCount();
        } finally {
            pool.shutdownNow();
        }

        assertThat(flushes).as("the first append's flush, then one for all %s followers; seed %s", followers, seed)
                .isEqualTo(2);
        List<WalRecord> read = WalReader.open(dir, FailingFileSystem.conf(), 1 << 20).readAll().records();
        assertThat(read).hasSize(followers + 1);
        for (WalRecord r : read) {
            int i = ByteBuffer.wrap(r.payload()).getInt();
            assertThat(r.payload()).as("record %s, seed %s", i, seed).isEqualTo(records.get(i));
            assertThat(r.position()).as("record %s acknowledged where it is, seed %s", i, seed)
                    .isEqualTo(acked.get(i).get());
        }
        assertThat(ByteBuffer.wrap(read.get(0).payload()).getInt()).as("the first append is written first, seed %s",
                seed).isZero();
    }
}
