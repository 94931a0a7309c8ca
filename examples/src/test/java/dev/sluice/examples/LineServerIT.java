package dev.sluice.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.examples.bench.WorkloadData;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class LineServerIT {

    @Test
    void start_clientConnects_readsWorkloadLinesFromZero() throws IOException {
        try (LineServer server = LineServer.start(0, WorkloadData::line);
                Client client = new Client(server.port())) {
            assertThat(client.read(3)).containsExactly(
                    WorkloadData.line(0), WorkloadData.line(1), WorkloadData.line(2));
        }
    }

    @Test
    void start_twoClients_eachStartsAtLineZero() throws IOException {
        try (LineServer server = LineServer.start(0, WorkloadData::line);
                Client first = new Client(server.port());
                Client second = new Client(server.port())) {
            assertThat(first.read(2)).containsExactly(WorkloadData.line(0), WorkloadData.line(1));
            assertThat(second.read(1)).containsExactly(WorkloadData.line(0));
        }
    }

    @Test
    void start_withRateLimit_servesTheSameLines() throws IOException {
        try (LineServer server = LineServer.start(0, WorkloadData::line, 1_000);
                Client client = new Client(server.port())) {
            assertThat(client.read(3)).containsExactly(
                    WorkloadData.line(0), WorkloadData.line(1), WorkloadData.line(2));
        }
    }

    @Test
    void start_pastTheEndOfTheCycle_startsOverAtLineZero() throws IOException {
        LineChunks chunks = new LineChunks(i -> "line " + i, 2 * LineChunks.LINES_PER_CHUNK);
        try (LineServer server = LineServer.start(0, chunks, 0);
                Client client = new Client(server.port())) {
            List<String> lines = client.read(2 * LineChunks.LINES_PER_CHUNK + 2);
            assertThat(lines.get(2 * LineChunks.LINES_PER_CHUNK - 1)).isEqualTo("line 1999");
            assertThat(lines.subList(2 * LineChunks.LINES_PER_CHUNK, lines.size()))
                    .containsExactly("line 0", "line 1");
        }
    }

    @Test
    void close_clientConnected_clientSeesEndOfStream() throws IOException {
        LineServer server = LineServer.start(0, WorkloadData::line);
        try (Client client = new Client(server.port())) {
            assertThat(client.read(1)).containsExactly(WorkloadData.line(0));

            server.close();

            // Drain what was already sent; readLine() then returns null at end-of-stream.
            while (client.reader.readLine() != null) {
                // keep reading
            }
        }
        server.close(); // a second close has no effect
    }

    @Test
    void start_negativeRate_throwsNamingTheArgument() {
        assertThatThrownBy(() -> LineServer.start(0, WorkloadData::line, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("linesPerSecond must be >= 0");
    }

    /** A plain socket client, as a {@code socketTextStream} receiver would be. */
    private static final class Client implements AutoCloseable {
        final Socket socket;
        final BufferedReader reader;

        Client(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            reader = new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8));
        }

        List<String> read(int count) throws IOException {
            List<String> lines = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                lines.add(reader.readLine());
            }
            return lines;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
