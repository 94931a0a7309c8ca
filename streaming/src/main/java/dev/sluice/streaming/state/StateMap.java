package dev.sluice.streaming.state;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoSerializable;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The state of one partition of a mapWithState stream: key → (state, last update time), as a
 * chain of compact open-addressing hash maps, each one batch's changes layered on the previous.
 *
 * <h2>Design notes</h2>
 *
 * <p><b>Structure.</b> One level of the chain is three parallel arrays, {@code keys},
 * {@code values} and {@code times} (the batch time of the key's last update or access), probed
 * linearly from a multiplicative hash of the key. A level holds puts and tombstones (a removal of
 * a key an older level holds); a lookup asks the levels youngest first. A slot costs 4 + 4 + 8
 * bytes (compressed oops), and levels stay between 30% and 60% full, so a key costs 27 to 53
 * bytes beyond its key and value objects: no entry object, no boxed time, no cached hash (the
 * keys' own {@code hashCode}, which {@code String} caches, is used).
 *
 * <p><b>Why not copy a HashMap per batch.</b> The state dataset of batch {@code t} must stay
 * exactly as it was, because lineage recomputation (a retried task, a lost block) may read it
 * again to rebuild batch {@code t + 1}. Copying the whole map to change 1% of it would make every
 * batch cost the full state. Instead batch {@code t + 1} builds a new level ({@link #newDelta})
 * holding only what it touched, on top of batch {@code t}'s map, which it never writes.
 *
 * <p><b>Invariants.</b> (1) A level is written only by the task that creates it, before the
 * level is returned from that task; afterwards it is read-only, and may be shared by any number
 * of younger levels and read from any thread. (2) The youngest level holding a key decides it:
 * a value, or a tombstone meaning "no state". (3) {@link #size} is the number of live keys of
 * the whole chain. (4) Each level is at most {@link #MAX_LOAD} full. (5) A chain returned by
 * {@link #compacted} is at most {@link #MAX_DEPTH} + 1 levels long.
 *
 * <p><b>Compaction.</b> {@link #compacted} is called on a finished level. An empty level is
 * dropped (an idle batch adds nothing). While the level has at least {@code 1 / MERGE_RATIO}
 * (a half) as many slots in use as its parent, or the chain is deeper than {@link #MAX_DEPTH},
 * it is merged with its parent into a new level (the parent is copied, never changed). So level
 * sizes at least double from the youngest to the root, as in a binary counter or the levels of
 * an LSM tree: the chain is about {@code log2(keys / batch keys)} deep, a lookup probes that
 * many levels, and a key is copied about that many times over the life of a batch's changes,
 * so a batch's amortized cost is proportional to the keys it touches (times a log), not to the
 * whole state, and most batches copy nothing. A batch touching every key merges straight into
 * a new root, dropping the tombstones. (A greedier ratio such as 4 was worse: the level under
 * the root then absorbs every second batch and is copied each time.)
 *
 * <p><b>Timeouts.</b> Finding idle keys scans every live key ({@link #iterator}); the state
 * stream does that only when a timeout is set.
 *
 * <p><b>Serialization.</b> Kryo writes the live entries of the whole chain, flattened; reading
 * gives a single root level. No registration is needed.
 *
 * <p>Threading: see invariant (1); a level being written must not be shared.
 *
 * @param <K> the key type ({@code null} allowed)
 * @param <S> the state type (never {@code null})
 */
public final class StateMap<K, S> implements KryoSerializable {
    /** A level merges into its parent while it is at least 1/MERGE_RATIO of the parent's size. */
    static final int MERGE_RATIO = 2;
    /** The deepest chain allowed after {@link #compacted}: a bound on lookups for tiny batches. */
    static final int MAX_DEPTH = 16;
    private static final double MAX_LOAD = 0.6;
    private static final int MIN_CAPACITY = 16;
    private static final Object TOMBSTONE = new Object();
    private static final Object NULL_KEY = new Object();

    private Object[] keys;
    private Object[] values;
    private long[] times;
    /** Slots in use in this level (live entries and tombstones). */
    private int used;
    /** Live keys of the whole chain. */
    private long size;
    private StateMap<K, S> parent;
    /** Levels below this one: 0 for the root. */
    private int depth;
    /** The newest time written to a slot of this level (puts and tombstones): a delta skips older levels. */
    private long maxTime = Long.MIN_VALUE;
    /**
     * On a root: the newest time of a tombstone a merge into a root dropped, in this chain's
     * history; a delta since a time before it would lose that removal, so it must be a base.
     */
    private long droppedTombstones = Long.MIN_VALUE;

    private StateMap() {
        // for Kryo
    }

    private StateMap(StateMap<K, S> parent, int expectedEntries) {
        this.parent = parent;
        this.depth = parent == null ? 0 : parent.depth + 1;
        this.size = parent == null ? 0 : parent.size;
        allocate(capacityFor(expectedEntries));
    }

    /** Returns a new, empty root map. */
    public static <K, S> StateMap<K, S> empty() {
        return new StateMap<>(null, 0);
    }

    /** Returns a new, empty level on top of this map, for one batch's changes; this map is not changed. */
    public StateMap<K, S> newDelta() {
        if (parent == null && size == 0) {
            StateMap<K, S> fresh = empty();
            fresh.droppedTombstones = droppedTombstones;
            fresh.maxTime = maxTime;
            return fresh;
        }
        return new StateMap<>(this, 0);
    }

    // ---------------------------------------------------------------- reads

    /** Returns the state of {@code key}, or {@code null} if it has none. */
    public S get(K key) {
        Object k = maskNull(key);
        int hash = hash(k);
        for (StateMap<K, S> m = this; m != null; m = m.parent) {
            int slot = m.find(k, hash);
            if (slot >= 0) {
                return m.liveValue(slot);
            }
        }
        return null;
    }

    /** Returns the time of {@code key}'s last update or access, or -1 if it has no state. */
    public long updateTime(K key) {
        Object k = maskNull(key);
        int hash = hash(k);
        for (StateMap<K, S> m = this; m != null; m = m.parent) {
            int slot = m.find(k, hash);
            if (slot >= 0) {
                return m.values[slot] == TOMBSTONE ? -1 : m.times[slot];
            }
        }
        return -1;
    }

    /** Returns the number of keys with state in the whole chain. */
    public long size() {
        return size;
    }

    /** Returns the number of levels: 1 for a root. */
    public int chainLength() {
        return depth + 1;
    }

    /** Returns the live entries of the whole chain, each key once, youngest level first. */
    public Iterator<Entry<K, S>> iterator() {
        return new ChainIterator();
    }

    /** One key's state and last update time, as {@link #iterator} returns them. */
    public record Entry<K, S>(K key, S state, long updateTime) {
    }

    // ---------------------------------------------------------------- writes (the level being built only)

    /** Sets {@code key}'s state and update time in this level. */
    public void put(K key, S state, long time) {
        if (state == null) {
            throw new NullPointerException("state of key " + key + " must not be null; remove the key instead");
        }
        Object k = maskNull(key);
        int hash = hash(k);
        int slot = find(k, hash);
        if (slot >= 0) {
            if (values[slot] == TOMBSTONE) {
                size++;
            }
        } else {
            if (parent == null || parent.get(key) == null) {
                size++;
            }
            slot = insertSlot(k, hash);
        }
        values[slot] = state;
        times[slot] = time;
        maxTime = Math.max(maxTime, time);
    }

    /**
     * Sets {@code key}'s state and update time in this level, given whether the key had state
     * just before (what {@link #get} said): saves the walk of the older levels that
     * {@link #put(Object, Object, long)} needs for a key new to this level.
     */
    public void put(K key, S state, long time, boolean hadState) {
        if (state == null) {
            throw new NullPointerException("state of key " + key + " must not be null; remove the key instead");
        }
        Object k = maskNull(key);
        int hash = hash(k);
        int slot = find(k, hash);
        if (slot < 0) {
            slot = insertSlot(k, hash);
        }
        if (!hadState) {
            size++;
        }
        values[slot] = state;
        times[slot] = time;
        maxTime = Math.max(maxTime, time);
    }

    /**
     * Removes {@code key}'s state, with no known time: its tombstone counts as newer than any
     * checkpoint, so every delta keeps it. Engine code passes the batch time ({@link #remove(Object, long)}).
     */
    public void remove(K key) {
        remove(key, Long.MAX_VALUE);
    }

    /**
     * Removes {@code key}'s state at batch time {@code time} (a tombstone in this level if an older
     * level holds the key): a delta since a time before {@code time} carries the removal.
     */
    public void remove(K key, long time) {
        Object k = maskNull(key);
        int hash = hash(k);
        int slot = find(k, hash);
        if (slot >= 0) {
            if (values[slot] != TOMBSTONE) {
                size--;
            }
        } else if (parent != null && parent.get(key) != null) {
            size--;
            slot = insertSlot(k, hash);
        } else {
            return;
        }
        // A tombstone, even if no older level holds the key: linear probing cannot empty a slot.
        values[slot] = TOMBSTONE;
        times[slot] = time;
        maxTime = Math.max(maxTime, time);
    }

    // ---------------------------------------------------------------- compaction

    /**
     * Returns a map with the same content as this finished level whose chain obeys the
     * compaction policy (see the class comment): this level merged into its parents while it is
     * large relative to them or the chain is too deep. Neither this level nor its parents change.
     */
    public StateMap<K, S> compacted() {
        if (used == 0 && parent != null) {
            return parent;
        }
        StateMap<K, S> m = this;
        while (m.parent != null
                && ((long) m.used * MERGE_RATIO >= m.parent.used || m.depth > MAX_DEPTH || m.parent.used == 0)) {
            m = m.mergedWithParent();
        }
        return m;
    }

    private StateMap<K, S> mergedWithParent() {
        StateMap<K, S> p = parent;
        boolean toRoot = p.parent == null;
        StateMap<K, S> merged = new StateMap<>(p.parent, used + p.used);
        merged.size = size;
        long dropped = p.droppedTombstones;
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] == null) {
                continue;
            }
            if (toRoot && values[i] == TOMBSTONE) { // the root needs no tombstones
                dropped = Math.max(dropped, times[i]);
            } else {
                merged.copySlot(keys[i], values[i], times[i]);
            }
        }
        for (int i = 0; i < p.keys.length; i++) {
            Object k = p.keys[i];
            if (k == null || find(k, hash(k)) >= 0) {
                continue;
            }
            if (toRoot && p.values[i] == TOMBSTONE) {
                dropped = Math.max(dropped, p.times[i]);
            } else {
                merged.copySlot(k, p.values[i], p.times[i]);
            }
        }
        merged.droppedTombstones = toRoot ? dropped : Long.MIN_VALUE;
        return merged;
    }

    private void copySlot(Object k, Object value, long time) {
        int slot = insertSlot(k, hash(k));
        values[slot] = value;
        times[slot] = time;
        maxTime = Math.max(maxTime, time);
    }

    // ---------------------------------------------------------------- incremental checkpoints

    /** What {@link #forEachChangeSince} visits: a key's state, or {@code null} for a removal, and its time. */
    @FunctionalInterface
    public interface ChangeVisitor<K, S> {
        /** Visits one change; {@code state} is {@code null} for a removal. */
        void visit(K key, S state, long time);
    }

    /**
     * Returns true if {@link #forEachChangeSince}{@code (since)} gives every change after
     * {@code since}: false once a merge into a root dropped a tombstone newer than {@code since}
     * (that removal is then known only to a full copy).
     */
    public boolean hasChangesSince(long since) {
        StateMap<K, S> root = this;
        while (root.parent != null) {
            root = root.parent;
        }
        return root.droppedTombstones <= since;
    }

    /**
     * Visits, each key once, the youngest entry of every key whose last update, access or removal
     * is after {@code since}: the delta from the state at {@code since} to this one (valid when
     * {@link #hasChangesSince} says so). Levels with nothing newer than {@code since} are skipped
     * without a scan. Reads only; a finished chain may be read from any thread.
     */
    public void forEachChangeSince(long since, ChangeVisitor<K, S> visitor) {
        for (StateMap<K, S> level = this; level != null; level = level.parent) {
            if (level.maxTime <= since) {
                continue;
            }
            Object[] ks = level.keys;
            for (int i = 0; i < ks.length; i++) {
                Object k = ks[i];
                if (k != null && level.times[i] > since && !shadowed(level, k)) {
                    visitor.visit(unmaskNull(k), level.liveValue(i), level.times[i]);
                }
            }
        }
    }

    /** Returns the youngest time written to any level of this chain ({@code Long.MIN_VALUE} if none). */
    public long newestTime() {
        long t = Long.MIN_VALUE;
        for (StateMap<K, S> m = this; m != null; m = m.parent) {
            t = Math.max(t, m.maxTime);
        }
        return t;
    }

    /**
     * Builds a root level directly from entries with distinct keys (a checkpoint read back): no
     * chain walks, no resizing beyond the expected count. Single-threaded; {@link #build} hands
     * the finished root over.
     */
    public static final class Loader<K, S> {
        private final StateMap<K, S> root;

        /** Creates a loader for about {@code expectedEntries} entries. */
        public Loader(long expectedEntries) {
            root = new StateMap<>(null, (int) Math.min(expectedEntries, 1 << 29));
        }

        /** Adds {@code key}, which no earlier call added, with its state and time. */
        public void add(K key, S state, long time) {
            if (state == null) {
                throw new NullPointerException("state of key " + key + " must not be null");
            }
            root.copySlot(maskNull(key), state, time);
            root.size++;
        }

        /** Returns the loaded root; the loader must not be used afterwards. */
        public StateMap<K, S> build() {
            return root;
        }
    }

    // ---------------------------------------------------------------- hashing

    private static int hash(Object k) {
        int h = k.hashCode() * 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    private int find(Object k, int hash) {
        int mask = keys.length - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask) {
            Object present = keys[i];
            if (present == null) {
                return -1;
            }
            if (present == k || present.equals(k)) {
                return i;
            }
        }
    }

    /** Returns a free slot for a key known to be absent from this level, growing first if needed. */
    private int insertSlot(Object k, int hash) {
        if (used + 1 > keys.length * MAX_LOAD) {
            grow();
        }
        int mask = keys.length - 1;
        int i = hash & mask;
        while (keys[i] != null) {
            i = (i + 1) & mask;
        }
        keys[i] = k;
        used++;
        return i;
    }

    private void grow() {
        Object[] oldKeys = keys;
        Object[] oldValues = values;
        long[] oldTimes = times;
        allocate(oldKeys.length * 2);
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != null) {
                copySlot(oldKeys[i], oldValues[i], oldTimes[i]);
            }
        }
    }

    private void allocate(int capacity) {
        keys = new Object[capacity];
        values = new Object[capacity];
        times = new long[capacity];
        used = 0;
    }

    private static int capacityFor(long entries) {
        long needed = (long) Math.ceil(entries / MAX_LOAD) + 1;
        long capacity = Math.max(MIN_CAPACITY, Long.highestOneBit(needed - 1) << 1);
        if (capacity > (1 << 30)) {
            throw new IllegalStateException("a state partition cannot hold " + entries
                    + " keys; use more partitions (StateSpec.numPartitions)");
        }
        return (int) capacity;
    }

    @SuppressWarnings("unchecked")
    private S liveValue(int slot) {
        Object v = values[slot];
        return v == TOMBSTONE ? null : (S) v;
    }

    private static Object maskNull(Object key) {
        return key == null ? NULL_KEY : key;
    }

    @SuppressWarnings("unchecked")
    private static <K> K unmaskNull(Object key) {
        return key == NULL_KEY ? null : (K) key;
    }

    /** Returns true if a level younger than {@code level} (this one included) holds {@code k}. */
    private boolean shadowed(StateMap<K, S> level, Object k) {
        int hash = hash(k);
        for (StateMap<K, S> m = this; m != level; m = m.parent) {
            if (m.find(k, hash) >= 0) {
                return true;
            }
        }
        return false;
    }

    private final class ChainIterator implements Iterator<Entry<K, S>> {
        private StateMap<K, S> level = StateMap.this;
        private int slot = -1;
        private Entry<K, S> next = advance();

        private Entry<K, S> advance() {
            while (level != null) {
                for (slot++; slot < level.keys.length; slot++) {
                    Object k = level.keys[slot];
                    if (k != null && level.values[slot] != TOMBSTONE && !shadowed(level, k)) {
                        return new Entry<>(unmaskNull(k), level.liveValue(slot), level.times[slot]);
                    }
                }
                level = level.parent;
                slot = -1;
            }
            return null;
        }

        @Override
        public boolean hasNext() {
            return next != null;
        }

        @Override
        public Entry<K, S> next() {
            if (next == null) {
                throw new NoSuchElementException();
            }
            Entry<K, S> out = next;
            next = advance();
            return out;
        }
    }

    // ---------------------------------------------------------------- Kryo

    @Override
    public void write(Kryo kryo, Output output) {
        output.writeVarLong(size, true);
        for (Iterator<Entry<K, S>> it = iterator(); it.hasNext(); ) {
            Entry<K, S> e = it.next();
            kryo.writeClassAndObject(output, e.key());
            kryo.writeClassAndObject(output, e.state());
            output.writeVarLong(e.updateTime(), true);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public void read(Kryo kryo, Input input) {
        long n = input.readVarLong(true);
        parent = null;
        depth = 0;
        size = 0;
        allocate(capacityFor(n));
        for (long i = 0; i < n; i++) {
            K key = (K) kryo.readClassAndObject(input);
            S state = (S) kryo.readClassAndObject(input);
            put(key, state, input.readVarLong(true));
        }
    }

    @Override
    public String toString() {
        return "StateMap(" + size + " keys, " + chainLength() + " levels)";
    }
}
