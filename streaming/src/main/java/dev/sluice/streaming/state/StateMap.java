package dev.sluice.streaming.state;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoSerializable;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The state of one partition of a mapWithState stream: key → (state, last update time), as a
 * chain of compact open-addressing hash maps, each one batch's changes layered on the previous.
 *
 * <h2>Design notes</h2>
 *
 * <p><b>Structure.</b> One level of the chain is three parallel tables, {@code keys},
 * {@code values} and {@code times} (the batch time of the key's last update or access), probed
 * linearly from a multiplicative hash of the key (a probe reads one-byte hash tags and looks at
 * a key object only when its tag matches). Each table is cut into chunks of at most
 * {@value #CHUNK} slots (a 64 KB {@code Object[]}, a 64 KB {@code int[]} of times), so no level array is
 * a humongous object under G1, whatever the level's size (a single array of 131,072 longs already
 * is, with 2 MB regions; such arrays are allocated in the old generation, start a concurrent cycle
 * and, for {@code Object[]}, are kept until one ends). A level holds puts and tombstones (a removal of
 * a key an older level holds); a lookup asks the levels youngest first. A slot costs 4 + 4 + 4
 * bytes (compressed oops, a four-byte time) plus a one-byte tag, and levels stay between 30% and
 * 60% full, so a key costs 22 to 44 bytes beyond its key and value objects (28 to 57 with
 * eight-byte times): no entry object, no boxed time, no cached hash (the
 * keys' own {@code hashCode}, which {@code String} caches, is used).
 *
 * <p><b>Times in four bytes.</b> A level keeps its times as {@code int} offsets from a base of its
 * own ({@code narrowTimes}), {@code Long.MAX_VALUE} and {@code Long.MIN_VALUE} as two reserved
 * codes, while every time it holds lies within about 24.8 days of the base; a time that does not
 * fit turns that level's times into {@code long}s ({@code wideTimes}), exactly. A batch's level
 * takes its parent's base, so a copy-on-write merge can share the parent's chunks; a level with no
 * time of its own yet takes the first time written as its base instead when the parent's does not
 * fit; a merge into a new table centres the base on the union of both levels' times, so a state
 * whose keys were last updated within about 37 days of each other stays in four bytes however
 * long the stream runs. A slot's time took 8 of its 17 bytes and now takes 4 of 13: at
 * 10,000,000 keys the state holds about 67 MB less, and every level a merge or a batch writes is
 * that much less for the young collector to copy.
 *
 * <p><b>States as four-byte numbers.</b> While every state a level holds is a {@code Long} that
 * fits an {@code int}, the level keeps them as {@code int}s ({@code narrowValues}), with
 * {@code Integer.MIN_VALUE} reserved for a removal; a read makes a new {@code Long} (or takes a
 * cached one). The first other state written to a level (a larger {@code Long}, one equal to the
 * reserved code, any other class) turns that level's states into objects, exactly; a level
 * written later (a batch's, or a merge's new table) starts in codes again. A copy-on-write merge
 * of a level in codes into one in codes moves the codes themselves. A slot costs the same four
 * bytes as a reference, and the state has no box per key: with counters as states (a word count,
 * the 10,000,000-key benchmark) that is 16 bytes less per key, and, what matters more, no
 * {@code Long} per update that is promoted, lives in the old generation until the key's next
 * update, and dies there among the long-lived keys. Those dead boxes were what G1's mixed
 * collections spent their pauses copying the keys' regions for. A state read back is equal to the
 * one written, not the same object ({@code Long} is a value-based class).
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
 * it is merged with its parent into a new level (the parent is never changed). So level
 * sizes at least double from the youngest to the root, as in a binary counter or the levels of
 * an LSM tree: the chain is about {@code log2(keys / batch keys)} deep, a lookup probes that
 * many levels, and a key is copied about that many times over the life of a batch's changes,
 * so a batch's amortized cost is proportional to the keys it touches (times a log), not to the
 * whole state, and most batches copy nothing. A batch touching every key merges straight into
 * a new root, dropping the tombstones. (A greedier ratio such as 4 was worse: the level under
 * the root then absorbs every second batch and is copied each time.)
 *
 * <p><b>Merged levels are sized to their union</b>: a merge into the root holds exactly the
 * chain's live keys ({@link #size}); another merge, the parent's slots plus the child's keys the
 * parent lacks (counted first). When that needs the parent's capacity, the usual case for a batch
 * of updates to known keys, the merged level starts as the parent's chunks, shared, and copies a
 * chunk's arrays only before their first write (copy on write: an update copies the values and
 * times, an insertion or removal the keys and tags too), then applies the child's slots in place
 * (a removal merged into the root deletes its slot by backward shifting): no rehash of the
 * parent, and chunks no child key lands in stay shared. Otherwise both levels are rehashed into
 * a new table of the union's size.
 *
 * <p><b>Merges into a large level run in the background.</b> A merge into a level (the root or
 * any other) of at least {@link #backgroundMinCapacity} slots would make its batch copy millions
 * of slots while it waits. Instead {@link #compacted} leaves the level where it is and hands the
 * merge to one background thread; batches go on stacking levels on top. The merged level is
 * content-equal to the two levels it was made from. A later {@link #compacted} adopts it, from
 * the root up: the level directly above the pair is re-parented onto the merged level (or, if it
 * is the very level that was merged, dropped from the chain), and the merged level's parent is
 * set to the pair's parent as it is then (a merge adopted below may have replaced it by a
 * content-equal level). This is the one change to a finished level: its {@code parent} link
 * (volatile) moves to a level with the same content, so every read before and after gives the
 * same answers; readers that walk several levels (iteration, deltas) take the chain once, as an
 * array. A level remembers the ids of the levels merged into it as the parent, so a level that
 * absorbed the merged one (it holds all of its content, under its own) is recognised and still
 * re-parented; a finished merge that a chain cannot adopt (another branch, a retried batch's) or
 * a failed one is ignored, and that chain merges in its batch. A chain deeper than
 * {@link #MAX_DEPTH} merges in its batch even past a running merge, whose result is then not
 * adopted: the depth bound holds whatever the background thread's speed.
 *
 * <p><b>Visiting every key.</b> A base checkpoint visits each live key once, with its youngest
 * entry ({@link #forEachLive}; deltas likewise, {@link #forEachChangeSince}). Whether a key of a
 * younger level is shadowed by a still younger one is asked of one set of the younger levels'
 * keys, built as they are visited (chunked, with hashes). The oldest level scanned, usually the
 * root of millions of keys, is not probed key by key: each key of that set is looked up in it
 * once, marking the slots it shadows in a bit set, and then its slots are read in order. So the
 * root costs a sequential scan plus one probe per younger key, not one probe per root key (in a
 * profile of 10,000,000-key base checkpoints the per-key probe was 44% of the writer's CPU).
 *
 * <p><b>One key object per key.</b> A batch's records bring their own key objects, equal to the
 * ones the chain holds. The task building a level asks {@link #getForUpdate}, and its write then
 * stores the key object the chain already holds, so a key touched by many batches is still one
 * object, and the batch's copy dies young. At 10,000,000 keys with batches touching 1% of them,
 * the younger levels had held about 5 million duplicate keys: each was copied by the young
 * collector, promoted, and later old garbage that G1 reclaims with mixed collections. A merge
 * then reads old, scattered key objects rather than a batch's fresh ones, so merge loops read
 * the next block's hashes ahead ({@link #touchHashes}), as scans do.
 *
 * <p><b>Timeouts.</b> Finding idle keys scans every live key ({@link #forEachLive}); the state
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
    static final int CHUNK_SHIFT = 14;
    /** Slots per chunk of a level's tables: far below half of G1's smallest region (1 MB). */
    static final int CHUNK = 1 << CHUNK_SHIFT;
    private static final int CHUNK_MASK = CHUNK - 1;
    private static final double MAX_LOAD = 0.6;
    private static final int MIN_CAPACITY = 16;
    private static final Object TOMBSTONE = new Object();
    /** A removal in {@link #narrowValues}; a {@code Long} of this value is stored as an object. */
    private static final int TOMBSTONE_CODE = Integer.MIN_VALUE;
    /** {@link #owned} bits: a chunk's keys and tags, its values and times, both. */
    private static final int OWN_KEYS = 1;
    private static final int OWN_VALUES = 2;
    private static final int OWN_ALL = OWN_KEYS | OWN_VALUES;
    private static final Object NULL_KEY = new Object();
    private static final java.util.concurrent.atomic.AtomicLong IDS = new java.util.concurrent.atomic.AtomicLong();
    private static final long[] NONE = new long[0];
    /** How many absorbed levels a level remembers (a bound on a long-lived level's list). */
    private static final int MAX_ABSORBED = 32;
    /** Levels with at least this many slots are merged into in the background (tests lower it). */
    static volatile int backgroundMinCapacity = 1 << 19;
    /** Runs background merges: one low-priority daemon thread (tests install their own, run when they choose). */
    static volatile java.util.concurrent.Executor merger = defaultMerger();
    /** Set by the streaming runtime: a background merge waits between chunks while it says so. */
    private static volatile java.util.function.BooleanSupplier backgroundYield;
    private static final ThreadLocal<Boolean> IN_BACKGROUND = ThreadLocal.withInitial(() -> Boolean.FALSE);
    private static final long MAX_MERGE_YIELD_NANOS = 1_000_000_000L;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StateMap.class);

    /**
     * Makes background merges wait between chunks of 16,384 slots while {@code yieldWanted} is
     * true (a batch runs and the stream has slack, {@code BatchActivity#yieldWanted}), at most 1 s
     * at a time; merges in a batch's own task never wait. The merge thread is one per JVM, so the
     * context that started last decides; {@code null} turns it off.
     */
    public static void yieldBackgroundMergesWhile(java.util.function.BooleanSupplier yieldWanted) {
        backgroundYield = yieldWanted;
    }

    /** Between chunks of a merge: waits while asked to, if this is a background merge. */
    private static void pauseIfBackground() {
        java.util.function.BooleanSupplier wanted = backgroundYield;
        if (wanted == null || !IN_BACKGROUND.get() || !wanted.getAsBoolean()) {
            return;
        }
        dev.sluice.streaming.statestore.YieldToBatches.waitWhile(wanted, MAX_MERGE_YIELD_NANOS);
    }

    private static java.util.concurrent.Executor defaultMerger() {
        return java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sluice-state-merge");
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY);
            return t;
        });
    }

    /** A merge into a large level running in the background: of the level {@code merged} (id {@code id}). */
    private static final class BackgroundMerge<K, S> {
        final long id;
        final StateMap<K, S> merged;
        volatile StateMap<K, S> result;
        volatile boolean failed;

        BackgroundMerge(StateMap<K, S> merged) {
            this.id = merged.id;
            this.merged = merged;
        }
    }

    private Object[][] keys;
    /**
     * One byte per slot: 0 for an empty slot, else 1-255 from the key's hash. A probe reads only
     * these until a tag matches or a slot is empty, so a key that is not in a level costs one
     * cache line of this level, not a visit to every key object its probe passes.
     */
    private byte[][] tags;
    /** The states as objects, {@link #TOMBSTONE} for a removal; null while {@link #narrowValues} holds them. */
    private Object[][] values;
    /**
     * While every state of this level is a {@code Long} that fits an {@code int} (other than
     * {@link #TOMBSTONE_CODE}): the states as {@code int}s, {@link #TOMBSTONE_CODE} for a removal,
     * and {@link #values} is null (see "States as four-byte numbers"). Else null.
     */
    private int[][] narrowValues;
    /** The times as offsets from {@link #timeBase} (see "Times in four bytes"); null once wide. */
    private int[][] narrowTimes;
    /** The times as longs, once one did not fit an offset; else null. */
    private long[][] wideTimes;
    private long timeBase;
    /** False until a time sets {@link #timeBase} (inherited from the parent, or the first written). */
    private boolean hasBase;
    /** True once this level's own table holds a time relative to its base (it may then not rebase). */
    private boolean baseInUse;
    /** The least and greatest times written to this level other than the two reserved ones (a merge's base). */
    private long lowTime = Long.MAX_VALUE;
    private long highTime = Long.MIN_VALUE;
    /** Slots of this level (a power of two): one chunk below {@link #CHUNK}, else capacity / CHUNK chunks. */
    private int capacity;
    /**
     * During a copy-on-write merge only: per chunk, which of its arrays this level owns
     * ({@link #OWN_KEYS}, {@link #OWN_VALUES}; the others are still its parent's).
     */
    private byte[] owned;
    /** Slots in use in this level (live entries and tombstones). */
    private int used;
    /** Tombstones among them. */
    private int tombstones;
    /** Live keys of the whole chain. */
    private long size;
    /** Volatile: a background merge may move it to a level with the same content (class comment). */
    private volatile StateMap<K, S> parent;
    /** Levels below this one: 0 for the root (updated with {@link #parent}). */
    private volatile int depth;
    /** This level's unique id. */
    private long id = IDS.incrementAndGet();
    /**
     * The ids of the levels merged into this one as the parent (newest last, at most
     * {@value #MAX_ABSORBED}): this level holds all of their content, under its own.
     */
    private long[] absorbed = NONE;
    /** The background merge into this level, if one was started. */
    private volatile BackgroundMerge<K, S> backgroundMerge;
    /** The newest time written to a slot of this level (puts and tombstones): a delta skips older levels. */
    private long maxTime = Long.MIN_VALUE;
    /**
     * Only while a task builds this level: the key object {@link #getForUpdate} was last asked
     * for, and the equal key object the chain already held (or {@code null}), which the next
     * write of that same key object stores instead; and whether a level older than this one held
     * live state for it, which a removal of that key object then need not look up again.
     */
    private Object askedKey;
    private Object heldKey;
    private boolean askedOlderLive;
    /**
     * On a root: the newest time of a tombstone a merge into a root dropped, in this chain's
     * history; a delta since a time before it would lose that removal, so it must be a base.
     */
    private long droppedTombstones = Long.MIN_VALUE;

    private StateMap() {
        // for Kryo
    }

    private StateMap(StateMap<K, S> parent, long expectedEntries) {
        this(parent, expectedEntries, false);
    }

    /** A new level; its states are objects from the start if {@code objectValues} (else codes until one has none). */
    private StateMap(StateMap<K, S> parent, long expectedEntries, boolean objectValues) {
        this.parent = parent;
        this.depth = parent == null ? 0 : parent.depth + 1;
        this.size = parent == null ? 0 : parent.size;
        if (parent != null && parent.narrowTimes != null) {
            timeBase = parent.timeBase;
            hasBase = parent.hasBase;
        }
        allocate(capacityFor(expectedEntries), false, objectValues);
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

    /**
     * Returns the state of {@code key}, or {@code null} if it has none, as {@link #get} does, for
     * the task building this level, which then writes that same key object: the write
     * ({@link #put(Object, Object, long, boolean)}, {@link #remove(Object, long)}) stores the
     * key object the chain already holds instead of the batch's equal copy. So the chain keeps
     * one key object per key however many levels hold it, and the batch's copy can die young
     * (at 10,000,000 keys, batches touching 1% of them had left about 5 million duplicate keys
     * live in the younger levels, each copied by the collector and later old garbage).
     */
    public S getForUpdate(K key) {
        Object k = maskNull(key);
        int hash = hash(k);
        askedKey = k;
        for (StateMap<K, S> m = this; m != null; m = m.parent) {
            int slot = m.find(k, hash);
            if (slot >= 0) {
                heldKey = m.key(slot);
                S state = m.liveValue(slot);
                askedOlderLive = m != this && state != null;
                return state;
            }
        }
        heldKey = null;
        askedOlderLive = false;
        return null;
    }

    /** Returns the key object to store for {@code k}: the chain's own if {@link #getForUpdate} just found it. */
    private Object heldOr(Object k) {
        return k == askedKey && heldKey != null ? heldKey : k;
    }

    /** Returns the time of {@code key}'s last update or access, or -1 if it has no state. */
    public long updateTime(K key) {
        Object k = maskNull(key);
        int hash = hash(k);
        for (StateMap<K, S> m = this; m != null; m = m.parent) {
            int slot = m.find(k, hash);
            if (slot >= 0) {
                return m.isTombstone(slot) ? -1 : m.time(slot);
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
            if (isTombstone(slot)) {
                size++;
            }
        } else {
            if (parent == null || parent.get(key) == null) {
                size++;
            }
            slot = insertSlot(k, hash);
        }
        setSlot(slot, state, time);
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
            slot = insertSlot(heldOr(k), hash);
        }
        if (!hadState) {
            size++;
        }
        setSlot(slot, state, time);
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
            if (!isTombstone(slot)) {
                size--;
            }
        } else if (k == askedKey ? askedOlderLive : parent != null && parent.get(key) != null) {
            size--; // an older level holds it (getForUpdate of this key object said so, or the walk)
            slot = insertSlot(heldOr(k), hash);
        } else {
            return;
        }
        // A tombstone, even if no older level holds the key: linear probing cannot empty a slot.
        setSlot(slot, TOMBSTONE, time);
    }

    // ---------------------------------------------------------------- compaction

    /**
     * Returns a map with the same content as this finished level whose chain obeys the
     * compaction policy (see the class comment): this level merged into its parents while it is
     * large relative to them or the chain is too deep. Neither this level nor its parents change.
     */
    public StateMap<K, S> compacted() {
        askedKey = null; // finished: holds no batch's key
        heldKey = null;
        adoptBackgroundMerges();
        if (used == 0 && parent != null) {
            return parent;
        }
        StateMap<K, S> m = this;
        while (m.parent != null
                && ((long) m.used * MERGE_RATIO >= m.parent.used || m.depth > MAX_DEPTH || m.parent.used == 0)) {
            StateMap<K, S> p = m.parent;
            BackgroundMerge<K, S> job = p.backgroundMerge;
            // A finished merge this chain could not adopt (another branch's), or a failed one: merge here.
            // Too deep a chain merges in the batch even past a running merge (whose result is then not adopted).
            if (p.capacity >= backgroundMinCapacity && m.depth <= MAX_DEPTH
                    && (job == null || (!job.failed && job.result == null))) {
                if (job == null) {
                    startBackgroundMerge(p, m);
                }
                break; // m stays above p until the merged level is adopted
            }
            m = m.mergedWithParent();
        }
        m.startDeepMerge();
        return m;
    }

    /**
     * Starts, unless a merge of this chain is running already, a background merge of the deepest
     * pair of levels that meets the merge rule (the upper one holds at least {@code 1 /
     * MERGE_RATIO} of the entries of the one below, and that one has at least
     * {@link #backgroundMinCapacity} slots). {@link #compacted}'s walk starts at the top and stops
     * at the first pair that does not meet the rule, so equal levels below a small one (the
     * batches that loaded the state, or two merges that ended side by side) were never merged: at
     * 10,000,000 keys a partition's chain held 13 to 16 levels, the root only 1.5M of its 5M keys,
     * and every lookup, delta and base paid for each level.
     */
    private void startDeepMerge() {
        List<StateMap<K, S>> chain = levels();
        for (StateMap<K, S> level : chain) {
            BackgroundMerge<K, S> job = level.backgroundMerge;
            if (job != null && job.result == null && !job.failed) {
                return; // one at a time: the merge thread's queue holds no stale work
            }
        }
        for (int i = chain.size() - 1; i >= 1; i--) {
            StateMap<K, S> lower = chain.get(i);
            StateMap<K, S> upper = chain.get(i - 1);
            if (lower.backgroundMerge == null && lower.capacity >= backgroundMinCapacity && upper.used > 0
                    && (long) upper.used * MERGE_RATIO >= lower.used) {
                startBackgroundMerge(lower, upper);
                return;
            }
        }
    }

    private static <K, S> void startBackgroundMerge(StateMap<K, S> into, StateMap<K, S> level) {
        BackgroundMerge<K, S> job = new BackgroundMerge<>(level);
        into.backgroundMerge = job;
        try {
            merger.execute(() -> {
                IN_BACKGROUND.set(Boolean.TRUE);
                try {
                    job.result = job.merged.mergedWithParent();
                } catch (RuntimeException | OutOfMemoryError e) {
                    job.failed = true; // the next batch merges in its task, as without a background thread
                    LOG.warn("background merge of a level of {} slots in use into one of {} failed; the next batch"
                            + " merges in its task", level.used, into.used, e);
                } finally {
                    IN_BACKGROUND.set(Boolean.FALSE);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            job.failed = true;
        }
    }

    /** Returns true if this level is level {@code levelId} or holds it (merged into it as the parent). */
    private boolean contains(long levelId) {
        if (id == levelId) {
            return true;
        }
        for (long a : absorbed) {
            if (a == levelId) {
                return true;
            }
        }
        return false;
    }

    /** Counts adopted background merges (tests check that they happen). */
    static final java.util.concurrent.atomic.AtomicInteger ADOPTED = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * For every level of this chain with a finished background merge of the level this chain
     * holds directly above it (that level, or one that absorbed it), puts the merged level in
     * place of the two: content-equal, so no reader sees a difference. From the root up, so a
     * merged level's parent is the (possibly just adopted) level below it.
     */
    private void adoptBackgroundMerges() {
        List<StateMap<K, S>> chain = levels();
        boolean adopted = false;
        for (int i = chain.size() - 1; i >= 1; i--) {
            StateMap<K, S> level = chain.get(i);
            BackgroundMerge<K, S> job = level.backgroundMerge;
            StateMap<K, S> above = chain.get(i - 1);
            if (job == null || job.result == null || !above.contains(job.id)) {
                continue;
            }
            StateMap<K, S> merged = job.result;
            if (above == job.merged && i == 1) {
                continue; // this level is it: compacted() of a finished level is not asked twice
            }
            merged.parent = level.parent; // content-equal to what the merge saw; drops a replaced one
            if (above == job.merged) { // the merged level itself: all of it is in the merged level
                chain.get(i - 2).parent = merged;
                chain.remove(i - 1);
                chain.set(i - 1, merged);
            } else {
                above.parent = merged;
                chain.set(i, merged);
            }
            adopted = true;
            ADOPTED.incrementAndGet();
        }
        if (adopted) {
            for (int i = chain.size() - 1, d = 0; i >= 0; i--, d++) {
                chain.get(i).depth = d;
            }
        }
    }

    /** Returns the entries (live and removed) of each level of the chain, youngest first; for tests of the merges. */
    List<Integer> levelEntries() {
        List<Integer> out = new ArrayList<>();
        for (StateMap<K, S> m : levels()) {
            out.add(m.used);
        }
        return out;
    }

    /** Returns the number of slots of this level (its table's capacity); for tests of the sizing. */
    int capacity() {
        return capacity;
    }

    /** Returns the length of this level's longest array (tests: no level array is humongous under G1). */
    int largestArrayLength() {
        return Math.max(keys.length, keys[0].length);
    }

    /** Returns the slot a key's probe starts from in a table of {@code capacity} slots (tests pick keys by it). */
    static int homeSlot(Object key, int capacity) {
        return hash(maskNull(key)) & (capacity - 1);
    }

    /**
     * Returns the number of this level's chunks whose keys (and tags) are shared with
     * {@code other}, a level it was merged from (tests): -1 if a chunk shares one and not the other.
     */
    int chunksSharedWith(StateMap<?, ?> other) {
        return sharedPairs(keys, tags, other.keys, other.tags);
    }

    /** As {@link #chunksSharedWith}, for the chunks' values and times (tests). */
    int valueChunksSharedWith(StateMap<?, ?> other) {
        Object[] vs = narrowValues != null ? narrowValues : values;
        Object[] otherVs = other.narrowValues != null ? other.narrowValues : other.values;
        return narrowTimes != null && other.narrowTimes != null
                ? sharedPairs(vs, narrowTimes, otherVs, other.narrowTimes)
                : sharedPairs(vs, wideTimes, otherVs, other.wideTimes);
    }

    private static int sharedPairs(Object[] a, Object[] b, Object[] otherA, Object[] otherB) {
        int shared = 0;
        for (int c = 0; c < a.length; c++) {
            boolean sameA = c < otherA.length && a[c] == otherA[c];
            boolean sameB = b != null && otherB != null && c < otherB.length && b[c] == otherB[c];
            if (sameA != sameB) {
                return -1;
            }
            shared += sameA ? 1 : 0;
        }
        return shared;
    }

    private StateMap<K, S> mergedWithParent() {
        long start = System.nanoTime();
        StateMap<K, S> p = parent;
        boolean toRoot = p.parent == null;
        // Sized to the union: the root holds exactly the live keys; another level the parent's slots
        // plus this level's keys the parent lacks.
        long union = toRoot ? size : p.used + absentIn(p);
        int unionCapacity = capacityFor(union);
        StateMap<K, S> merged = unionCapacity == p.capacity && !(toRoot && p.tombstones > 0)
                && p.holdsTimes(lowTime, highTime) ? copyOnWriteMerge(p, toRoot) : rehashMerge(p, toRoot, union);
        if (LOG.isDebugEnabled() && p.capacity >= backgroundMinCapacity) {
            LOG.debug("merge{} of {} slots into {} of {} slots ({}): {}, {} ms", IN_BACKGROUND.get() ? " (background)"
                    : "", used, toRoot ? "the root" : "a level", p.used, p.capacity, merged.owned == null ? "rehashed"
                    : "copy on write, " + ownedChunks(merged.owned) + " of " + merged.owned.length + " chunks copied",
                    (System.nanoTime() - start) / 1_000_000);
        }
        merged.owned = null;
        int keep = Math.min(p.absorbed.length, MAX_ABSORBED - 1);
        merged.absorbed = java.util.Arrays.copyOfRange(p.absorbed, p.absorbed.length - keep, p.absorbed.length + 1);
        merged.absorbed[keep] = p.id;
        return merged;
    }

    /** The chunks a copy-on-write merge copied: "keys and values / values only". */
    private static String ownedChunks(byte[] owned) {
        int all = 0;
        int valuesOnly = 0;
        for (byte b : owned) {
            all += b == OWN_ALL ? 1 : 0;
            valuesOnly += b == OWN_VALUES ? 1 : 0;
        }
        return all + " whole and " + valuesOnly + " values only";
    }

    /** Counts this level's keys that {@code p}'s own table lacks. */
    private long absentIn(StateMap<K, S> p) {
        long absent = 0;
        for (int c = 0; c < keys.length; c++) {
            pauseIfBackground();
            Object[] ks = keys[c];
            for (int j = 0; j < ks.length; j++) {
                touchAhead(ks, j);
                Object k = ks[j];
                if (k != null && p.find(k, hash(k)) < 0) {
                    absent++;
                }
            }
        }
        return absent;
    }

    /** The merge into a new table: this level's slots, then the parent's this level does not shadow. */
    private StateMap<K, S> rehashMerge(StateMap<K, S> p, boolean toRoot, long union) {
        // A merge of a level with objects gets objects at once, not a table of codes to widen.
        StateMap<K, S> merged = new StateMap<>(p.parent, union, values != null || p.values != null);
        merged.centreTimes(Math.min(lowTime, p.lowTime), Math.max(highTime, p.highTime));
        merged.size = size;
        long dropped = p.droppedTombstones;
        for (int c = 0; c < keys.length; c++) {
            pauseIfBackground();
            Object[] ks = keys[c];
            for (int j = 0; j < ks.length; j++) {
                touchAhead(ks, j);
                if (ks[j] == null) {
                    continue;
                }
                if (toRoot && isTombstone(c, j)) { // the root needs no tombstones
                    dropped = Math.max(dropped, timeAt(c, j));
                } else {
                    merged.setSlotFrom(merged.insertSlot(ks[j], hash(ks[j])), this, c, j);
                }
            }
        }
        for (int c = 0; c < p.keys.length; c++) {
            pauseIfBackground();
            Object[] ks = p.keys[c];
            for (int j = 0; j < ks.length; j++) {
                touchAhead(ks, j);
                Object k = ks[j];
                if (k == null || find(k, hash(k)) >= 0) {
                    continue;
                }
                if (toRoot && p.isTombstone(c, j)) {
                    dropped = Math.max(dropped, p.timeAt(c, j));
                } else {
                    merged.setSlotFrom(merged.insertSlot(k, hash(k)), p, c, j);
                }
            }
        }
        merged.droppedTombstones = toRoot ? dropped : Long.MIN_VALUE;
        return merged;
    }

    /**
     * The merge into the parent's table: starts with the parent's chunks (shared), then applies
     * this level's slots in place, copying a chunk before its first write. Same capacity, so the
     * parent's slots stay where they are: no rehash.
     */
    private StateMap<K, S> copyOnWriteMerge(StateMap<K, S> p, boolean toRoot) {
        StateMap<K, S> merged = new StateMap<>();
        merged.parent = p.parent;
        merged.depth = p.depth;
        merged.capacity = p.capacity;
        merged.keys = p.keys.clone();
        merged.tags = p.tags.clone();
        merged.values = p.values == null ? null : p.values.clone();
        merged.narrowValues = p.narrowValues == null ? null : p.narrowValues.clone();
        merged.narrowTimes = p.narrowTimes == null ? null : p.narrowTimes.clone();
        merged.wideTimes = p.wideTimes == null ? null : p.wideTimes.clone();
        merged.timeBase = p.timeBase;
        merged.hasBase = p.hasBase;
        merged.baseInUse = true; // the shared chunks hold offsets from it
        merged.lowTime = p.lowTime;
        merged.highTime = p.highTime;
        merged.owned = new byte[p.keys.length];
        merged.used = p.used;
        merged.tombstones = p.tombstones;
        merged.maxTime = p.maxTime;
        merged.size = size;
        long dropped = p.droppedTombstones;
        for (int c = 0; c < keys.length; c++) {
            pauseIfBackground();
            Object[] ks = keys[c];
            for (int j = 0; j < ks.length; j++) {
                touchAhead(ks, j);
                Object k = ks[j];
                if (k == null) {
                    continue;
                }
                int hash = hash(k);
                int slot = merged.find(k, hash);
                if (toRoot && isTombstone(c, j)) {
                    dropped = Math.max(dropped, timeAt(c, j));
                    if (slot >= 0) {
                        merged.deleteSlot(slot);
                    }
                    continue;
                }
                if (slot < 0) {
                    slot = merged.insertSlot(k, hash);
                }
                merged.setSlotFrom(slot, this, c, j);
            }
        }
        merged.droppedTombstones = toRoot ? dropped : Long.MIN_VALUE;
        return merged;
    }

    private void copySlot(Object k, Object value, long time) {
        int slot = insertSlot(k, hash(k));
        setSlot(slot, value, time);
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
        visitYoungest(since, true, visitor);
    }

    /**
     * Visits every live key of the chain once, with its youngest state and time: what
     * {@link #iterator} gives, in one pass per level. Whether a key is shadowed by a younger level
     * is asked of one set of the younger levels' keys (with their hashes), not of every younger
     * level in turn: a root of millions of keys under a dozen levels costs one probe per key,
     * not a dozen. Reads only; a finished chain may be read from any thread.
     */
    public void forEachLive(ChangeVisitor<K, S> visitor) {
        visitYoungest(Long.MIN_VALUE, false, visitor);
    }

    /**
     * Visits the youngest entry of each key of the chain with a time after {@code since}:
     * tombstones too (as a {@code null} state) if {@code removals}, else only live keys.
     */
    @SuppressWarnings("unchecked")
    private void visitYoungest(long since, boolean removals, ChangeVisitor<K, S> visitor) {
        List<StateMap<K, S>> chain = levels();
        // Keys of the younger levels scanned so far; younger levels that were skipped (nothing after
        // since) are asked directly, as they were not scanned.
        KeySet seen = null;
        List<StateMap<K, S>> skipped = new ArrayList<>();
        for (int l = 0; l < chain.size(); l++) {
            StateMap<K, S> level = chain.get(l);
            boolean last = l == chain.size() - 1;
            if (level.maxTime <= since) {
                skipped.add(level);
                continue;
            }
            if (last) {
                level.visitOldest(since, removals, visitor, level.shadowedSlots(seen, skipped));
                return;
            }
            if (seen == null) {
                long younger = 0;
                for (int i = l; i < chain.size() - 1; i++) {
                    younger += chain.get(i).used;
                }
                seen = new KeySet(younger);
            }
            for (int c = 0; c < level.keys.length; c++) {
                Object[] ks = level.keys[c];
                for (int j = 0; j < ks.length; j++) {
                    touchAhead(ks, j);
                    Object k = ks[j];
                    if (k == null) {
                        continue;
                    }
                    int hash = hash(k);
                    boolean shadowed = seen.contains(k, hash);
                    if (!shadowed && !skipped.isEmpty()) {
                        for (StateMap<K, S> s : skipped) {
                            if (s.find(k, hash) >= 0) {
                                shadowed = true;
                                break;
                            }
                        }
                    }
                    if (!shadowed) {
                        seen.add(k, hash);
                    }
                    long t = level.timeAt(c, j);
                    if (shadowed || t <= since || (!removals && level.isTombstone(c, j))) {
                        continue;
                    }
                    Object v = level.valueAt(c, j);
                    visitor.visit(unmaskNull(k), v == TOMBSTONE ? null : (S) v, t);
                }
            }
        }
    }

    /** Slots per block that {@link #touchHashes} reads ahead. */
    private static final int TOUCH_BLOCK = 256;
    /** What the touch loops read, kept so that they are not removed (racy, never read for a result). */
    private static int touched;

    /** At the first slot of each block of {@link #TOUCH_BLOCK}: reads that block's hashes ahead. */
    private static void touchAhead(Object[] ks, int j) {
        if ((j & (TOUCH_BLOCK - 1)) == 0) {
            touchHashes(ks, j, Math.min(ks.length, j + TOUCH_BLOCK));
        }
    }

    /**
     * Reads the hash of each string key of {@code ks[from, to)} in one tight loop: the key objects
     * of a large level lie scattered over the heap, and a scan's or a merge's work per key is too
     * long for the processor to overlap the cache misses of successive keys; a loop that only
     * loads does overlap them, and the scan or merge then finds the keys in the cache. Other keys
     * are only checked for their class (which loads their header); no user code runs.
     */
    private static void touchHashes(Object[] ks, int from, int to) {
        int acc = 0;
        for (int j = from; j < to; j++) {
            if (ks[j] instanceof String s) {
                acc += s.hashCode();
            }
        }
        touched += acc;
    }

    /**
     * The oldest level scanned by {@link #visitYoungest}, usually the root of millions of keys:
     * its slots that a younger level shadows are found by probing this level once per younger key
     * ({@link #shadowedSlots}), then the slots are read in order, skipping the marked ones; a
     * root key is neither hashed nor looked up anywhere.
     */
    @SuppressWarnings("unchecked")
    private void visitOldest(long since, boolean removals, ChangeVisitor<K, S> visitor, long[] shadowed) {
        for (int c = 0; c < keys.length; c++) {
            Object[] ks = keys[c];
            int base = c << CHUNK_SHIFT;
            for (int j = 0; j < ks.length; j++) {
                Object k = ks[j];
                if (k == null) {
                    continue;
                }
                long t = timeAt(c, j);
                if (t <= since) {
                    continue;
                }
                int slot = base + j;
                if ((shadowed != null && (shadowed[slot >>> 6] & (1L << slot)) != 0)
                        || (!removals && isTombstone(c, j))) {
                    continue;
                }
                Object v = valueAt(c, j);
                visitor.visit(unmaskNull(k), v == TOMBSTONE ? null : (S) v, t);
            }
        }
    }

    /**
     * Returns a bit per slot of this level, set where a key of {@code seen} or of a level of
     * {@code skipped} is (those levels are younger, so they shadow it); null if there are none.
     */
    private long[] shadowedSlots(KeySet seen, List<StateMap<K, S>> skipped) {
        if (seen == null && skipped.isEmpty()) {
            return null;
        }
        long[] bits = new long[(capacity + 63) >>> 6];
        if (seen != null) {
            seen.forEach((k, hash) -> markSlot(bits, k, hash));
        }
        for (StateMap<K, S> s : skipped) {
            for (Object[] ks : s.keys) {
                for (Object k : ks) {
                    if (k != null) {
                        markSlot(bits, k, hash(k));
                    }
                }
            }
        }
        return bits;
    }

    private void markSlot(long[] bits, Object k, int hash) {
        int slot = find(k, hash);
        if (slot >= 0) {
            bits[slot >>> 6] |= 1L << slot;
        }
    }

    private interface KeyHashVisitor {
        void visit(Object key, int hash);
    }

    /**
     * A set of keys with their hashes, open addressing in chunks (no humongous array): a probe
     * compares hashes first and reads a key only when they match.
     */
    private static final class KeySet {
        private final Object[][] keys;
        private final int[][] hashes;
        private final int mask;

        KeySet(long expected) {
            int capacity = capacityFor(expected);
            int chunks = Math.max(1, capacity >>> CHUNK_SHIFT);
            int length = Math.min(capacity, CHUNK);
            keys = new Object[chunks][length];
            hashes = new int[chunks][length];
            mask = capacity - 1;
        }

        boolean contains(Object k, int hash) {
            for (int i = hash & mask; ; i = (i + 1) & mask) {
                Object present = keys[i >>> CHUNK_SHIFT][i & CHUNK_MASK];
                if (present == null) {
                    return false;
                }
                if (hashes[i >>> CHUNK_SHIFT][i & CHUNK_MASK] == hash && (present == k || present.equals(k))) {
                    return true;
                }
            }
        }

        /** Calls {@code action} with each key of the set and its hash. */
        void forEach(KeyHashVisitor action) {
            for (int c = 0; c < keys.length; c++) {
                Object[] ks = keys[c];
                int[] hs = hashes[c];
                for (int j = 0; j < ks.length; j++) {
                    if (ks[j] != null) {
                        action.visit(ks[j], hs[j]);
                    }
                }
            }
        }

        /** Adds a key known to be absent. */
        void add(Object k, int hash) {
            int i = hash & mask;
            while (keys[i >>> CHUNK_SHIFT][i & CHUNK_MASK] != null) {
                i = (i + 1) & mask;
            }
            keys[i >>> CHUNK_SHIFT][i & CHUNK_MASK] = k;
            hashes[i >>> CHUNK_SHIFT][i & CHUNK_MASK] = hash;
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
     * Builds a root level directly (a checkpoint read back): a base's entries with distinct keys
     * ({@link #add}), then its deltas' changes in order ({@link #apply}); no chain walks.
     * Single-threaded; {@link #build} hands the finished root over.
     */
    public static final class Loader<K, S> {
        private final long expectedEntries;
        /** Made at the first state, in codes or in objects as that state needs (so a restore of other states allocates no codes). */
        private StateMap<K, S> root;

        /** Creates a loader for about {@code expectedEntries} entries. */
        public Loader(long expectedEntries) {
            this.expectedEntries = Math.min(expectedEntries, 1 << 29);
        }

        private StateMap<K, S> root(Object firstState) {
            if (root == null) {
                root = new StateMap<>(null, expectedEntries, firstState != null && !fitsNarrow(firstState));
            }
            return root;
        }

        /** Adds {@code key}, which no earlier call added, with its state and time. */
        public void add(K key, S state, long time) {
            if (state == null) {
                throw new NullPointerException("state of key " + key + " must not be null");
            }
            StateMap<K, S> map = root(state);
            map.copySlot(maskNull(key), state, time);
            map.size++;
        }

        /**
         * Applies one later change to what was added: sets {@code key}'s state and time, or
         * removes it if {@code state} is {@code null} (a delta read back after its base).
         */
        public void apply(K key, S state, long time) {
            Object k = maskNull(key);
            int hash = hash(k);
            StateMap<K, S> map = root(state);
            int slot = map.find(k, hash);
            if (state == null) {
                if (slot >= 0) {
                    map.deleteSlot(slot);
                    map.size--;
                }
                return;
            }
            if (slot < 0) {
                slot = map.insertSlot(k, hash);
                map.size++;
            }
            map.setSlot(slot, state, time);
        }

        /** Returns the loaded root; the loader must not be used afterwards. */
        public StateMap<K, S> build() {
            StateMap<K, S> built = root(null);
            built.narrowIfPossible();
            return built;
        }
    }

    // ---------------------------------------------------------------- hashing and slots

    private static int hash(Object k) {
        int h = k.hashCode() * 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    private Object key(int slot) {
        return keys[slot >>> CHUNK_SHIFT][slot & CHUNK_MASK];
    }

    private Object value(int slot) {
        return valueAt(slot >>> CHUNK_SHIFT, slot & CHUNK_MASK);
    }

    // ---------------------------------------------------------------- states (see "States as four-byte numbers")

    /** The state of slot {@code j} of chunk {@code c}: {@link #TOMBSTONE} for a removal (a new {@code Long} if narrow). */
    private Object valueAt(int c, int j) {
        int[][] nv = narrowValues;
        if (nv == null) {
            return values[c][j];
        }
        int code = nv[c][j];
        return code == TOMBSTONE_CODE ? TOMBSTONE : Long.valueOf(code);
    }

    private boolean isTombstone(int slot) {
        return isTombstone(slot >>> CHUNK_SHIFT, slot & CHUNK_MASK);
    }

    private boolean isTombstone(int c, int j) {
        int[][] nv = narrowValues;
        return nv != null ? nv[c][j] == TOMBSTONE_CODE : values[c][j] == TOMBSTONE;
    }

    /** Returns true if {@code value}, a state or {@link #TOMBSTONE}, has a code in {@link #narrowValues}. */
    private static boolean fitsNarrow(Object value) {
        if (value == TOMBSTONE) {
            return true;
        }
        if (value.getClass() != Long.class) {
            return false;
        }
        long v = (Long) value;
        return v == (int) v && v != TOMBSTONE_CODE;
    }

    private static int narrowCode(Object value) {
        return value == TOMBSTONE ? TOMBSTONE_CODE : (int) (long) (Long) value;
    }

    /** Stores {@code value} in slot {@code j} of chunk {@code c} (owned), turning this level's states into objects if it has no code. */
    private void storeValue(int c, int j, Object value) {
        int[][] nv = narrowValues;
        if (nv != null) {
            if (fitsNarrow(value)) {
                nv[c][j] = narrowCode(value);
                return;
            }
            widenValues();
        }
        values[c][j] = value;
    }

    /**
     * Turns this level's states into objects, exactly ({@code Long}s of the codes, the tombstones).
     * In a copy-on-write merge, a chunk whose states it shares with the parent gets its own times
     * too: the two are owned together.
     */
    private void widenValues() {
        int[][] nv = narrowValues;
        Object[][] vs = new Object[nv.length][];
        for (int c = 0; c < nv.length; c++) {
            int[] codes = nv[c];
            Object[] objects = new Object[codes.length];
            Object[] ks = keys[c];
            for (int j = 0; j < codes.length; j++) {
                if (ks[j] != null) {
                    objects[j] = codes[j] == TOMBSTONE_CODE ? TOMBSTONE : Long.valueOf(codes[j]);
                }
            }
            vs[c] = objects;
            if (owned != null && (owned[c] & OWN_VALUES) == 0) {
                copyTimes(c);
                owned[c] |= OWN_VALUES;
            }
        }
        values = vs;
        narrowValues = null;
    }

    private long time(int slot) {
        return timeAt(slot >>> CHUNK_SHIFT, slot & CHUNK_MASK);
    }

    // ---------------------------------------------------------------- times (see "Times in four bytes")

    /** The code of {@code Long.MAX_VALUE} (a removal with no known time). */
    private static final int MAX_CODE = Integer.MAX_VALUE;
    /** The code of {@code Long.MIN_VALUE}. */
    private static final int MIN_CODE = Integer.MIN_VALUE;
    /** Half the span of offsets a centred base leaves on each side of the newest time, about 12.4 days ahead. */
    private static final long AHEAD = 1L << 30;

    /** The time of slot {@code j} of chunk {@code c}. */
    private long timeAt(int c, int j) {
        int[][] nt = narrowTimes;
        return nt != null ? decode(nt[c][j]) : wideTimes[c][j];
    }

    private long decode(int code) {
        return decode(code, timeBase);
    }

    private static long decode(int code, long base) {
        return code == MAX_CODE ? Long.MAX_VALUE : code == MIN_CODE ? Long.MIN_VALUE : base + code;
    }

    /** Returns true if {@code t - base} is exact and strictly between the reserved codes. */
    private static boolean fits(long t, long base) {
        long d = t - base;
        return ((t ^ base) & (t ^ d)) >= 0 && d > MIN_CODE && d < MAX_CODE; // no overflow, not a reserved code
    }

    /** Sets the time of slot {@code j} of chunk {@code c} (owned), widening this level's times if it does not fit. */
    private void setTime(int c, int j, long t) {
        int[][] nt = narrowTimes;
        if (nt != null) {
            if (t == Long.MAX_VALUE || t == Long.MIN_VALUE) {
                nt[c][j] = t == Long.MAX_VALUE ? MAX_CODE : MIN_CODE;
                return;
            }
            if (!hasBase || (!baseInUse && !fits(t, timeBase))) {
                timeBase = t; // no offset from the old base is stored here: take this time as the base
                hasBase = true;
            }
            if (fits(t, timeBase)) {
                nt[c][j] = (int) (t - timeBase);
                baseInUse = true;
                noteTime(t);
                return;
            }
            widen();
        }
        wideTimes[c][j] = t;
        if (t != Long.MAX_VALUE && t != Long.MIN_VALUE) {
            noteTime(t);
        }
    }

    private void noteTime(long t) {
        lowTime = Math.min(lowTime, t);
        highTime = Math.max(highTime, t);
    }

    /** Turns this level's times (of the level being built) into longs, exactly. */
    private void widen() {
        int[][] nt = narrowTimes;
        long[][] wt = new long[nt.length][];
        for (int c = 0; c < nt.length; c++) {
            int[] n = nt[c];
            long[] w = new long[n.length];
            for (int j = 0; j < n.length; j++) {
                w[j] = decode(n[j]);
            }
            wt[c] = w;
        }
        wideTimes = wt;
        narrowTimes = null;
    }

    /**
     * Returns true if this level's time table can take every time in {@code [low, high]} as it
     * is: it is wide, holds no time relative to its base yet, or the range fits its base.
     */
    private boolean holdsTimes(long low, long high) {
        return narrowTimes == null || low > high || !hasBase || (fits(low, timeBase) && fits(high, timeBase));
    }

    /**
     * On a new, empty level that will receive the times {@code [low, high]} (a merge's): bases its
     * offsets about {@link #AHEAD} behind {@code high}, so the range and later batches fit; wide
     * from the start if the range is too long for offsets.
     */
    private void centreTimes(long low, long high) {
        if (low > high) {
            return; // no times but the reserved ones
        }
        if (!fitsCentred(low, high)) {
            widen();
            return;
        }
        timeBase = high - AHEAD;
        hasBase = true;
        baseInUse = true;
    }

    /** Returns true if every time in {@code [low, high]} fits offsets from the centred base {@code high - AHEAD}. */
    private static boolean fitsCentred(long low, long high) {
        return high >= Long.MIN_VALUE + AHEAD && fits(low, high - AHEAD) && fits(high, high - AHEAD);
    }

    /** A loaded root whose times are long but span little enough: back to offsets, base centred as a merge's. */
    private void narrowIfPossible() {
        if (narrowTimes != null || lowTime > highTime || !fitsCentred(lowTime, highTime)) {
            return;
        }
        long base = highTime - AHEAD;
        long[][] wt = wideTimes;
        int[][] nt = new int[wt.length][];
        for (int c = 0; c < wt.length; c++) {
            long[] w = wt[c];
            int[] n = new int[w.length];
            for (int j = 0; j < w.length; j++) {
                long t = w[j];
                n[j] = t == Long.MAX_VALUE ? MAX_CODE : t == Long.MIN_VALUE ? MIN_CODE
                        : keys[c][j] == null ? 0 : (int) (t - base);
            }
            nt[c] = n;
        }
        timeBase = base;
        hasBase = true;
        baseInUse = true;
        narrowTimes = nt;
        wideTimes = null;
    }

    /** Returns true if this level keeps its times as four-byte offsets (tests). */
    boolean hasNarrowTimes() {
        return narrowTimes != null;
    }

    /** Returns true while this level keeps its states as four-byte codes (tests). */
    boolean hasNarrowValues() {
        return narrowValues != null;
    }

    private int find(Object k, int hash) {
        int mask = capacity - 1;
        byte tag = tag(hash);
        byte[][] tg = tags;
        for (int i = hash & mask; ; i = (i + 1) & mask) {
            byte t = tg[i >>> CHUNK_SHIFT][i & CHUNK_MASK];
            if (t == 0) {
                return -1;
            }
            if (t == tag) {
                Object present = keys[i >>> CHUNK_SHIFT][i & CHUNK_MASK];
                if (present == k || present.equals(k)) {
                    return i;
                }
            }
        }
    }

    /** The tag of a hash: 1 to 255 (0 marks an empty slot), from bits the slot index uses last. */
    private static byte tag(int hash) {
        int t = (hash >>> 24) & 0xff;
        return (byte) (t == 0 ? 1 : t);
    }

    /**
     * Makes the arrays {@code what} of chunk {@code c} this level's own before a write to them
     * (copy-on-write merges only): {@link #OWN_KEYS} for its keys and tags, {@link #OWN_VALUES}
     * for its values and times. An update of a key the parent holds copies only the values and
     * times; the keys and tags stay shared (5 of a slot's 13 bytes).
     */
    private void own(int c, int what) {
        byte[] o = owned;
        if (o == null || (o[c] & what) == what) {
            return;
        }
        int missing = what & ~o[c];
        if ((missing & OWN_KEYS) != 0) {
            keys[c] = keys[c].clone();
            tags[c] = tags[c].clone();
        }
        if ((missing & OWN_VALUES) != 0) {
            if (narrowValues != null) {
                narrowValues[c] = narrowValues[c].clone();
            } else {
                values[c] = values[c].clone();
            }
            copyTimes(c);
        }
        o[c] |= (byte) what;
    }

    /** Gives chunk {@code c} its own copy of its times (copy on write). */
    private void copyTimes(int c) {
        if (narrowTimes != null) {
            narrowTimes[c] = narrowTimes[c].clone();
        } else {
            wideTimes[c] = wideTimes[c].clone();
        }
    }

    private void setSlot(int slot, Object value, long time) {
        int c = slot >>> CHUNK_SHIFT;
        own(c, OWN_VALUES);
        int j = slot & CHUNK_MASK;
        boolean before = isTombstone(c, j);
        storeValue(c, j, value);
        written(c, j, before, value == TOMBSTONE, time);
    }

    /** After slot {@code j} of chunk {@code c} got its state: counts tombstones, sets its time. */
    private void written(int c, int j, boolean wasTombstone, boolean nowTombstone, long time) {
        if (wasTombstone && !nowTombstone) {
            tombstones--;
        } else if (!wasTombstone && nowTombstone) {
            tombstones++;
        }
        setTime(c, j, time);
        maxTime = Math.max(maxTime, time);
    }

    /**
     * Sets slot {@code slot} (of a key {@link #insertSlot} placed or {@link #find} found) to the
     * state and time of slot {@code j} of chunk {@code c} of level {@code from}: a merge's copy,
     * which moves a narrow state's code without making a {@code Long} of it.
     */
    private void setSlotFrom(int slot, StateMap<K, S> from, int c, int j) {
        int[][] fromCodes = from.narrowValues;
        if (fromCodes == null || narrowValues == null) {
            setSlot(slot, from.valueAt(c, j), from.timeAt(c, j));
            return;
        }
        int code = fromCodes[c][j];
        int tc = slot >>> CHUNK_SHIFT;
        own(tc, OWN_VALUES);
        int tj = slot & CHUNK_MASK;
        boolean before = narrowValues[tc][tj] == TOMBSTONE_CODE;
        narrowValues[tc][tj] = code;
        written(tc, tj, before, code == TOMBSTONE_CODE, from.timeAt(c, j));
    }

    /** Returns a free slot for a key known to be absent from this level, growing first if needed. */
    private int insertSlot(Object k, int hash) {
        if (used + 1 > capacity * MAX_LOAD) {
            grow();
        }
        int mask = capacity - 1;
        int i = hash & mask;
        while (tags[i >>> CHUNK_SHIFT][i & CHUNK_MASK] != 0) {
            i = (i + 1) & mask;
        }
        own(i >>> CHUNK_SHIFT, OWN_KEYS);
        keys[i >>> CHUNK_SHIFT][i & CHUNK_MASK] = k;
        tags[i >>> CHUNK_SHIFT][i & CHUNK_MASK] = tag(hash);
        used++;
        return i;
    }

    /**
     * Empties slot {@code slot} of a linear-probing table (a root's key that a merged removal
     * drops): later keys of its probe run move back, so every key stays reachable from its home.
     */
    private void deleteSlot(int slot) {
        int mask = capacity - 1;
        int hole = slot;
        if (isTombstone(hole)) {
            tombstones--;
        }
        for (int i = (hole + 1) & mask; ; i = (i + 1) & mask) {
            Object k = key(i);
            if (k == null) {
                break;
            }
            int home = hash(k) & mask;
            // k may fill the hole unless its home lies cyclically in (hole, i].
            boolean stays = hole <= i ? hole < home && home <= i : hole < home || home <= i;
            if (!stays) {
                moveSlot(i, hole);
                hole = i;
            }
        }
        int c = hole >>> CHUNK_SHIFT;
        own(c, OWN_ALL);
        keys[c][hole & CHUNK_MASK] = null;
        tags[c][hole & CHUNK_MASK] = 0;
        if (narrowValues != null) {
            narrowValues[c][hole & CHUNK_MASK] = 0;
        } else {
            values[c][hole & CHUNK_MASK] = null;
        }
        if (narrowTimes != null) {
            narrowTimes[c][hole & CHUNK_MASK] = 0;
        } else {
            wideTimes[c][hole & CHUNK_MASK] = 0;
        }
        used--;
    }

    private void moveSlot(int from, int to) {
        int f = from >>> CHUNK_SHIFT;
        int t = to >>> CHUNK_SHIFT;
        own(f, OWN_ALL);
        own(t, OWN_ALL);
        keys[t][to & CHUNK_MASK] = keys[f][from & CHUNK_MASK];
        tags[t][to & CHUNK_MASK] = tags[f][from & CHUNK_MASK];
        if (narrowValues != null) {
            narrowValues[t][to & CHUNK_MASK] = narrowValues[f][from & CHUNK_MASK];
        } else {
            values[t][to & CHUNK_MASK] = values[f][from & CHUNK_MASK];
        }
        if (narrowTimes != null) {
            narrowTimes[t][to & CHUNK_MASK] = narrowTimes[f][from & CHUNK_MASK];
        } else {
            wideTimes[t][to & CHUNK_MASK] = wideTimes[f][from & CHUNK_MASK];
        }
    }

    private void grow() {
        StateMap<K, S> old = new StateMap<>(); // this level's tables as they were
        old.keys = keys;
        old.values = values;
        old.narrowValues = narrowValues;
        old.narrowTimes = narrowTimes;
        old.wideTimes = wideTimes;
        old.timeBase = timeBase;
        // Same base: every old time fits the new table as before; the same kind of states.
        allocate(capacity * 2, wideTimes != null, values != null);
        owned = null; // fresh chunks: all this level's own
        for (int c = 0; c < old.keys.length; c++) {
            Object[] ks = old.keys[c];
            for (int j = 0; j < ks.length; j++) {
                touchAhead(ks, j);
                if (ks[j] != null) {
                    setSlotFrom(insertSlot(ks[j], hash(ks[j])), old, c, j);
                }
            }
        }
    }

    /**
     * Allocates empty tables of {@code newCapacity} slots, with long times if {@code wide} and
     * states as objects if {@code objectValues} (else as codes, see "States as four-byte numbers").
     */
    private void allocate(int newCapacity, boolean wide, boolean objectValues) {
        int chunks = Math.max(1, newCapacity >>> CHUNK_SHIFT);
        int chunkLength = Math.min(newCapacity, CHUNK);
        keys = new Object[chunks][chunkLength];
        tags = new byte[chunks][chunkLength];
        values = objectValues ? new Object[chunks][chunkLength] : null;
        narrowValues = objectValues ? null : new int[chunks][chunkLength];
        narrowTimes = wide ? null : new int[chunks][chunkLength];
        wideTimes = wide ? new long[chunks][chunkLength] : null;
        capacity = newCapacity;
        used = 0;
        tombstones = 0;
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
        Object v = value(slot);
        return v == TOMBSTONE ? null : (S) v;
    }

    private static Object maskNull(Object key) {
        return key == null ? NULL_KEY : key;
    }

    @SuppressWarnings("unchecked")
    private static <K> K unmaskNull(Object key) {
        return key == NULL_KEY ? null : (K) key;
    }

    /** Returns the levels of this chain, youngest first, read once (a background merge may re-parent). */
    private List<StateMap<K, S>> levels() {
        List<StateMap<K, S>> chain = new ArrayList<>(depth + 1);
        for (StateMap<K, S> m = this; m != null; m = m.parent) {
            chain.add(m);
        }
        return chain;
    }

    /** Returns true if a level younger than {@code chain[index]} holds {@code k}. */
    private static <K, S> boolean shadowed(List<StateMap<K, S>> chain, int index, Object k) {
        if (index == 0) {
            return false;
        }
        int hash = hash(k);
        for (int i = 0; i < index; i++) {
            if (chain.get(i).find(k, hash) >= 0) {
                return true;
            }
        }
        return false;
    }

    private final class ChainIterator implements Iterator<Entry<K, S>> {
        private final List<StateMap<K, S>> chain = levels();
        private int index;
        private int slot = -1;
        private Entry<K, S> next = advance();

        private Entry<K, S> advance() {
            while (index < chain.size()) {
                StateMap<K, S> level = chain.get(index);
                for (slot++; slot < level.capacity; slot++) {
                    Object k = level.key(slot);
                    if (k != null && !level.isTombstone(slot) && !shadowed(chain, index, k)) {
                        return new Entry<>(unmaskNull(k), level.liveValue(slot), level.time(slot));
                    }
                }
                index++;
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
        allocate(capacityFor(n), false, false);
        for (long i = 0; i < n; i++) {
            K key = (K) kryo.readClassAndObject(input);
            S state = (S) kryo.readClassAndObject(input);
            put(key, state, input.readVarLong(true));
        }
        narrowIfPossible();
    }

    @Override
    public String toString() {
        return "StateMap(" + size + " keys, " + chainLength() + " levels)";
    }
}
