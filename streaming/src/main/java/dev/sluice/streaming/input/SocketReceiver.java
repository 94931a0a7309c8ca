package dev.sluice.streaming.input;

import dev.sluice.streaming.Receiver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads UTF-8 lines from a TCP server. Connection failures and a peer that goes away trigger a
 * restart with back-off (reported to listeners); a line longer than the maximum, or not valid
 * UTF-8, is dropped and counted.
 */
public final class SocketReceiver extends Receiver<String> {
    private static final Logger log = LoggerFactory.getLogger(SocketReceiver.class);
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    /** The most lines one {@code store} takes: bounds a block's size (and a log record's). */
    private static final int MAX_LINES_PER_STORE = 4_096;

    private final String host;
    private final int port;
    private final int maxLineBytes;
    private transient volatile Socket socket;
    private transient volatile Thread reader;

    /** Creates the receiver of {@code host:port}. */
    public SocketReceiver(String host, int port, int maxLineBytes) {
        this.host = host;
        this.port = port;
        this.maxLineBytes = maxLineBytes;
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
        try {
            s.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
            log.info("connected to {}:{}", host, port);
            LineReader lines = new LineReader(s.getInputStream(), maxLineBytes);
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
                    oversized = reportDrops(lines.oversized(), oversized, "line longer than " + maxLineBytes + " bytes");
                    malformed = reportDrops(lines.malformed(), malformed, "line is not valid UTF-8");
                }
            }
            if (!batch.isEmpty() && !isStopped()) {
                store(batch);
            }
            reportDrops(lines.oversized(), oversized, "line longer than " + maxLineBytes + " bytes");
            reportDrops(lines.malformed(), malformed, "line is not valid UTF-8");
            if (!isStopped()) {
                restart("peer " + host + ":" + port + " closed the connection");
            }
        } catch (IOException e) {
            if (!isStopped()) {
                restart("cannot read from " + host + ":" + port + ": " + e.getMessage(), e);
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
