package dev.sluice.examples;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes the lines of a {@link LineChunks} cycle to one client, over and over, until the client
 * disconnects, the socket is closed or the thread is interrupted.
 *
 * <p>Unlimited, it writes whole chunks as fast as the client reads. With a rate, line {@code n}
 * is not written before {@code n / linesPerSecond} seconds after the start; the buffer is
 * flushed before each wait, so the client sees lines as they become due.
 */
final class LineWriter {
    private static final int BUFFER_BYTES = 64 * 1024;

    private final LineChunks chunks;
    private final int linesPerSecond;

    LineWriter(LineChunks chunks, int linesPerSecond) {
        this.chunks = chunks;
        this.linesPerSecond = linesPerSecond;
    }

    /**
     * Writes until interrupted; returns normally only on interrupt.
     *
     * @throws IOException when the client disconnects or the socket is closed
     */
    void writeTo(Socket socket) throws IOException {
        OutputStream out = new BufferedOutputStream(socket.getOutputStream(), BUFFER_BYTES);
        long startNanos = System.nanoTime();
        long written = 0;
        for (int c = 0; !Thread.currentThread().isInterrupted(); c = (c + 1) % chunks.size()) {
            LineChunks.Chunk chunk = chunks.get(c);
            if (linesPerSecond == 0) {
                out.write(chunk.bytes);
                continue;
            }
            int from = 0;
            for (int lineEnd : chunk.lineEnds) {
                if (!awaitDue(out, startNanos, written)) {
                    return;
                }
                out.write(chunk.bytes, from, lineEnd - from);
                from = lineEnd;
                written++;
            }
        }
    }

    /** Waits until line {@code n} is due; returns false if interrupted meanwhile. */
    private boolean awaitDue(OutputStream out, long startNanos, long n) throws IOException {
        // double, not long: n * 1e9 overflows a long after ~9e9 lines.
        long due = startNanos + (long) (n * ((double) TimeUnit.SECONDS.toNanos(1) / linesPerSecond));
        long wait = due - System.nanoTime();
        if (wait > 0) {
            out.flush();
        }
        while (wait > 0) {
            LockSupport.parkNanos(wait);
            if (Thread.currentThread().isInterrupted()) {
                return false;
            }
            wait = due - System.nanoTime();
        }
        return true;
    }
}
