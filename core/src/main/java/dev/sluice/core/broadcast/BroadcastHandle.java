package dev.sluice.core.broadcast;

import dev.sluice.core.Broadcast;

/**
 * The {@link Broadcast} that user functions capture. Only {@link #id} is serialized (every other
 * field is transient), so a function shipped as bytes carries the id, not the value; a handle
 * read back from bytes finds its entry by id in {@link BroadcastStore}'s table of live broadcasts.
 */
final class BroadcastHandle<T> implements Broadcast<T> {
    private static final long serialVersionUID = 1L;

    private final long id;
    private transient volatile BroadcastEntry entry;

    BroadcastHandle(long id, BroadcastEntry entry) {
        this.id = id;
        this.entry = entry;
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    @SuppressWarnings("unchecked")
    public T value() {
        return (T) entry().value();
    }

    @Override
    public void unpersist() {
        BroadcastEntry e = BroadcastStore.live(id);
        if (e != null) {
            e.unpersist();
        }
    }

    @Override
    public void destroy() {
        BroadcastStore.destroy(id);
    }

    @Override
    public boolean isDestroyed() {
        BroadcastEntry e = entry;
        return e == null ? BroadcastStore.live(id) == null : e.isDestroyed();
    }

    private BroadcastEntry entry() {
        BroadcastEntry e = entry;
        if (e == null) {
            e = BroadcastStore.live(id);
            if (e == null) {
                throw BroadcastEntry.destroyed(id);
            }
            entry = e;
        }
        return e;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BroadcastHandle<?> other && other.id == id;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(id);
    }

    @Override
    public String toString() {
        return "Broadcast(" + id + ")";
    }
}
