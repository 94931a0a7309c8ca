package dev.sluice.core.serializer;

import static com.google.common.base.Preconditions.checkNotNull;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import dev.sluice.core.SluiceException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;

/**
 * Turns objects, and streams of records, into Kryo bytes and back.
 *
 * <p>A stream of records is written without a count, so it can be produced from an iterator in
 * one pass: each record is preceded by a {@code true} marker and the stream ends with {@code
 * false}. Every record is its own Kryo object graph, so references are shared within a record,
 * never across records.
 *
 * <p>Threading: safe from any thread. Each call borrows a Kryo instance from a thread-safe pool
 * and returns it when done.
 *
 * <p>Bytes are trusted: they must come from this class (a block or a checkpoint of this engine),
 * because reading may instantiate any class on the classpath.
 */
public final class KryoSerializer {
    private static final int BUFFER_SIZE = 4096;

    private final KryoPool pool = new KryoPool(Runtime.getRuntime().availableProcessors() * 2);

    /** Creates a serializer with its own pool of Kryo instances. */
    public KryoSerializer() {}

    /** Returns the bytes of {@code o}, which may be {@code null}. */
    public byte[] serialize(Object o) {
        return withKryo(kryo -> {
            Output output = new Output(BUFFER_SIZE, -1);
            writeObject(kryo, output, o);
            return output.toBytes();
        });
    }

    /**
     * Returns the object serialized in {@code bytes}.
     *
     * @throws SluiceException if the bytes cannot be read back, with the Kryo failure as cause
     */
    public <T> T deserialize(byte[] bytes) {
        checkNotNull(bytes, "bytes");
        return withKryo(kryo -> readObject(kryo, new Input(bytes), bytes.length));
    }

    /** Returns the bytes of a stream of records; see the class comment for the format. */
    public byte[] serializeAll(Iterator<?> records) {
        checkNotNull(records, "records");
        return withKryo(kryo -> {
            Output output = new Output(BUFFER_SIZE, -1);
            writeRecords(kryo, output, records);
            return output.toBytes();
        });
    }

    /**
     * Returns the records of a stream written by {@link #serializeAll} or {@link #writeAll}.
     *
     * @throws SluiceException if the bytes cannot be read back, with the Kryo failure as cause
     */
    public <T> List<T> deserializeAll(byte[] bytes) {
        checkNotNull(bytes, "bytes");
        return withKryo(kryo -> readRecords(kryo, new Input(bytes), bytes.length));
    }

    /** Writes a stream of records to {@code out} and flushes it; {@code out} is left open. */
    public void writeAll(Iterator<?> records, OutputStream out) {
        checkNotNull(records, "records");
        checkNotNull(out, "out");
        withKryo(kryo -> {
            Output output = new Output(out, BUFFER_SIZE);
            writeRecords(kryo, output, records);
            output.flush();
            return null;
        });
    }

    /**
     * Reads a stream of records written by {@link #writeAll} or {@link #serializeAll} from
     * {@code in}. Reading is buffered, so {@code in} may be consumed past the stream's end; {@code
     * in} is left open.
     *
     * @throws SluiceException if the stream cannot be read back, with the failure as cause
     */
    public <T> List<T> readAll(InputStream in) {
        checkNotNull(in, "in");
        return withKryo(kryo -> readRecords(kryo, new Input(in, BUFFER_SIZE), -1));
    }

    /**
     * Reads a stream of records written by {@link #writeAll} from {@code in}, handing each to
     * {@code each} as it is read (no list of them all); returns how many. Reading is buffered, as
     * for {@link #readAll}.
     *
     * @throws SluiceException if the stream cannot be read back, with the failure as cause
     */
    public long forEach(InputStream in, java.util.function.Consumer<Object> each) {
        checkNotNull(in, "in");
        checkNotNull(each, "each");
        return withKryo(kryo -> readEach(kryo, new Input(in, BUFFER_SIZE), -1, each));
    }

    private <R> R withKryo(Function<Kryo, R> action) {
        Kryo kryo = pool.obtain();
        // A Kryo that failed mid-graph may hold stale reference state: drop it, never reuse it.
        R result = action.apply(kryo);
        pool.free(kryo);
        return result;
    }

    private static void writeRecords(Kryo kryo, Output output, Iterator<?> records) {
        while (records.hasNext()) {
            output.writeBoolean(true);
            writeObject(kryo, output, records.next());
        }
        output.writeBoolean(false);
    }

    private static void writeObject(Kryo kryo, Output output, Object o) {
        try {
            kryo.writeClassAndObject(output, o);
        } catch (RuntimeException e) {
            throw new SluiceException(String.format(
                    "cannot serialize an object of %s with Kryo: %s",
                    o == null ? "null" : o.getClass().getName(), e.getMessage()), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> readRecords(Kryo kryo, Input input, int length) {
        List<T> records = new ArrayList<>();
        readEach(kryo, input, length, o -> records.add((T) o));
        return records;
    }

    /** Reads records up to the stream's end marker, handing each to {@code each}; returns how many. */
    private static long readEach(Kryo kryo, Input input, int length, java.util.function.Consumer<Object> each) {
        long n = 0;
        while (readMarker(input, length, n)) {
            each.accept(readObject(kryo, input, length));
            n++;
        }
        return n;
    }

    private static boolean readMarker(Input input, int length, long recordsRead) {
        try {
            return input.readBoolean();
        } catch (RuntimeException e) {
            throw failure(length, "after record " + recordsRead + ", the stream ended without its end marker", e);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T readObject(Kryo kryo, Input input, int length) {
        try {
            return (T) kryo.readClassAndObject(input);
        } catch (RuntimeException e) {
            throw failure(length, e.getMessage(), e);
        }
    }

    private static SluiceException failure(int length, String detail, Throwable cause) {
        String source = length < 0 ? "a stream" : length + " bytes";
        return new SluiceException(String.format(
                "cannot deserialize %s with Kryo: %s; the bytes are corrupt or were written with "
                        + "different classes on the classpath", source, detail), cause);
    }
}
