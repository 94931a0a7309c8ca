package dev.sluice.core.spi;

import dev.sluice.core.serializer.KryoSerializer;
import java.util.Iterator;
import java.util.List;

/**
 * The engine's byte form of a stream of records (Kryo), for the stream engine's own files: a
 * write-ahead-log record of a received block is written and read back with it.
 *
 * <p>Bytes are trusted: they must come from this class, because reading may instantiate any class
 * on the classpath. Threading: safe from any thread.
 */
public final class RecordBytes {
    private static final KryoSerializer SERIALIZER = new KryoSerializer();

    private RecordBytes() {
    }

    /** Returns the bytes of {@code records}. */
    public static byte[] of(Iterator<?> records) {
        return SERIALIZER.serializeAll(records);
    }

    /**
     * Returns the records written by {@link #of}.
     *
     * @throws dev.sluice.core.SluiceException if the bytes cannot be read back
     */
    public static <T> List<T> read(byte[] bytes) {
        return SERIALIZER.deserializeAll(bytes);
    }
}
