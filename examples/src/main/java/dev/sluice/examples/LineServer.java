package dev.sluice.examples;

import static com.google.common.base.Preconditions.checkArgument;

import dev.sluice.examples.bench.WorkloadData;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves lines over TCP on 127.0.0.1, the source for socket word-count demos and socket
 * benchmarks: each client receives lines {@code 0 … 999,999} of a {@link LineSource}, each
 * followed by {@code '\n'} in UTF-8, over and over.
 *
 * <pre>{@code
 * try (LineServer server = LineServer.start(0, WorkloadData::line)) {
 *     // connect a socketTextStream to 127.0.0.1:server.port()
 * }
 * }</pre>
 *
 * <p>Each client starts at line 0 and is written to as fast as it reads, or at a fixed rate,
 * until it disconnects or the server is closed. Run {@link #main} to serve the benchmark
 * workload from a separate process.
 *
 * <p>Threading: one daemon thread accepts connections and one daemon thread writes to each
 * client. The set of clients and the closed flag are guarded by {@code lock}. All public methods
 * are thread-safe.
 */
public final class LineServer implements AutoCloseable {
    /** Lines per cycle: clients receive lines {@code 0 … CYCLE_LINES−1}, then start over. */
    public static final long CYCLE_LINES = 1_000_000;
    /** Port {@link #main} serves on unless {@code --port} is given. */
    public static final int DEFAULT_PORT = 9999;

    private static final Logger log = LoggerFactory.getLogger(LineServer.class);
    private static final long CLOSE_WAIT_MILLIS = 5_000;

    private final ServerSocket serverSocket;
    private final LineChunks chunks;
    private final int linesPerSecond;
    private final Thread acceptor;
    private final Object lock = new Object();
    private final Map<Socket, Thread> clients = new HashMap<>(); // guarded by lock
    private boolean closed; // guarded by lock
    private long connections; // guarded by lock

    private LineServer(ServerSocket serverSocket, LineChunks chunks, int linesPerSecond) {
        this.serverSocket = serverSocket;
        this.chunks = chunks;
        this.linesPerSecond = linesPerSecond;
        this.acceptor = new Thread(this::acceptLoop, "line-server-" + port() + "-acceptor");
        acceptor.setDaemon(true);
    }

    /**
     * Starts serving {@code source} as fast as clients read, on {@code port} or, if 0, on a free
     * port (see {@link #port()}).
     *
     * @throws UncheckedIOException if the port cannot be bound
     */
    public static LineServer start(int port, LineSource source) {
        return start(port, source, 0);
    }

    /**
     * Starts serving {@code source} to each client at {@code linesPerSecond} (0 for as fast as
     * it reads), on {@code port} or, if 0, on a free port (see {@link #port()}).
     *
     * @throws IllegalArgumentException if {@code port} or {@code linesPerSecond} is out of range
     * @throws UncheckedIOException if the port cannot be bound
     */
    public static LineServer start(int port, LineSource source, int linesPerSecond) {
        return start(port, new LineChunks(source, CYCLE_LINES), linesPerSecond);
    }

    static LineServer start(int port, LineChunks chunks, int linesPerSecond) {
        checkArgument(port >= 0 && port <= 0xFFFF, "port must be in [0, 65535], got %s", port);
        checkArgument(linesPerSecond >= 0,
                "linesPerSecond must be >= 0 (0 for unlimited), got %s", linesPerSecond);
        LineServer server = new LineServer(bind(port), chunks, linesPerSecond);
        server.acceptor.start();
        log.info("Line server listening on 127.0.0.1:{} ({} lines/s per client)", server.port(),
                linesPerSecond == 0 ? "unlimited" : linesPerSecond);
        return server;
    }

    private static ServerSocket bind(int port) {
        try {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            try {
                socket.bind(new InetSocketAddress(
                        InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port));
            } catch (IOException e) {
                socket.close();
                throw e;
            }
            return socket;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind line server to 127.0.0.1:" + port
                    + (port == 0 ? "" : "; is another server using it? Use port 0 for a free one"), e);
        }
    }

    /** Returns the port clients connect to on 127.0.0.1. */
    public int port() {
        return serverSocket.getLocalPort();
    }

    /**
     * Stops accepting, disconnects every client (they see end-of-stream) and waits up to a few
     * seconds for the server's threads to end. Calling it again has no effect.
     */
    @Override
    public void close() {
        List<Map.Entry<Socket, Thread>> toClose;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = new ArrayList<>(clients.entrySet());
        }
        closeQuietly(serverSocket);
        for (Map.Entry<Socket, Thread> client : toClose) {
            closeQuietly(client.getKey());
            client.getValue().interrupt();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MILLIS);
        joinUntil(acceptor, deadline);
        toClose.forEach(client -> joinUntil(client.getValue(), deadline));
        log.info("Line server on port {} stopped", port());
    }

    private void acceptLoop() {
        while (true) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                if (!isClosed()) {
                    log.warn("Line server on port {} stopped accepting clients", port(), e);
                }
                return;
            }
            register(socket);
        }
    }

    private void register(Socket socket) {
        synchronized (lock) {
            if (closed) {
                closeQuietly(socket);
                return;
            }
            Thread writer = new Thread(() -> serve(socket),
                    "line-server-" + port() + "-client-" + ++connections);
            writer.setDaemon(true);
            clients.put(socket, writer);
            writer.start();
        }
    }

    private void serve(Socket socket) {
        log.debug("Line server on port {}: client {} connected", port(),
                socket.getRemoteSocketAddress());
        try {
            new LineWriter(chunks, linesPerSecond).writeTo(socket);
        } catch (IOException e) {
            // The usual way out: the client went away, or close() closed the socket.
            log.debug("Line server on port {}: writing to {} ended: {}", port(),
                    socket.getRemoteSocketAddress(), e.toString());
        } finally {
            synchronized (lock) {
                clients.remove(socket);
            }
            closeQuietly(socket);
            log.debug("Line server on port {}: client {} disconnected", port(),
                    socket.getRemoteSocketAddress());
        }
    }

    private boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    private static void joinUntil(Thread thread, long deadlineNanos) {
        long remaining = deadlineNanos - System.nanoTime();
        try {
            if (remaining > 0) {
                TimeUnit.NANOSECONDS.timedJoin(thread, remaining);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.warn("Thread {} did not end within {} ms of closing the line server",
                    thread.getName(), CLOSE_WAIT_MILLIS);
        }
    }

    private static void closeQuietly(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            log.debug("Ignoring failure to close {}", closeable, e);
        }
    }

    /**
     * Serves the benchmark workload until the process is stopped: {@code --port N} (default
     * 9999), {@code --lines-per-second N} (default 0, unlimited). Unlimited, it first encodes
     * the whole cycle (about 60 MB) so the first pass runs as fast as the later ones.
     *
     * <pre>{@code
     * java -cp examples/target/sluice-examples.jar dev.sluice.examples.LineServer --port 9999
     * }</pre>
     */
    public static void main(String[] args) throws InterruptedException {
        int port = DEFAULT_PORT;
        int linesPerSecond = 0;
        for (int i = 0; i < args.length; i += 2) {
            String option = args[i];
            checkArgument(i + 1 < args.length, "option %s needs a value", option);
            int value = Integer.parseInt(args[i + 1]);
            switch (option) {
                case "--port" -> port = value;
                case "--lines-per-second" -> linesPerSecond = value;
                default -> throw new IllegalArgumentException("unknown option " + option
                        + "; usage: LineServer [--port N] [--lines-per-second N]");
            }
        }
        LineChunks chunks = new LineChunks(WorkloadData::line, CYCLE_LINES);
        if (linesPerSecond == 0) {
            chunks.prefill();
        }
        LineServer server = start(port, chunks, linesPerSecond);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "line-server-shutdown"));
        server.acceptor.join();
    }
}
