package dev.sluice.core.broadcast;

import dev.sluice.core.serializer.KryoSerializer;

/**
 * One broadcast's data: the value's Kryo bytes, made once when it was broadcast, and the copy
 * deserialized from them on first use and shared by every reader.
 *
 * <p>Threading: the copy is made at most once per {@link #unpersist()}, under this object's lock;
 * reads of an existing copy take no lock.
 */
final class BroadcastEntry {
    private final long id;
    private final KryoSerializer serializer;
    private volatile byte[] bytes;
    private volatile Object value;

    BroadcastEntry(long id, byte[] bytes, KryoSerializer serializer) {
        this.id = id;
        this.bytes = bytes;
        this.serializer = serializer;
    }

    Object value() {
        Object v = value;
        if (v != null) {
            return v;
        }
        synchronized (this) {
            if (value == null) {
                byte[] b = bytes;
                if (b == null) {
                    throw destroyed(id);
                }
                value = serializer.deserialize(b);
            }
            return value;
        }
    }

    void unpersist() {
        value = null;
    }

    synchronized void destroy() {
        bytes = null;
        value = null;
    }

    boolean isDestroyed() {
        return bytes == null;
    }

    /** Returns the size of the serialized value in bytes, 0 once destroyed. */
    int serializedSize() {
        byte[] b = bytes;
        return b == null ? 0 : b.length;
    }

    static IllegalStateException destroyed(long id) {
        return new IllegalStateException("broadcast " + id + " was destroyed (or its engine closed), so its value is "
                + "gone; broadcast the value again with Engine.broadcast(...), and destroy a broadcast only after the "
                + "last job that reads it");
    }
}
