package dev.sluice.examples;

import dev.sluice.examples.bench.WorkloadData;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Set;

/**
 * Where an example program reads lines: the server named by {@code --host}/{@code --port} (either
 * one; the other defaults to {@code localhost} and {@value LineServer#DEFAULT_PORT}), or, with
 * neither, an embedded {@link LineServer} on a free loopback port sending generated sentences at
 * {@code --lines-per-second}. Closing it stops the embedded server, if any.
 */
final class LineInput implements AutoCloseable {
    /** The options this class reads. */
    static final Set<String> OPTIONS = Set.of("host", "port", "lines-per-second");

    private final String host;
    private final int port;
    private final LineServer embedded;

    private LineInput(String host, int port, LineServer embedded) {
        this.host = host;
        this.port = port;
        this.embedded = embedded;
    }

    /** Returns the input the options name; starts the embedded server if they name none. */
    static LineInput from(Args args, int defaultLinesPerSecond) {
        if (args.has("host") || args.has("port")) {
            return new LineInput(args.string("host", "localhost"), args.integer("port", LineServer.DEFAULT_PORT),
                    null);
        }
        LineServer server = LineServer.start(0, WorkloadData::line,
                args.integer("lines-per-second", defaultLinesPerSecond));
        return new LineInput("127.0.0.1", server.port(), server);
    }

    /** Returns {@code --checkpoint-dir}, or a new temporary directory's URI named after {@code program}. */
    static String checkpointDir(Args args, String program) throws IOException {
        return args.has("checkpoint-dir") ? args.string("checkpoint-dir", null)
                : Files.createTempDirectory(program).toUri().toString();
    }

    String host() {
        return host;
    }

    int port() {
        return port;
    }

    /** Returns true if the lines come from an embedded server. */
    boolean isEmbedded() {
        return embedded != null;
    }

    @Override
    public void close() {
        if (embedded != null) {
            embedded.close();
        }
    }
}
