package dev.sluice.streaming.input;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link LineReader} over a real loopback TCP connection whose sender writes and flushes in
 * small random pieces with Nagle off, so that reads end at arbitrary bytes: inside multi-byte
 * characters, between '\r' and '\n', at the maximum length.
 */
@Timeout(30)
class LineReaderSocketIT {
    private static final long SEED = 7;
    private static final int MAX = 16;

    @Test
    void readLine_linesWrittenInSmallFlushedPieces_areReadWholeAndOversizedOnesCounted() throws Exception {
        Random rnd = new Random(SEED);
        List<String> sent = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        List<String> expected = new ArrayList<>();
        int oversized = 0;
        String[] alphabet = {"a", "b", " ", "é", "€", "𝄞"};
        for (int i = 0; i < 300; i++) {
            StringBuilder line = new StringBuilder();
            for (int c = rnd.nextInt(9); c > 0; c--) {
                line.append(alphabet[rnd.nextInt(alphabet.length)]);
            }
            sent.add(line.toString());
            text.append(line).append(rnd.nextBoolean() ? "\r\n" : "\n");
            if (LineReaderTest.utf8(line.toString()).length <= MAX) {
                expected.add(line.toString());
            } else {
                oversized++;
            }
        }
        byte[] bytes = LineReaderTest.utf8(text.toString());

        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> write(server, bytes, new Random(SEED)));
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                LineReader reader = new LineReader(client.getInputStream(), MAX);

                List<String> read = LineReaderTest.readAll(reader);

                assertThat(read).as("seed %d, %d lines sent", SEED, sent.size()).isEqualTo(expected);
                assertThat(reader.oversized()).as("seed %d", SEED).isEqualTo(oversized);
                assertThat(oversized).as("the data has oversized lines").isPositive();
            }
            writer.get(10, TimeUnit.SECONDS);
        }
    }

    private static void write(ServerSocket server, byte[] bytes, Random rnd) {
        try (Socket peer = server.accept()) {
            peer.setTcpNoDelay(true);
            OutputStream out = peer.getOutputStream();
            for (int from = 0; from < bytes.length; ) {
                int to = Math.min(bytes.length, from + 1 + rnd.nextInt(5));
                out.write(bytes, from, to - from);
                out.flush();
                from = to;
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
