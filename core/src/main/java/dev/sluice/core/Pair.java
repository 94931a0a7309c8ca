package dev.sluice.core;

import java.io.Serializable;

/**
 * A key and a value: the record type of every {@link PairDataset}.
 *
 * <p>Either side may be {@code null}; keyed operations hash and compare keys with
 * {@link Object#hashCode()} and {@link Object#equals(Object)}.
 *
 * @param key   the key
 * @param value the value
 */
public record Pair<K, V>(K key, V value) implements Serializable {

    /** Returns a pair of {@code key} and {@code value}. */
    public static <K, V> Pair<K, V> of(K key, V value) {
        return new Pair<>(key, value);
    }

    /** Returns a pair with this key and the given value. */
    public <W> Pair<K, W> withValue(W newValue) {
        return new Pair<>(key, newValue);
    }

    @Override
    public String toString() {
        return "(" + key + "," + value + ")";
    }
}
