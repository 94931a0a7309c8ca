package dev.sluice.core.dataset;

import dev.sluice.core.serializer.KryoSerializer;
import java.io.Serializable;

/**
 * Hands out a fresh copy of a fold's zero value per key, so that a mutable zero (a list, a
 * counter object) is never shared between keys. Immutable JDK values are handed out as they are.
 */
public final class ZeroValues<T> implements Serializable {
    private final T zero;
    private final byte[] bytes;
    private final transient KryoSerializer serializer;

    private ZeroValues(T zero, byte[] bytes, KryoSerializer serializer) {
        this.zero = zero;
        this.bytes = bytes;
        this.serializer = serializer;
    }

    /** Returns the supplier of copies of {@code zero}. */
    public static <T> ZeroValues<T> of(KryoSerializer serializer, T zero) {
        if (isImmutable(zero)) {
            return new ZeroValues<>(zero, null, null);
        }
        return new ZeroValues<>(zero, serializer.serialize(zero), serializer);
    }

    /** Returns true if {@code value} is null or an immutable JDK value, which needs no copy. */
    public static boolean isImmutable(Object value) {
        return value == null || value instanceof String || value instanceof Number || value instanceof Boolean
                || value instanceof Character || value instanceof Enum<?>;
    }

    /** Returns a copy of the zero value (the value itself when it is immutable). */
    public T fresh() {
        return bytes == null ? zero : serializer.deserialize(bytes);
    }
}
