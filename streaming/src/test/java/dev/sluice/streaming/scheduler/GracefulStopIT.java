package dev.sluice.streaming.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.Engine;
import dev.sluice.streaming.StopReport;
import dev.sluice.streaming.StreamingContext;
import dev.sluice.streaming.StreamingListener;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.testing.ManualClock;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A graceful stop puts every stored record in a batch, and says what it dropped when it runs out of time. */
class GracefulStopIT {
    private static Engine engine;

    @BeforeAll
    static void engine() {
        engine = Engine.builder().appName("graceful-stop").parallelism(2).build();
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    /** Writes "0\n1\n2\n..." to the first client as fast as it can, until the client goes away. */
    private static Thread numberedLines(ServerSocket server) {
        Thread t = new Thread(() -> {
            try (Socket client = server.accept();
                    BufferedWriter out = new BufferedWriter(new OutputStreamWriter(client.getOutputStream(),
                            StandardCharsets.UTF_8))) {
                for (long i = 0; ; i++) {
                    out.write(Long.toString(i));
                    out.write('\n');
                }
            } catch (IOException e) {
                // The receiver closed the connection: done.
            }
        }, "numbered-lines");
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Test
    void gracefulStop_underARunningSocketReceiver_processesEveryStoredRecord() throws Exception {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        for (int run = 0; run < 20; run++) {
            int stopAfterRecords = random.nextInt(20_000);
            int batchesBefore = random.nextInt(4);
            try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                numberedLines(server);
                ManualClock clock = new ManualClock();
                StreamingContext c = StreamingContext.builder().batchInterval(Duration.ofSeconds(1)).clock(clock)
                        .engine(engine).build();
                List<Long> processed = Collections.synchronizedList(new ArrayList<>());
                c.socketTextStream("localhost", server.getLocalPort())
                        .foreachBatch((ds, t) -> ds.collect().forEach(line -> processed.add(Long.parseLong(line))));
                c.start();
                for (int b = 1; b <= batchesBefore; b++) {
                    clock.setTime(b * 1000L);
                }
                awaitStored(c, stopAfterRecords);
                c.stop(true);

                long stored = c.receiverStatuses().get(0).recordsStored();
                List<Long> sorted = processed.stream().sorted().collect(Collectors.toList());
                String why = "seed " + seed + ", run " + run + ", stop after " + stopAfterRecords + " records";
                assertThat(stored).as(why).isGreaterThanOrEqualTo(stopAfterRecords);
                assertThat((long) processed.size()).as(why + ": records stored == records processed").isEqualTo(stored);
                assertThat(sorted).as(why + ": each line once, none missing")
                        .isEqualTo(IntStream.range(0, (int) stored).mapToObj(i -> (long) i).collect(Collectors.toList()));
                assertThat(c.stopReport()).as(why).hasValueSatisfying(r -> assertThat(r.isLossless()).isTrue());
            }
        }
    }

    private static void awaitStored(StreamingContext c, long records) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (c.receiverStatuses().get(0).recordsStored() < records) {
            assertThat(System.nanoTime()).as("receiver stored %s records within 30 s", records).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    @Test
    void gracefulStop_drainPastTheTimeout_reportsTheDroppedBatchesAndRecords() throws Exception {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        List<List<Integer>> batches = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            batches.add(IntStream.range(0, 1 + random.nextInt(100)).boxed().collect(Collectors.toList()));
        }
        ManualClock clock = new ManualClock();
        CountDownLatch firstRunning = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch submitted = new CountDownLatch(3);
        StreamingContext c = StreamingContext.builder().batchInterval(Duration.ofSeconds(1)).clock(clock)
                .engine(engine).stopTimeout(Duration.ofMillis(300)).build();
        c.listStream(batches).foreachBatch((ds, t) -> {
            ds.count();
            if (t.equals(new Time(1000))) {
                firstRunning.countDown();
                release.await();
            }
        });
        c.addListener(new StreamingListener() {
            @Override
            public void onBatchSubmitted(Time time, long records) {
                submitted.countDown();
            }
        });
        c.start();
        clock.setTime(3000);
        assertThat(submitted.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(firstRunning.await(10, TimeUnit.SECONDS)).isTrue();

        c.stop(true);
        release.countDown();

        StopReport report = c.stopReport().orElseThrow();
        assertThat(report.timedOut()).isTrue();
        assertThat(report.isLossless()).isFalse();
        assertThat(report.droppedBatches()).as("seed %s: batches 2, 3 and the final one", seed)
                .containsExactly(2000L, 3000L, 4000L);
        assertThat(report.droppedRecords()).as("seed %s", seed).isEqualTo(batches.get(1).size() + batches.get(2).size());
        assertThat(c.lifecycle()).isEqualTo(StreamingContext.Lifecycle.STOPPED);
    }

    @Test
    void stopTimeout_zeroOrNegative_isRefusedNamingTheValue() {
        assertThatThrownBy(() -> StreamingContext.builder().stopTimeout(Duration.ofSeconds(-5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stopTimeout must be > 0")
                .hasMessageContaining("PT-5S");
        assertThatThrownBy(() -> StreamingContext.builder().stopTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S");
    }
}
