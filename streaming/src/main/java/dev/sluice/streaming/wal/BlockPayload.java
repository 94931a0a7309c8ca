package dev.sluice.streaming.wal;

import dev.sluice.core.SluiceException;
import dev.sluice.core.spi.InputBlock;
import dev.sluice.core.spi.RecordBytes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The payload of a received block's log record (big-endian):
 *
 * <pre>
 * int streamId | long block sequence | body
 * body, told apart by its first byte:
 *   0 or 1  records as {@link RecordBytes#of} writes them (Kryo; those are its own record
 *           markers): any record type; the only body before string blocks existed
 *   2       string block: int count | count × (varint (byteLength &lt;&lt; 1 | nonAscii) | bytes)
 * </pre>
 *
 * <p>A string block's bytes are each {@code char} in turn, as in modified UTF-8: one byte below
 * U+0080, two below U+0800, three otherwise. A surrogate is encoded as the {@code char} it is,
 * so every Java string (even one with an unpaired surrogate) reads back equal; the
 * {@code nonAscii} bit is clear when every byte is below 0x80, and such a string is read back with
 * one copy. Blocks whose records are all {@code String}s (socket and text receivers) are written
 * this way: three to five times cheaper than Kryo per line, which writes a class id and resets
 * its reference map per record. Other blocks keep the Kryo body, and logs written before string
 * blocks read back unchanged. A body kind this build does not know (a newer writer) is refused
 * with the record's position.
 *
 * <p>Threading: safe from any thread; each thread encodes string blocks into a scratch buffer of
 * its own, reused by its next encode (the log has read it by then: an append returns only after).
 */
final class BlockPayload {
    static final int PREFIX_BYTES = 12;
    static final byte STRINGS = 2;
    /** Scratch buffers larger than this are not kept between calls. */
    private static final int KEEP_SCRATCH_BYTES = 4 << 20;
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[64 << 10]);

    private BlockPayload() {
    }

    /** A decoded payload: the block's id and its records. */
    record Decoded(InputBlock id, List<?> records) {
    }

    /**
     * An encoded payload: the first {@code length} bytes of {@code bytes}. The array may be the
     * encoding thread's scratch buffer, valid until that thread encodes again.
     */
    record Encoded(byte[] bytes, int length) {
        byte[] copy() {
            return Arrays.copyOf(bytes, length);
        }
    }

    /** Returns the payload of block {@code id} holding {@code records}. */
    static Encoded encode(InputBlock id, List<?> records) {
        Encoder e = new Encoder(SCRATCH.get());
        e.pos = PREFIX_BYTES;
        e.ensure(5);
        e.buf[e.pos++] = STRINGS;
        e.putInt(records.size());
        // One pass: the records are touched once (they are rarely in the cache), and a block that
        // turns out not to be all strings starts over in Kryo.
        for (Object r : records) {
            if (!(r instanceof String s)) {
                return kryo(id, records);
            }
            e.putString(s);
        }
        putPrefix(e.buf, id);
        if (e.buf.length <= KEEP_SCRATCH_BYTES) {
            SCRATCH.set(e.buf);
        } else {
            SCRATCH.remove();
        }
        return new Encoded(e.buf, e.pos);
    }

    private static Encoded kryo(InputBlock id, List<?> records) {
        byte[] body = RecordBytes.of(records.iterator());
        byte[] out = new byte[PREFIX_BYTES + body.length];
        putPrefix(out, id);
        System.arraycopy(body, 0, out, PREFIX_BYTES, body.length);
        return new Encoded(out, out.length);
    }

    private static void putPrefix(byte[] b, InputBlock id) {
        putInt(b, 0, id.streamId());
        long s = id.sequence();
        putInt(b, 4, (int) (s >>> 32));
        putInt(b, 8, (int) s);
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    private static int getInt(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }

    /**
     * Returns the block in {@code payload}, logged at {@code position}.
     *
     * @throws SluiceException naming the position if the body is of an unknown kind or malformed
     */
    static Decoded decode(WalPosition position, byte[] payload) {
        if (payload.length <= PREFIX_BYTES) {
            throw malformed(position, "a block record of " + payload.length + " bytes is too short");
        }
        InputBlock id = new InputBlock(getInt(payload, 0),
                (long) getInt(payload, 4) << 32 | (getInt(payload, 8) & 0xffffffffL));
        byte kind = payload[PREFIX_BYTES];
        if (kind == 0 || kind == 1) {
            return new Decoded(id, RecordBytes.read(Arrays.copyOfRange(payload, PREFIX_BYTES, payload.length)));
        }
        if (kind != STRINGS) {
            throw new SluiceException("write-ahead log record " + position + " holds a block body of kind " + kind
                    + ", which this build does not read (kinds 0-2); it was written by a newer Sluice: recover with "
                    + "that version");
        }
        return new Decoded(id, new Decoder(position, payload).strings());
    }

    private static SluiceException malformed(WalPosition position, String detail) {
        return new SluiceException("write-ahead log record " + position + " is not a valid block: " + detail
                + " (its CRC matched, so it was written so: a bug in the writer)");
    }

    /** Appends to a growable buffer. */
    private static final class Encoder {
        byte[] buf;
        int pos;

        Encoder(byte[] buf) {
            this.buf = buf;
        }

        void ensure(long more) {
            if (pos + more > buf.length) {
                long size = Math.max(buf.length * 2L, pos + more);
                if (size > Integer.MAX_VALUE - 8) {
                    throw new IllegalArgumentException("a block of more than 2 GiB cannot be logged; store fewer "
                            + "records per call");
                }
                buf = Arrays.copyOf(buf, (int) size);
            }
        }

        void putInt(int v) {
            BlockPayload.putInt(buf, pos, v);
            pos += 4;
        }

        void putVarint(int v) {
            while ((v & ~0x7f) != 0) {
                buf[pos++] = (byte) (v & 0x7f | 0x80);
                v >>>= 7;
            }
            buf[pos++] = (byte) v;
        }

        /** Writes {@code s}, optimistically as ASCII; starts over in the general form at its first other char. */
        void putString(String s) {
            int n = s.length();
            if (n > (Integer.MAX_VALUE >>> 2)) {
                throw new IllegalArgumentException("a string of " + n + " chars is too long to log");
            }
            ensure(5L + n);
            int start = pos;
            putVarint(n << 1);
            byte[] b = buf;
            int p = pos;
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c >= 0x80) {
                    pos = start;
                    putNonAscii(s);
                    return;
                }
                b[p++] = (byte) c;
            }
            pos = p;
        }

        private void putNonAscii(String s) {
            int n = s.length();
            long bytes = 0;
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
            }
            if (bytes > (Integer.MAX_VALUE >>> 1)) {
                throw new IllegalArgumentException("a string of " + n + " chars is too long to log");
            }
            ensure(5 + bytes);
            putVarint((int) bytes << 1 | 1);
            byte[] b = buf;
            int p = pos;
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c < 0x80) {
                    b[p++] = (byte) c;
                } else if (c < 0x800) {
                    b[p++] = (byte) (0xc0 | c >> 6);
                    b[p++] = (byte) (0x80 | c & 0x3f);
                } else {
                    b[p++] = (byte) (0xe0 | c >> 12);
                    b[p++] = (byte) (0x80 | c >> 6 & 0x3f);
                    b[p++] = (byte) (0x80 | c & 0x3f);
                }
            }
            pos = p;
        }
    }

    /** Reads a string body, checking every length against what is left. */
    private static final class Decoder {
        private final WalPosition position;
        private final byte[] b;
        private int pos = PREFIX_BYTES + 1;

        Decoder(WalPosition position, byte[] b) {
            this.position = position;
            this.b = b;
        }

        List<String> strings() {
            if (b.length - pos < 4) {
                throw malformed(position, "the string count is cut off");
            }
            int count = getInt(b, pos);
            pos += 4;
            if (count < 0 || count > b.length - pos) {
                throw malformed(position, "it declares " + count + " strings in " + (b.length - pos) + " bytes");
            }
            List<String> out = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int header = varint(i);
                int length = header >>> 1;
                if (length > b.length - pos) {
                    throw malformed(position, "string " + i + " declares " + length + " bytes, "
                            + (b.length - pos) + " are left");
                }
                out.add((header & 1) == 0 ? new String(b, pos, length, StandardCharsets.ISO_8859_1)
                        : chars(i, length));
                pos += length;
            }
            if (pos != b.length) {
                throw malformed(position, (b.length - pos) + " bytes follow the last string");
            }
            return out;
        }

        private int varint(int string) {
            int v = 0;
            for (int shift = 0; shift < 35; shift += 7) {
                if (pos >= b.length) {
                    break;
                }
                byte x = b[pos++];
                v |= (x & 0x7f) << shift;
                if (x >= 0) {
                    return v;
                }
            }
            throw malformed(position, "the length of string " + string + " is cut off or too long");
        }

        private String chars(int string, int length) {
            char[] out = new char[length];
            int n = 0;
            int end = pos + length;
            for (int p = pos; p < end; ) {
                int x = b[p++] & 0xff;
                if (x < 0x80) {
                    out[n++] = (char) x;
                } else if ((x & 0xe0) == 0xc0 && p < end && isContinuation(b[p])) {
                    out[n++] = (char) ((x & 0x1f) << 6 | b[p++] & 0x3f);
                } else if ((x & 0xf0) == 0xe0 && p + 1 < end && isContinuation(b[p]) && isContinuation(b[p + 1])) {
                    out[n++] = (char) ((x & 0x0f) << 12 | (b[p] & 0x3f) << 6 | b[p + 1] & 0x3f);
                    p += 2;
                } else {
                    throw malformed(position, "string " + string + " has an invalid byte 0x"
                            + Integer.toHexString(x) + " at " + (p - 1 - pos) + " of its " + length);
                }
            }
            return new String(out, 0, n);
        }

        private static boolean isContinuation(byte x) {
            return (x & 0xc0) == 0x80;
        }
    }
}
