package dev.sluice.streaming.input;

import dev.sluice.streaming.Receiver;
import dev.sluice.streaming.SocketOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads UTF-8 lines from a TCP server. Connection failures and a peer that goes away trigger a
 * restart with back-off (reported to listeners); a line longer than the maximum, or not valid
 * UTF-8, is dropped and counted.
 *
 * <p>Partial records are never delivered: when the peer closes the connection in the middle of
 * a line, that last line (it has no newline) is dropped, counted, and named in the reconnect's
 * report, unless {@link SocketOptions#keepUnterminatedLastLine()} asks to keep it; a line cut
 * short by a read error or a read timeout is dropped and counted the same way. With a
 * {@link SocketOptions#readTimeout()}, a peer that sends nothing for that long is taken as gone
 * and the receiver reconnects. TCP keep-alive is always on.
 */
public final class SocketReceiver extends Receiver<String> {
    private static final Logger log = LoggerFactory.getLogger(SocketReceiver.class);
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    /** The most lines one {@code store} takes: bounds a block's size (and a log record's). */
    private static final int MAX_LINES_PER_STORE = 4_096;

    private final String host;
    private final int port;
    private final SocketOptions options;
    private transient volatile Socket socket;
    private transient volatile Thread reader;

    /** Creates the receiver of {@code host:port} with the default options but {@code maxLineBytes}. */
    public SocketReceiver(String host, int port, int maxLineBytes) {
        this(host, port, SocketOptions.defaults().withMaxLineBytes(maxLineBytes));
    }

    /** Creates the receiver of {@code host:port}. */
    public SocketReceiver(String host, int port, SocketOptions options) {
        this.host = host;
        this.port = port;
        this.options = options;
    }

    @Override
    public String name() {
        return "socket " + host + ":" + port;
    }

    @Override
    public void onStart() {
        Thread t = new Thread(this::receive, "sluice-socket-" + host + ":" + port);
        t.setDaemon(true);
        reader = t;
        t.start();
    }

    private void receive() {
        Socket s = new Socket();
        socket = s;
        LineReader lines = null;
        try {
            s.setKeepAlive(true);
            s.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
            s.setSoTimeout((int) options.readTimeout().toMillis());
            log.info("connected to {}:{}", host, port);
            lines = new LineReader(s.getInputStream(), options.maxLineBytes(), options.keepUnterminatedLastLine());
            readAll(lines);
            if (!isStopped()) {
                restart(closedMessage(lines));
            }
        } catch (IOException e) {
            if (!isStopped()) {
                // A connect that times out is a SocketTimeoutException too: only a read one means a silent peer.
                String message = e instanceof SocketTimeoutException && lines != null
                        ? "peer " + host + ":" + port + " sent nothing for " + options.readTimeout().toMillis()
                                + " ms (the read timeout); reconnecting"
                        : "cannot read from " + host + ":" + port + ": " + e.getMessage();
                restart(dropPending(lines, message), e);
            }
        } catch (IllegalStateException e) {
            if (!isStopped()) {
                throw e;
            }
            // Stopped between reading a line and storing it: the store was refused, as it should be.
        } finally {
            closeQuietly(s);
        }
    }

    private void readAll(LineReader lines) throws IOException {
        String maxLine = "line longer than " + options.maxLineBytes() + " bytes";
        long oversized = 0;
        long malformed = 0;
        // Lines already buffered are stored together (one block, one log flush with the
        // write-ahead log); the batch is stored before any read that could block, so no line
        // waits in this thread for more input.
        List<String> batch = new ArrayList<>();
        for (String line = lines.readLine(); line != null && !isStopped(); line = lines.readLine()) {
            batch.add(line);
            if (batch.size() >= MAX_LINES_PER_STORE || !lines.hasBufferedLine()) {
                store(batch);
                batch = new ArrayList<>();
            }
            if (lines.oversized() != oversized || lines.malformed() != malformed) {
                oversized = reportDrops(lines.oversized(), oversized, maxLine);
                malformed = reportDrops(lines.malformed(), malformed, "line is not valid UTF-8");
            }
        }
        if (!batch.isEmpty() && !isStopped()) {
            store(batch);
        }
        reportDrops(lines.oversized(), oversized, maxLine);
        reportDrops(lines.malformed(), malformed, "line is not valid UTF-8");
    }

    private String closedMessage(LineReader lines) {
        String closed = "peer " + host + ":" + port + " closed the connection";
        if (lines.unterminatedDropped() == 0) {
            return closed;
        }
        reportDropped("last line without a newline when the peer closed the connection");
        return closed + " in the middle of a line; dropped that unterminated last line (set "
                + "SocketOptions.withUnterminatedLastLineKept(true) to keep it)";
    }

    /** Counts the line a failed read cut short (if any) and says so in {@code message}. */
    private String dropPending(LineReader lines, String message) {
        long bytes = lines == null ? 0 : lines.pendingBytes();
        if (bytes == 0) {
            return message;
        }
        reportDropped("line cut short by a failed read");
        return message + "; dropped the " + bytes + " byte(s) of the line it cut short";
    }

    private long reportDrops(long now, long before, String reason) {
        for (long i = before; i < now; i++) {
            reportDropped(reason);
        }
        return now;
    }

    @Override
    public void onStop() {
        Socket s = socket;
        if (s != null) {
            closeQuietly(s);
        }
        Thread t = reader;
        if (t != null) {
            t.interrupt();
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // Closing to stop: nothing left to do with this socket.
        }
    }
}
