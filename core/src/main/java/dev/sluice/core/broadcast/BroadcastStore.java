package dev.sluice.core.broadcast;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.sluice.core.Broadcast;
import dev.sluice.core.serializer.KryoSerializer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates an engine's broadcasts and destroys them (each on request, all when the engine closes).
 *
 * <p>Why a table per JVM, not per engine: a handle read back from bytes (a function shipped to
 * another thread or, later, another process) has only its id, and must find the value from that
 * alone, as a remote member's broadcast cache will (fetching the bytes from the driver on a miss).
 * Ids are therefore unique within the JVM, and the table maps each live id to its entry. Each
 * store remembers which ids it created, to destroy them when its engine closes.
 *
 * <p>Threading: safe from any thread.
 */
public final class BroadcastStore {
    private static final Logger log = LoggerFactory.getLogger(BroadcastStore.class);
    private static final AtomicLong IDS = new AtomicLong();
    private static final ConcurrentMap<Long, BroadcastEntry> LIVE = new ConcurrentHashMap<>();

    private final KryoSerializer serializer;
    private final Set<Long> created = ConcurrentHashMap.newKeySet();

    /** Creates the store of one engine, serializing values with {@code serializer}. */
    public BroadcastStore(KryoSerializer serializer) {
        this.serializer = checkNotNull(serializer, "serializer");
    }

    /** Serializes {@code value} once and returns the handle that reads it. */
    public <T> Broadcast<T> create(T value) {
        checkNotNull(value, "value: cannot broadcast null; broadcast an Optional or an empty collection instead");
        long id = IDS.incrementAndGet();
        BroadcastEntry entry = new BroadcastEntry(id, serializer.serialize(value), serializer);
        LIVE.put(id, entry);
        created.add(id);
        log.debug("broadcast {}: {} bytes of {}", id, entry.serializedSize(), value.getClass().getName());
        return new BroadcastHandle<>(id, entry);
    }

    /** Returns how many of this store's broadcasts are live. */
    public int liveCount() {
        created.removeIf(id -> !LIVE.containsKey(id));
        return created.size();
    }

    /** Destroys every broadcast this store created; called when the engine closes. */
    public void destroyAll() {
        for (Long id : created) {
            destroy(id);
        }
        created.clear();
    }

    static BroadcastEntry live(long id) {
        return LIVE.get(id);
    }

    static void destroy(long id) {
        BroadcastEntry entry = LIVE.remove(id);
        if (entry != null) {
            entry.destroy();
            log.debug("broadcast {}: destroyed", id);
        }
    }
}
