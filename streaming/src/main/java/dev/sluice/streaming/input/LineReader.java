package dev.sluice.streaming.input;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads '\n'-terminated UTF-8 lines (a trailing '\r' is dropped, and not counted in the line's
 * length) with a bound on line length: a longer line, or one that is not valid UTF-8, is skipped
 * and counted rather than failing the stream or growing a buffer without limit.
 *
 * <p>At end of stream, a final line without its '\n' is either returned, as a plain file reader
 * does (the two-argument constructor, and {@code keepUnterminatedLastLine} true), or dropped and
 * counted in {@link #unterminatedDropped()} ({@code keepUnterminatedLastLine} false). Socket
 * streams drop it by default: a peer that closes the connection in the middle of a line sent half
 * a record, and delivering it would pass a partial record downstream as if it were whole. The
 * bytes of a line cut short by a read error (a reset, a timeout) are never returned; {@link
 * #pendingBytes()} says how many there were.
 *
 * <p>Not thread-safe: one reader per connection.
 */
final class LineReader {
    private final InputStream in;
    private final int maxLineBytes;
    private final boolean keepUnterminatedLastLine;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private final byte[] chunk = new byte[64 * 1024];
    private int chunkPos;
    private int chunkLen;
    private byte[] line = new byte[256];
    private int lineLen;
    private long oversized;
    private long malformed;
    private long unterminatedDropped;
    /** Bytes of the unfinished line while a read is in progress (including skipped ones); else 0. */
    private long pending;
    /** Where {@link #hasBufferedLine} stopped scanning the chunk, and the newline it found (-1: none). */
    private int scannedTo;
    private int newlineAt = -1;

    /** Creates a reader that returns a final line without its '\n' at end of stream. */
    LineReader(InputStream in, int maxLineBytes) {
        this(in, maxLineBytes, true);
    }

    /** Creates a reader; {@code keepUnterminatedLastLine} false drops (and counts) such a final line. */
    LineReader(InputStream in, int maxLineBytes, boolean keepUnterminatedLastLine) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
        this.keepUnterminatedLastLine = keepUnterminatedLastLine;
    }

    /**
     * Returns true if a whole line is already buffered, so the next {@link #readLine} returns
     * without reading the stream (it cannot block). Amortized O(1) per byte: each byte is scanned once.
     */
    boolean hasBufferedLine() {
        if (newlineAt >= chunkPos) {
            return true;
        }
        for (int i = Math.max(chunkPos, scannedTo); i < chunkLen; i++) {
            if (chunk[i] == '\n') {
                newlineAt = i;
                scannedTo = i + 1;
                return true;
            }
        }
        scannedTo = chunkLen;
        return false;
    }

    /**
     * Returns the next good line, or null at end of stream. A final line without its '\n' is
     * returned or dropped, as the constructor chose.
     */
    String readLine() throws IOException {
        while (true) {
            boolean skipping = false;
            lineLen = 0;
            long lineBytes = 0;
            while (true) {
                if (chunkPos == chunkLen) {
                    // Kept in a field only around the read, which may throw mid-line.
                    pending = lineBytes;
                    chunkLen = in.read(chunk);
                    chunkPos = 0;
                    pending = 0;
                    scannedTo = 0;
                    newlineAt = -1;
                    if (chunkLen <= 0) {
                        chunkLen = 0;
                        return atEnd(lineBytes, skipping);
                    }
                }
                byte b = chunk[chunkPos++];
                lineBytes++;
                if (b == '\n') {
                    break;
                }
                if (skipping) {
                    continue;
                }
                // One byte past the maximum is kept only if it is '\r': the start of a CRLF ending,
                // not content (a line that goes on after it is cut at the next byte).
                if (lineLen > maxLineBytes || (lineLen == maxLineBytes && b != '\r')) {
                    skipping = true;
                    oversized++;
                    continue;
                }
                if (lineLen == line.length) {
                    line = Arrays.copyOf(line, (int) Math.min(maxLineBytes + 1L, line.length * 2L));
                }
                line[lineLen++] = b;
            }
            if (skipping) {
                continue;
            }
            String decoded = decodeOrNull();
            if (decoded != null) {
                return decoded;
            }
        }
    }

    private String atEnd(long lineBytes, boolean skipping) {
        if (lineBytes == 0 || skipping) {
            return null;
        }
        if (keepUnterminatedLastLine) {
            return decodeOrNull();
        }
        unterminatedDropped++;
        return null;
    }

    private String decodeOrNull() {
        int len = lineLen > 0 && line[lineLen - 1] == '\r' ? lineLen - 1 : lineLen;
        boolean ascii = true;
        for (int i = 0; i < len; i++) {
            if (line[i] < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return new String(line, 0, len, StandardCharsets.ISO_8859_1);
        }
        try {
            CharBuffer chars = decoder.reset().decode(ByteBuffer.wrap(line, 0, len));
            return chars.toString();
        } catch (CharacterCodingException e) {
            malformed++;
            return null;
        }
    }

    /** Returns the number of lines skipped for being longer than the maximum. */
    long oversized() {
        return oversized;
    }

    /** Returns the number of lines skipped for not being valid UTF-8. */
    long malformed() {
        return malformed;
    }

    /** Returns the number of final lines dropped at end of stream for lacking their '\n' (0 or 1). */
    long unterminatedDropped() {
        return unterminatedDropped;
    }

    /**
     * Returns how many bytes of an unfinished line were read when the last {@link #readLine()}
     * threw (a read error or timeout in the middle of a line); 0 if it stopped between lines.
     */
    long pendingBytes() {
        return pending;
    }
}
