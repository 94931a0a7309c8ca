package dev.sluice.streaming;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.time.Duration;

/**
 * Settings of a socket text stream ({@link StreamingContext#socketTextStream(String, int, SocketOptions)}).
 * An immutable value: each {@code with} method returns a copy.
 *
 * <pre>{@code
 * ssc.socketTextStream("localhost", 9999,
 *         SocketOptions.defaults().withReadTimeout(Duration.ofSeconds(30)));
 * }</pre>
 *
 * <ul>
 *   <li><b>maxLineBytes</b> (default 1 MiB): longer lines are dropped and counted.
 *   <li><b>readTimeout</b> (default {@link Duration#ZERO}, none): a peer that sends nothing for
 *       this long is taken as gone; the receiver closes the connection and reconnects, reported
 *       to listeners like any other reconnect. Off by default because many sources are quiet for
 *       long stretches while healthy (a person typing into {@code nc -lk}, a log at night), and
 *       reconnecting those every minute would flood the log. Set it when the source writes
 *       steadily or sends heartbeat lines. TCP keep-alive is always on, so a peer whose host
 *       vanished is noticed even without it, after the operating system's keep-alive time.
 *   <li><b>keepUnterminatedLastLine</b> (default false): what happens to a last line that has no
 *       newline when the peer closes the connection. By default it is dropped and counted in
 *       {@link ReceiverStatus#recordsDropped()}, and the reconnect is reported with the number of
 *       bytes dropped: a peer that closes mid-line sent half a record. Set true for a peer that
 *       ends its last line by closing the connection.
 * </ul>
 *
 * @param maxLineBytes             the longest accepted line, in bytes
 * @param readTimeout              how long the peer may send nothing before the receiver reconnects; zero for no limit
 * @param keepUnterminatedLastLine whether a last line without its newline at close is delivered
 */
public record SocketOptions(int maxLineBytes, Duration readTimeout, boolean keepUnterminatedLastLine) {
    private static final int DEFAULT_MAX_LINE_BYTES = 1 << 20;

    /** Checks the settings. */
    public SocketOptions {
        checkArgument(maxLineBytes > 0, "maxLineBytes must be > 0, got %s", maxLineBytes);
        checkNotNull(readTimeout, "readTimeout");
        checkArgument(!readTimeout.isNegative() && readTimeout.toMillis() <= Integer.MAX_VALUE
                        && (readTimeout.isZero() || readTimeout.toMillis() > 0),
                "readTimeout must be zero (no limit) or between 1 ms and %s ms, got %s", Integer.MAX_VALUE, readTimeout);
    }

    /** Returns the defaults: 1 MiB lines, no read timeout, a last line without its newline dropped. */
    public static SocketOptions defaults() {
        return new SocketOptions(DEFAULT_MAX_LINE_BYTES, Duration.ZERO, false);
    }

    /** Returns a copy with lines of at most {@code bytes}. */
    public SocketOptions withMaxLineBytes(int bytes) {
        return new SocketOptions(bytes, readTimeout, keepUnterminatedLastLine);
    }

    /** Returns a copy whose receiver reconnects after {@code timeout} without data ({@link Duration#ZERO}: never). */
    public SocketOptions withReadTimeout(Duration timeout) {
        return new SocketOptions(maxLineBytes, timeout, keepUnterminatedLastLine);
    }

    /** Returns a copy that delivers ({@code true}) or drops a last line without its newline at close. */
    public SocketOptions withUnterminatedLastLineKept(boolean keep) {
        return new SocketOptions(maxLineBytes, readTimeout, keep);
    }
}
