package dev.sluice.streaming.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.sluice.core.Pair;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.ReceiverError;
import dev.sluice.streaming.ReceiverStatus;
import dev.sluice.streaming.StreamingContext;
import dev.sluice.streaming.StreamingListener;
import dev.sluice.streaming.testing.BatchOutput;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The socket receiver against a real server socket on the loopback interface. The test waits for
 * the receiver to have stored what was written (a bounded wait on a condition) before it ticks
 * the batch, so which line lands in which batch never depends on timing.
 */
@Timeout(60)
class SocketTextStreamIT {
    private static final String HOST = "127.0.0.1";
    private static final Duration WAIT = Duration.ofSeconds(20);

    private ServerSocket server;
    private StreamingTestKit kit;
    private final BlockingQueue<ReceiverError> errors = new LinkedBlockingQueue<>();

    @BeforeEach
    void setUp() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getByName(HOST));
        server.setSoTimeout((int) WAIT.toMillis());
    }

    @AfterEach
    void tearDown() throws IOException {
        if (kit != null) {
            kit.close();
        }
        server.close();
    }

    @Test
    void wordCount_parallelismOne_completesBatches() throws IOException {
        kit = kit(1);
        BatchOutput<Pair<String, Integer>> counts = kit.collect(socketStream(1 << 20)
                .flatMap(l -> List.of(l.split(" "))).mapToPair(w -> Pair.of(w, 1)).reduceByKey(Integer::sum));
        kit.run(1);
        try (Socket peer = server.accept()) {
            write(peer, "a b\nb\n");
            awaitStatus(s -> s.recordsStored() == 2, "2 lines stored");
            kit.run(2);
        }

        assertThat(counts.batches()).hasSize(3);
        assertThat(counts.batch(0)).isEmpty();
        assertThat(counts.batch(1)).containsExactlyInAnyOrder(Pair.of("a", 1), Pair.of("b", 2));
        assertThat(counts.batch(2)).isEmpty();
    }

    @Test
    void socketTextStream_oversizedAndInvalidLines_areDroppedAndCounted() throws IOException {
        kit = kit(2);
        BatchOutput<String> out = kit.collect(socketStream(8));
        kit.run(1);
        try (Socket peer = server.accept()) {
            write(peer, "ok\nthis line is longer than eight bytes\n");
            peer.getOutputStream().write(new byte[] {'b', 'a', 'd', (byte) 0xC3, 0x28, '\n'});
            write(peer, "fine\n");
            awaitStatus(s -> s.recordsStored() == 2 && s.recordsDropped() == 2, "2 lines stored and 2 dropped");
            kit.run(1);
        }

        assertThat(out.batch(1)).containsExactly("ok", "fine");
    }

    @Test
    void peerCloses_receiverReconnectsAndReportsIt() throws Exception {
        kit = kit(2);
        BatchOutput<String> out = kit.collect(socketStream(1 << 20));
        kit.run(1);
        try (Socket first = server.accept()) {
            write(first, "before\n");
            awaitStatus(s -> s.recordsStored() == 1, "first line stored");
        }
        assertThat(errors.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).as("error reported").isNotNull()
                .extracting(ReceiverError::message).asString().contains("closed the connection");
        try (Socket second = server.accept()) {
            write(second, "after\n");
            awaitStatus(s -> s.recordsStored() == 2, "line after reconnect stored");
            kit.run(1);
            assertThat(kit.context().receiverStatuses()).singleElement().extracting(ReceiverStatus::restarts)
                    .isEqualTo(1L);
        }

        assertThat(out.batch(1)).containsExactly("before", "after");
    }

    @Test
    void nobodyListening_isRetriedAndReported_contextKeepsRunning() throws Exception {
        int port = server.getLocalPort();
        server.close();
        kit = kit(1);
        BatchOutput<String> out = kit.collect(kit.context().socketTextStream(HOST, port));
        addErrorListener();
        kit.run(1);

        assertThat(errors.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).as("first failure reported").isNotNull();
        assertThat(errors.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).as("retry failure reported").isNotNull();
        kit.run(1);
        assertThat(out.batches()).containsExactly(List.of(), List.of());
        assertThat(kit.context().state()).isEqualTo(StreamingContext.State.ACTIVE);
    }

    private static StreamingTestKit kit(int parallelism) {
        return StreamingTestKit.builder().batchInterval(Duration.ofSeconds(1)).parallelism(parallelism).build();
    }

    private DStream<String> socketStream(int maxLineBytes) {
        DStream<String> lines = kit.context().socketTextStream(HOST, server.getLocalPort(), maxLineBytes);
        addErrorListener();
        return lines;
    }

    private void addErrorListener() {
        kit.context().addListener(new StreamingListener() {
            @Override
            public void onReceiverError(ReceiverError error) {
                errors.add(error);
            }
        });
    }

    private static void write(Socket peer, String text) throws IOException {
        OutputStream out = peer.getOutputStream();
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Waits, bounded, until the single receiver's status satisfies {@code condition}. */
    private void awaitStatus(Predicate<ReceiverStatus> condition, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            ReceiverStatus status = kit.context().receiverStatuses().get(0);
            if (condition.test(status)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                fail("waited %s for %s; receiver status: %s", WAIT, what, status);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }
}
