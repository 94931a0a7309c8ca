package dev.sluice.streaming.input;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.streaming.ReceiverError;
import dev.sluice.streaming.ReceiverStatus;
import dev.sluice.streaming.SocketOptions;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A socket peer that closes in the middle of a line, or goes silent, against a real server socket
 * on loopback. The receiver reports each reconnect after it stored every line read before it, so
 * waiting for the report (a blocking queue) is the latch that orders the test; the batch is then
 * ticked by the manual clock.
 */
@Timeout(60)
class SocketPartialLineIT {
    private static final String HOST = "127.0.0.1";
    private static final long WAIT_SECONDS = 20;

    private ServerSocket server;
    private StreamingTestKit kit;
    private final BlockingQueue<ReceiverError> errors = new LinkedBlockingQueue<>();

    @BeforeEach
    void setUp() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getByName(HOST));
        server.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        kit = StreamingTestKit.builder().batchInterval(Duration.ofSeconds(1)).parallelism(2).build();
        kit.context().addListener(new StreamingListener() {
            @Override
            public void onReceiverError(ReceiverError error) {
                errors.add(error);
            }
        });
    }

    @AfterEach
    void tearDown() throws IOException {
        kit.close();
        server.close();
    }

    @Test
    void peerClosesMidLine_byDefault_theHalfLineIsDroppedCountedAndReported() throws Exception {
        BatchOutput<String> out = kit.collect(kit.context().socketTextStream(HOST, server.getLocalPort()));
        kit.run(1);
        try (Socket peer = server.accept()) {
            write(peer, "one\ntwo\r\nhal");
        }

        assertThat(nextError().message()).contains("closed the connection in the middle of a line",
                "withUnterminatedLastLineKept(true)");
        kit.run(1);
        assertThat(out.batch(1)).containsExactly("one", "two");
        ReceiverStatus status = kit.context().receiverStatuses().get(0);
        assertThat(status.recordsStored()).isEqualTo(2);
        assertThat(status.recordsDropped()).as("the half line").isEqualTo(1);
    }

    @Test
    void peerClosesMidLine_withTheKeepOption_theLastLineIsDelivered() throws Exception {
        SocketOptions keep = SocketOptions.defaults().withUnterminatedLastLineKept(true);
        BatchOutput<String> out = kit.collect(kit.context().socketTextStream(HOST, server.getLocalPort(), keep));
        kit.run(1);
        try (Socket peer = server.accept()) {
            write(peer, "one\ntwo\nlast");
        }

        assertThat(nextError().message()).contains("closed the connection").doesNotContain("middle of a line");
        kit.run(1);
        assertThat(out.batch(1)).containsExactly("one", "two", "last");
        assertThat(kit.context().receiverStatuses().get(0).recordsDropped()).isZero();
    }

    @Test
    void peerClosesAfterANewline_nothingIsDropped() throws Exception {
        BatchOutput<String> out = kit.collect(kit.context().socketTextStream(HOST, server.getLocalPort()));
        kit.run(1);
        try (Socket peer = server.accept()) {
            write(peer, "whole\n");
        }

        assertThat(nextError().message()).endsWith("closed the connection");
        kit.run(1);
        assertThat(out.batch(1)).containsExactly("whole");
        assertThat(kit.context().receiverStatuses().get(0).recordsDropped()).isZero();
    }

    @Test
    void silentPeer_withAReadTimeout_isReportedAndTheReceiverReconnects() throws Exception {
        SocketOptions timeout = SocketOptions.defaults().withReadTimeout(Duration.ofMillis(500));
        BatchOutput<String> out = kit.collect(kit.context().socketTextStream(HOST, server.getLocalPort(), timeout));
        kit.run(1);
        try (Socket silent = server.accept()) {
            write(silent, "before\nhalf a li");
            ReceiverError error = nextError();
            assertThat(error.message()).contains("sent nothing for 500 ms", "reconnecting",
                    "dropped the 9 byte(s) of the line it cut short");
            assertThat(error.cause()).get().isInstanceOf(java.net.SocketTimeoutException.class);
        }
        try (Socket second = server.accept()) {
            write(second, "after\n");
        }
        assertThat(nextError().message()).as("the second peer's close").contains("closed the connection");
        kit.run(1);

        assertThat(out.batch(1)).containsExactly("before", "after");
        ReceiverStatus status = kit.context().receiverStatuses().get(0);
        assertThat(status.restarts()).isEqualTo(2);
        assertThat(status.recordsDropped()).as("the line the timeout cut short").isEqualTo(1);
    }

    @Test
    void socketOptions_badTimeout_failsNamingTheValue() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> SocketOptions.defaults().withReadTimeout(Duration.ofMillis(-5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("readTimeout", "PT-0.005S");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SocketOptions.defaults().withMaxLineBytes(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxLineBytes must be > 0, got 0");
        assertThat(SocketOptions.defaults()).isEqualTo(new SocketOptions(1 << 20, Duration.ZERO, false));
    }

    private ReceiverError nextError() throws InterruptedException {
        ReceiverError error = errors.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(error).as("a receiver error reported within %s s", WAIT_SECONDS).isNotNull();
        return error;
    }

    private static void write(Socket peer, String text) throws IOException {
        OutputStream out = peer.getOutputStream();
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
