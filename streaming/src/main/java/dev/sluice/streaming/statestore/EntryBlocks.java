package dev.sluice.streaming.statestore;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The entries of a version-2 base or delta file: blocks of up to {@value #BLOCK} entries, each a
 * mode byte, its entry count (a varint) and the entries' times (8 bytes each), then
 * <ul>
 *   <li>{@link #TAGGED}: per entry the key, then the state, each a tag byte and its value:
 *       {@code null} (a removal's state), a {@code String} (its length in chars, then one byte
 *       per char if every char is below 256, else two), a {@code Long} or an {@code Integer}
 *       (zigzag varints);</li>
 *   <li>{@link #KRYO}: for a block holding any other class, its byte length and a Kryo record
 *       stream (key, state, key, state, ...), as version 1 wrote the whole file.</li>
 * </ul>
 *
 * <p>Why: the state of most streams is keyed by strings or numbers and holds numbers, and
 * Kryo's path per object (class lookup, reference bookkeeping and a reset of its reference table
 * after every top-level object, a marker byte per record) was about half of the writer's CPU
 * for a 5,000,000-key base (a JFR profile: 443 of 1,128 samples in {@code writeClassAndObject}
 * and {@code Kryo.reset}). Tagged blocks write those classes straight into a buffer; any other
 * class still goes through the engine's serializer, so user types are written as before.
 *
 * <p>Before each block a tight loop reads each key's and state's class (and a string's length):
 * the objects of a large state lie scattered over the heap and each first read is a cache miss;
 * a loop that only loads lets the processor overlap them, and tells which mode the block takes.
 */
final class EntryBlocks {
    /** Entries per block. */
    static final int BLOCK = 256;
    static final byte TAGGED = 1;
    static final byte KRYO = 2;
    static final byte NULL = 0;
    static final byte LATIN1 = 1;
    static final byte UTF16 = 2;
    static final byte LONG = 3;
    static final byte INT = 4;
    /** Strings up to this many chars are copied into the buffer in one pass, checked as they go. */
    private static final int SHORT_STRING = 4096;
    private static final int BUFFER = 1 << 16;

    private EntryBlocks() {
    }

    /**
     * Writes entries in blocks to a stream as they are added (one block is held: no array of all
     * the entries, which for a 5,000,000-key base were 80 MB of humongous arrays); {@link #finish}
     * writes the last block and what is buffered. Not thread-safe.
     */
    static final class Writer implements StateCodec.EntryVisitor {
        private final OutputStream sink;
        private final StateFiles.Serialization serializer;
        private final Runnable pace;
        private final byte[] buf = new byte[BUFFER];
        private int pos;
        private final Object[] keys = new Object[BLOCK];
        private final Object[] states = new Object[BLOCK];
        private final long[] times = new long[BLOCK];
        private int held;
        private long blocks;
        private long written;
        /** What the touch loops read, kept so that they are not removed. */
        private int touched;

        /** {@code pace} runs every 16 blocks (the writer's chance to let a running batch go first). */
        Writer(OutputStream sink, StateFiles.Serialization serializer, Runnable pace) {
            this.sink = sink;
            this.serializer = serializer;
            this.pace = pace;
        }

        /** Adds one entry ({@code null} state: a removal). */
        @Override
        public void visit(Object key, Object state, long time) {
            keys[held] = key;
            states[held] = state;
            times[held] = time;
            if (++held == BLOCK) {
                writeBlock();
            }
        }

        /** Returns how many entries were added. */
        long entries() {
            return written + held;
        }

        private void writeBlock() {
            if ((blocks++ & 15) == 0) {
                pace.run();
            }
            try {
                boolean tagged = touchAllTagged();
                ensure(6 + 8 * held);
                buf[pos++] = tagged ? TAGGED : KRYO;
                varInt(held);
                for (int i = 0; i < held; i++) {
                    long t = times[i];
                    for (int shift = 56; shift >= 0; shift -= 8) {
                        buf[pos++] = (byte) (t >>> shift);
                    }
                }
                if (tagged) {
                    writeTagged();
                } else {
                    writeKryo();
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            Arrays.fill(keys, 0, held, null);
            Arrays.fill(states, 0, held, null);
            written += held;
            held = 0;
        }

        /** Reads the held entries' objects in one loop (see the class comment); true if all are tagged classes. */
        private boolean touchAllTagged() {
            boolean tagged = true;
            int acc = touched;
            for (int i = 0; i < held; i++) {
                Object k = keys[i];
                Object s = states[i];
                acc += touch(k) + touch(s);
                tagged &= isTagged(k) & isTagged(s);
            }
            touched = acc;
            return tagged;
        }

        private static int touch(Object o) {
            return o instanceof String s ? s.length() : o == null ? 0 : 1;
        }

        private void writeTagged() throws IOException {
            for (int i = 0; i < held; i++) {
                value(keys[i]);
                value(states[i]);
            }
        }

        private void writeKryo() throws IOException {
            ByteArrayOutputStream block = new ByteArrayOutputStream(64 * held);
            serializer.writeAll(new BlockObjects(keys, states, held), block);
            ensure(5);
            varInt(block.size());
            flushBuffer();
            block.writeTo(sink);
        }

        private void value(Object o) throws IOException {
            if (o == null) {
                ensure(1);
                buf[pos++] = NULL;
            } else if (o instanceof String s) {
                string(s);
            } else if (o instanceof Long l) {
                ensure(11);
                buf[pos++] = LONG;
                varLong((l << 1) ^ (l >> 63));
            } else {
                int n = (Integer) o;
                ensure(6);
                buf[pos++] = INT;
                varInt((n << 1) ^ (n >> 31));
            }
        }

        private void string(String s) throws IOException {
            int n = s.length();
            if (n <= SHORT_STRING) {
                ensure(6 + n);
                int tagAt = pos;
                buf[pos++] = LATIN1;
                varInt(n);
                for (int i = 0; i < n; i++) {
                    char c = s.charAt(i);
                    if (c > 0xff) {
                        pos = tagAt;
                        utf16(s);
                        return;
                    }
                    buf[pos++] = (byte) c;
                }
                return;
            }
            boolean latin1 = true;
            for (int i = 0; i < n && latin1; i++) {
                latin1 = s.charAt(i) <= 0xff;
            }
            if (!latin1) {
                utf16(s);
                return;
            }
            ensure(6);
            buf[pos++] = LATIN1;
            varInt(n);
            for (int i = 0; i < n; i++) {
                ensure(1);
                buf[pos++] = (byte) s.charAt(i);
            }
        }

        private void utf16(String s) throws IOException {
            int n = s.length();
            ensure(6);
            buf[pos++] = UTF16;
            varInt(n);
            for (int i = 0; i < n; i++) {
                ensure(2);
                char c = s.charAt(i);
                buf[pos++] = (byte) (c >>> 8);
                buf[pos++] = (byte) c;
            }
        }

        private void varInt(int v) {
            while ((v & ~0x7f) != 0) {
                buf[pos++] = (byte) ((v & 0x7f) | 0x80);
                v >>>= 7;
            }
            buf[pos++] = (byte) v;
        }

        private void varLong(long v) {
            while ((v & ~0x7fL) != 0) {
                buf[pos++] = (byte) ((v & 0x7f) | 0x80);
                v >>>= 7;
            }
            buf[pos++] = (byte) v;
        }

        private void ensure(int bytes) throws IOException {
            if (pos + bytes > buf.length) {
                flushBuffer();
            }
        }

        private void flushBuffer() throws IOException {
            sink.write(buf, 0, pos);
            pos = 0;
        }

        /** Writes the last block and what is buffered to the stream (leaving it open). */
        void finish() throws IOException {
            if (held > 0) {
                try {
                    writeBlock();
                } catch (java.io.UncheckedIOException e) {
                    throw e.getCause();
                }
            }
            flushBuffer();
        }
    }

    /** True for the classes a tagged block holds. */
    static boolean isTagged(Object o) {
        if (o == null) {
            return true;
        }
        Class<?> c = o.getClass();
        return c == String.class || c == Long.class || c == Integer.class;
    }

    /** Key, state, key, state, ... of the first {@code n} entries of a block, for a Kryo record stream. */
    private static final class BlockObjects implements Iterator<Object> {
        private final Object[] keys;
        private final Object[] states;
        private final int end;
        private int i;

        BlockObjects(Object[] keys, Object[] states, int n) {
            this.keys = keys;
            this.states = states;
            this.end = 2 * n;
        }

        @Override
        public boolean hasNext() {
            return i < end;
        }

        @Override
        public Object next() {
            if (i >= end) {
                throw new NoSuchElementException();
            }
            int k = i++;
            return (k & 1) == 0 ? keys[k >> 1] : states[k >> 1];
        }
    }

    /** Receives one decoded entry: its key, state and time. */
    @FunctionalInterface
    interface Sink {
        void entry(Object key, Object state, long time);
    }

    /**
     * Reads {@code count} entries of a file named {@code name} from {@code in}, which must end
     * right after them, handing each to {@code sink} in file order.
     *
     * @throws StateCheckpointException naming the file if the blocks cannot be decoded
     */
    static void read(String name, InputStream in, long count, StateFiles.Serialization serializer, Sink sink)
            throws IOException {
        new Reader(name, in).readAll(count, serializer, sink);
    }

    private static final class Reader {
        private final String name;
        private final InputStream in;
        private final long[] times = new long[BLOCK];
        private final byte[] buf = new byte[BUFFER];
        private int pos;
        private int limit;

        Reader(String name, InputStream in) {
            this.name = name;
            this.in = in;
        }

        void readAll(long count, StateFiles.Serialization serializer, Sink sink) throws IOException {
            int entry = 0;
            while (entry < count) {
                byte mode = readByte();
                int n = readVarInt();
                if (n <= 0 || n > BLOCK || entry + (long) n > count) {
                    throw corrupt("has a block of " + n + " entries at entry " + entry + " of " + count);
                }
                if (mode != TAGGED && mode != KRYO) {
                    throw corrupt("has an unknown block mode " + mode + " at entry " + entry);
                }
                for (int j = 0; j < n; j++) {
                    times[j] = readLong();
                }
                if (mode == TAGGED) {
                    for (int j = 0; j < n; j++) {
                        Object key = readValue();
                        sink.entry(key, readValue(), times[j]);
                    }
                    entry += n;
                } else {
                    entry = readKryo(entry, n, serializer, sink);
                }
            }
            if (pos < limit || in.read() >= 0) {
                throw corrupt("holds more than the " + count + " entries its header says");
            }
        }

        private int readKryo(int first, int n, StateFiles.Serialization serializer, Sink sink) throws IOException {
            byte[] block = readBytes(readVarInt());
            Object[] key = {null};
            int[] next = {0};
            long objects = serializer.readEach(new ByteArrayInputStream(block), o -> {
                int k = next[0]++;
                if (k >= 2 * n) {
                    throw corrupt("has a Kryo block with more than its " + n + " entries at entry " + first);
                }
                if ((k & 1) == 0) {
                    key[0] = o;
                } else {
                    sink.entry(key[0], o, times[k >> 1]);
                }
            });
            if (objects != 2L * n) {
                throw corrupt("has a Kryo block of " + objects + " objects for " + n + " entries at entry " + first);
            }
            return first + n;
        }

        private Object readValue() throws IOException {
            byte tag = readByte();
            switch (tag) {
                case NULL:
                    return null;
                case LATIN1: {
                    int n = readLength(1);
                    if (n <= limit - pos) {
                        String s = new String(buf, pos, n, StandardCharsets.ISO_8859_1);
                        pos += n;
                        return s;
                    }
                    return new String(readBytes(n), StandardCharsets.ISO_8859_1);
                }
                case UTF16:
                    return new String(readBytes(readLength(2) * 2), StandardCharsets.UTF_16BE);
                case LONG: {
                    long v = readVarLong();
                    return (v >>> 1) ^ -(v & 1);
                }
                case INT: {
                    int v = readVarInt();
                    return (v >>> 1) ^ -(v & 1);
                }
                default:
                    throw corrupt("has an unknown value tag " + tag);
            }
        }

        private int readLength(int bytesPerUnit) throws IOException {
            int n = readVarInt();
            if (n < 0 || n > Integer.MAX_VALUE / 2 / bytesPerUnit) {
                throw corrupt("has an impossible string length " + n);
            }
            return n;
        }

        private long readLong() throws IOException {
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (readByte() & 0xff);
            }
            return v;
        }

        private byte readByte() throws IOException {
            if (pos == limit && !fill()) {
                throw new java.io.EOFException(name + " ended inside its entries");
            }
            return buf[pos++];
        }

        private int readVarInt() throws IOException {
            int v = 0;
            for (int shift = 0; shift < 35; shift += 7) {
                byte b = readByte();
                v |= (b & 0x7f) << shift;
                if (b >= 0) {
                    return v;
                }
            }
            throw corrupt("has a malformed varint");
        }

        private long readVarLong() throws IOException {
            long v = 0;
            for (int shift = 0; shift < 70; shift += 7) {
                byte b = readByte();
                v |= (long) (b & 0x7f) << shift;
                if (b >= 0) {
                    return v;
                }
            }
            throw corrupt("has a malformed varint");
        }

        private byte[] readBytes(int n) throws IOException {
            if (n < 0) {
                throw corrupt("has an impossible length " + n);
            }
            byte[] out = new byte[Math.min(n, BUFFER)];
            int have = 0;
            while (have < n) {
                if (pos == limit && !fill()) {
                    throw new java.io.EOFException(name + " ended inside its entries");
                }
                int take = Math.min(n - have, limit - pos);
                if (have + take > out.length) {
                    out = Arrays.copyOf(out, (int) Math.min(n, Math.max(have + take, 2L * out.length)));
                }
                System.arraycopy(buf, pos, out, have, take);
                pos += take;
                have += take;
            }
            return out;
        }

        private boolean fill() throws IOException {
            int r = in.read(buf, 0, buf.length);
            if (r <= 0) {
                return false;
            }
            pos = 0;
            limit = r;
            return true;
        }

        private StateCheckpointException corrupt(String what) {
            return new StateCheckpointException(name, what, null);
        }
    }
}
