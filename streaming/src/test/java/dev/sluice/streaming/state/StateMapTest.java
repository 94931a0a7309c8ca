package dev.sluice.streaming.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.serializer.KryoSerializer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class StateMapTest {

    @Test
    void get_afterPutAndRemoveInOneLevel_seesLatest() {
        StateMap<String, Long> map = StateMap.empty();
        map.put("a", 1L, 10);
        map.put("b", 2L, 10);
        map.put("a", 3L, 20);
        map.remove("b");
        map.remove("missing");
        assertThat(map.get("a")).isEqualTo(3L);
        assertThat(map.updateTime("a")).isEqualTo(20);
        assertThat(map.get("b")).isNull();
        assertThat(map.updateTime("b")).isEqualTo(-1);
        assertThat(map.size()).isEqualTo(1);
    }

    @Test
    void newDelta_changes_leaveParentUnchanged() {
        StateMap<String, Long> base = StateMap.empty();
        base.put("a", 1L, 1);
        base.put("b", 2L, 1);
        StateMap<String, Long> delta = base.newDelta();
        delta.put("a", 10L, 2);
        delta.remove("b");
        delta.put("c", 3L, 2);
        assertThat(snapshot(base)).isEqualTo(Map.of("a", 1L, "b", 2L));
        assertThat(snapshot(delta)).isEqualTo(Map.of("a", 10L, "c", 3L));
        assertThat(delta.size()).isEqualTo(2);
        assertThat(delta.chainLength()).isEqualTo(2);
    }

    @Test
    void put_nullKey_isAKeyLikeAnother() {
        StateMap<String, Long> map = StateMap.empty();
        map.put(null, 1L, 1);
        StateMap<String, Long> delta = map.newDelta();
        delta.put(null, 2L, 2);
        assertThat(delta.get(null)).isEqualTo(2L);
        assertThat(snapshot(delta)).containsEntry(null, 2L).hasSize(1);
    }

    @Test
    void put_nullState_failsWithMessage() {
        StateMap<String, Long> map = StateMap.empty();
        assertThatThrownBy(() -> map.put("a", null, 1)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("remove the key");
    }

    @Test
    void writesAfterGetForUpdate_storeTheKeyObjectTheChainHolds_notTheBatchsEqualCopy() {
        String kept = new String("key-1");
        String removed = new String("key-2");
        StateMap<String, Long> base = StateMap.empty();
        base.put(kept, 1L, 1);
        base.put(removed, 2L, 1);
        StateMap<String, Long> delta = base.newDelta();
        String keptCopy = new String("key-1");
        assertThat(delta.getForUpdate(keptCopy)).isEqualTo(1L);
        delta.put(keptCopy, 5L, 2, true);
        String removedCopy = new String("key-2");
        assertThat(delta.getForUpdate(removedCopy)).isEqualTo(2L);
        delta.remove(removedCopy, 2);
        String fresh = new String("key-3");
        assertThat(delta.getForUpdate(fresh)).isNull();
        delta.put(fresh, 7L, 2, false);
        StateMap<String, Long> next = delta.newDelta();
        String asked = new String("key-1");
        String written = new String("key-1");
        assertThat(next.getForUpdate(asked)).isEqualTo(5L);
        next.put(written, 6L, 3, true); // another object than the one asked for: stored as given

        Map<String, String> deltaKeys = new HashMap<>();
        delta.forEachChangeSince(1, (key, state, time) -> deltaKeys.put(key, key));
        assertThat(deltaKeys.get("key-1")).isSameAs(kept);
        assertThat(deltaKeys.get("key-2")).isSameAs(removed);
        assertThat(deltaKeys.get("key-3")).isSameAs(fresh);
        Map<String, String> nextKeys = new HashMap<>();
        next.forEachChangeSince(2, (key, state, time) -> nextKeys.put(key, key));
        assertThat(nextKeys).containsOnlyKeys("key-1");
        assertThat(nextKeys.get("key-1")).isSameAs(written);
        assertThat(snapshot(next)).isEqualTo(Map.of("key-1", 6L, "key-3", 7L));
        assertThat(snapshot(base)).isEqualTo(Map.of("key-1", 1L, "key-2", 2L));
    }

    @Test
    void compacted_emptyDelta_isTheParent() {
        StateMap<String, Long> base = StateMap.empty();
        base.put("a", 1L, 1);
        assertThat(base.newDelta().compacted()).isSameAs(base);
    }

    @Test
    void compacted_smallDeltasOnLargeBase_keepsChainAndLeavesBaseAlone() {
        StateMap<Integer, Long> base = StateMap.empty();
        for (int i = 0; i < 10_000; i++) {
            base.put(i, (long) i, 0);
        }
        StateMap<Integer, Long> top = base;
        int maxChain = 0;
        for (int batch = 1; batch <= 200; batch++) {
            StateMap<Integer, Long> delta = top.newDelta();
            delta.put(batch, -1L, batch);
            top = delta.compacted();
            maxChain = Math.max(maxChain, top.chainLength());
        }
        assertThat(maxChain).isLessThanOrEqualTo(StateMap.MAX_DEPTH + 1).isGreaterThan(2);
        assertThat(base.get(5)).isEqualTo(5L);
        assertThat(top.get(5)).isEqualTo(-1L);
        assertThat(top.size()).isEqualTo(10_000);
    }

    @Test
    void compacted_deltaAsLargeAsParent_mergesIntoNewRootWithoutTombstones() {
        StateMap<Integer, Long> base = StateMap.empty();
        for (int i = 0; i < 100; i++) {
            base.put(i, 1L, 0);
        }
        StateMap<Integer, Long> delta = base.newDelta();
        for (int i = 0; i < 100; i++) {
            if (i % 2 == 0) {
                delta.remove(i);
            } else {
                delta.put(i, 2L, 1);
            }
        }
        StateMap<Integer, Long> merged = delta.compacted();
        assertThat(merged.chainLength()).isEqualTo(1);
        assertThat(merged.size()).isEqualTo(50);
        assertThat(snapshot(merged)).isEqualTo(snapshot(delta));
        assertThat(base.size()).isEqualTo(100);
    }

    /** Random puts (plain and hinted) and removes over many batches, with branches re-read, against a HashMap per batch. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
    void deltaChains_randomBatches_matchHashMapModel(long seed) {
        Random random = new Random(seed);
        List<StateMap<Integer, Long>> versions = new ArrayList<>();
        List<Map<Integer, Long>> models = new ArrayList<>();
        versions.add(StateMap.empty());
        models.add(new HashMap<>());
        int keySpace = 1 + random.nextInt(2_000);
        for (int batch = 1; batch <= 150; batch++) {
            int from = versions.size() - 1 - (random.nextInt(10) == 0 ? Math.min(2, versions.size() - 1) : 0);
            StateMap<Integer, Long> delta = versions.get(from).newDelta();
            Map<Integer, Long> model = new HashMap<>(models.get(from));
            int ops = random.nextInt(4) == 0 ? keySpace : random.nextInt(1 + keySpace / 20);
            for (int op = 0; op < ops; op++) {
                int key = random.nextInt(keySpace);
                if (random.nextInt(4) == 0) {
                    if (random.nextBoolean()) {
                        delta.remove(key);
                    } else { // as mapWithState removes: after getForUpdate of the same key object
                        Integer boxed = key;
                        assertThat(delta.getForUpdate(boxed)).as("seed %d batch %d key %d", seed, batch, key)
                                .isEqualTo(model.get(key));
                        delta.remove(boxed, batch);
                    }
                    model.remove(key);
                } else if (random.nextBoolean()) {
                    delta.put(key, (long) batch * 1_000 + op, batch);
                    model.put(key, (long) batch * 1_000 + op);
                } else {
                    // The hinted put, as mapWithState uses it: whether the key had state, from get
                    // or from getForUpdate (which makes the put store the chain's equal key object).
                    Integer boxed = key; // a fresh box above 127: equal to, not the same as, the stored key
                    boolean had = (random.nextBoolean() ? delta.getForUpdate(boxed) : delta.get(boxed)) != null;
                    delta.put(boxed, (long) batch * 1_000 + op, batch, had);
                    model.put(key, (long) batch * 1_000 + op);
                }
                assertThat(delta.get(key)).as("seed %d batch %d key %d", seed, batch, key).isEqualTo(model.get(key));
            }
            StateMap<Integer, Long> done = delta.compacted();
            assertThat(done.chainLength()).as("seed %d", seed).isLessThanOrEqualTo(StateMap.MAX_DEPTH + 1);
            versions.add(done);
            models.add(model);
        }
        for (int v = 0; v < versions.size(); v += 7) {
            assertThat(snapshot(versions.get(v))).as("seed %d version %d", seed, v).isEqualTo(models.get(v));
            assertThat(versions.get(v).size()).as("seed %d version %d", seed, v).isEqualTo(models.get(v).size());
        }
    }

    @Test
    void compacted_overlappingDeltaIntoRoot_isSizedToTheLiveKeysNotBothLevels() {
        StateMap<Integer, Long> base = StateMap.empty();
        for (int i = 0; i < 50_000; i++) {
            base.put(i, (long) i, 1);
        }
        StateMap<Integer, Long> delta = base.newDelta();
        Map<Integer, Long> model = snapshot(base);
        for (int i = 5_000; i < 51_000; i++) { // 45,000 known keys and 1,000 new ones
            delta.put(i, -(long) i, 2);
            model.put(i, -(long) i);
        }
        StateMap<Integer, Long> merged = delta.compacted();
        assertThat(merged.chainLength()).isEqualTo(1);
        // 51,000 keys fit 131,072 slots at 60% load; sizing for both levels' 96,000 slots would take 262,144.
        assertThat(merged.capacity()).isEqualTo(131_072);
        assertThat(merged.largestArrayLength()).isLessThanOrEqualTo(StateMap.CHUNK);
        assertThat(snapshot(merged)).isEqualTo(model);
        assertThat(base.get(7_000)).isEqualTo(7_000L);
        assertThat(base.size()).isEqualTo(50_000);
    }

    @Test
    void compacted_mergeIntoSameCapacity_sharesChunksNoKeyLandsInAndLeavesParentUnchanged() {
        StateMap<Integer, Long> base = StateMap.empty();
        for (int i = 0; i < 40_000; i++) {
            base.put(i, (long) i, 1);
        }
        Map<Integer, Long> before = snapshot(base);
        int capacity = base.capacity();
        assertThat(capacity).isEqualTo(131_072);
        // 20,000 new keys whose probes start in the first two of the table's 8 chunks.
        StateMap<Integer, Long> delta = base.newDelta();
        Map<Integer, Long> model = new HashMap<>(before);
        int added = 0;
        for (int k = 1_000_000; added < 20_000; k++) {
            if (StateMap.homeSlot(k, capacity) < 2 * StateMap.CHUNK) {
                delta.put(k, (long) k, 2);
                model.put(k, (long) k);
                added++;
            }
        }
        delta.remove(3, 2);
        model.remove(3);
        StateMap<Integer, Long> merged = delta.compacted();
        assertThat(merged.chainLength()).isEqualTo(1);
        assertThat(merged.capacity()).isEqualTo(capacity);
        assertThat(merged.chunksSharedWith(base)).isGreaterThanOrEqualTo(4);
        assertThat(snapshot(merged)).isEqualTo(model);
        assertThat(merged.size()).isEqualTo(model.size());
        assertThat(snapshot(base)).isEqualTo(before);
        assertThat(base.get(3)).isEqualTo(3L);
    }

    /**
     * A copy-on-write merge copies only the arrays it writes: a batch of updates to known keys
     * copies each chunk's values and times and shares every chunk's keys and tags with the
     * parent; a batch that also inserts copies the keys and tags of the chunks its new keys land
     * in, and no others. The parent reads as before, so a write into a shared array fails.
     */
    @ParameterizedTest
    @ValueSource(longs = {31, 32, 33})
    void copyOnWriteMerge_updatesShareTheKeyChunks_insertsCopyOnlyTheirs(long seed) {
        Random random = new Random(seed);
        StateMap<Integer, Long> base = StateMap.empty();
        for (int i = 0; i < 40_000; i++) {
            base.put(i, (long) i, 1);
        }
        Map<Integer, Long> before = snapshot(base);
        int capacity = base.capacity();
        int chunks = capacity / StateMap.CHUNK;
        assertThat(chunks).as("seed %d", seed).isEqualTo(8);
        StateMap<Integer, Long> updates = base.newDelta();
        Map<Integer, Long> model = new HashMap<>(before);
        for (int k = 0; k < 40_000; k++) { // about 24,000 keys: at least half the parent's, so they merge
            if (random.nextInt(100) < 60) {
                long v = random.nextLong();
                updates.put(k, v, 2);
                model.put(k, v);
            }
        }
        StateMap<Integer, Long> updated = updates.compacted();
        assertThat(updated.chainLength()).as("seed %d", seed).isEqualTo(1);
        assertThat(updated.chunksSharedWith(base)).as("seed %d: key chunks shared", seed).isEqualTo(chunks);
        assertThat(updated.valueChunksSharedWith(base)).as("seed %d: value chunks shared", seed).isZero();
        assertThat(snapshot(updated)).as("seed %d", seed).isEqualTo(model);
        assertThat(snapshot(base)).as("seed %d: the parent", seed).isEqualTo(before);

        // New keys whose probes start in the first chunk (a run may spill into the second), plus updates.
        Map<Integer, Long> updatedModel = new HashMap<>(model);
        StateMap<Integer, Long> inserts = updated.newDelta();
        int added = 0;
        for (int k = 1_000_000; added < 3_000; k++) {
            if (StateMap.homeSlot(k, capacity) < StateMap.CHUNK / 2) {
                inserts.put(k, (long) k, 3);
                model.put(k, (long) k);
                added++;
            }
        }
        for (int k = 0; k < 40_000; k++) {
            if (random.nextInt(100) < 60) {
                inserts.put(k, -1L - k, 3);
                model.put(k, -1L - k);
            }
        }
        StateMap<Integer, Long> merged = inserts.compacted();
        assertThat(merged.chainLength()).as("seed %d", seed).isEqualTo(1);
        assertThat(merged.capacity()).as("seed %d", seed).isEqualTo(capacity);
        assertThat(merged.chunksSharedWith(updated)).as("seed %d: key chunks shared", seed)
                .isBetween(chunks - 2, chunks - 1);
        assertThat(merged.valueChunksSharedWith(updated)).as("seed %d: value chunks shared", seed).isZero();
        assertThat(snapshot(merged)).as("seed %d", seed).isEqualTo(model);
        assertThat(merged.size()).as("seed %d", seed).isEqualTo(model.size());
        assertThat(snapshot(updated)).as("seed %d: the parent", seed).isEqualTo(updatedModel);
        assertThat(snapshot(base)).as("seed %d: the first parent", seed).isEqualTo(before);
    }

    /**
     * Multi-chunk levels: random batches (some touching most keys, so merges into the root copy
     * on write and delete removed keys in place; some small, so chains grow), against a HashMap
     * per version; every version is checked at the end, so a merge that wrote into a chunk it
     * shares with an older version fails.
     */
    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13, 14, 15, 16})
    void chunkedLevels_randomLargeBatches_everyVersionMatchesHashMapModel(long seed) {
        Random random = new Random(seed);
        int keySpace = 20_000 + random.nextInt(50_000);
        List<StateMap<Integer, Long>> versions = new ArrayList<>();
        List<Map<Integer, Long>> models = new ArrayList<>();
        versions.add(StateMap.empty());
        models.add(new HashMap<>());
        for (int batch = 1; batch <= 30; batch++) {
            StateMap<Integer, Long> delta = versions.get(versions.size() - 1).newDelta();
            Map<Integer, Long> model = new HashMap<>(models.get(models.size() - 1));
            int kind = random.nextInt(3);
            int ops = kind == 0 ? keySpace : kind == 1 ? keySpace / 2 : random.nextInt(1 + keySpace / 50);
            int removePercent = random.nextInt(40);
            for (int op = 0; op < ops; op++) {
                int key = random.nextInt(keySpace);
                if (random.nextInt(100) < removePercent) {
                    delta.remove(key, batch);
                    model.remove(key);
                } else {
                    delta.put(key, (long) batch * 100_000 + op, batch, delta.get(key) != null);
                    model.put(key, (long) batch * 100_000 + op);
                }
            }
            StateMap<Integer, Long> done = delta.compacted();
            assertThat(done.size()).as("seed %d batch %d", seed, batch).isEqualTo(model.size());
            assertThat(done.largestArrayLength()).as("seed %d batch %d", seed, batch)
                    .isLessThanOrEqualTo(StateMap.CHUNK);
            versions.add(done);
            models.add(model);
        }
        for (int v = 0; v < versions.size(); v++) {
            assertThat(snapshot(versions.get(v))).as("seed %d version %d", seed, v).isEqualTo(models.get(v));
            for (int probe = 0; probe < 200; probe++) {
                int key = random.nextInt(keySpace);
                assertThat(versions.get(v).get(key)).as("seed %d version %d key %d", seed, v, key)
                        .isEqualTo(models.get(v).get(key));
            }
        }
    }

    /** Runs {@code body} with background merges into roots of >= 64 slots queued on {@code queue}, run when the test says. */
    private static void withQueuedBackgroundMerges(java.util.ArrayDeque<Runnable> queue, Runnable body) {
        int threshold = StateMap.backgroundMinCapacity;
        java.util.concurrent.Executor merger = StateMap.merger;
        StateMap.backgroundMinCapacity = 64;
        StateMap.merger = queue::add;
        try {
            body.run();
        } finally {
            StateMap.backgroundMinCapacity = threshold;
            StateMap.merger = merger;
        }
    }

    @Test
    void compacted_levelHalfAsLargeAsABigRoot_mergesInTheBackground_andTheNextBatchAdoptsTheNewRoot() {
        java.util.ArrayDeque<Runnable> queue = new java.util.ArrayDeque<>();
        withQueuedBackgroundMerges(queue, () -> {
            StateMap<Integer, Long> root = StateMap.empty();
            for (int i = 0; i < 1_000; i++) {
                root.put(i, (long) i, 1);
            }
            Map<Integer, Long> model = snapshot(root);
            StateMap<Integer, Long> delta = root.newDelta();
            for (int i = 0; i < 600; i++) {
                delta.put(i * 3, -1L, 2);
                model.put(i * 3, -1L);
            }
            delta.remove(1, 2);
            model.remove(1);
            StateMap<Integer, Long> afterBatch2 = delta.compacted();
            assertThat(afterBatch2.chainLength()).as("not merged in the batch").isEqualTo(2);
            assertThat(queue).hasSize(1);
            queue.poll().run();
            int adopted = StateMap.ADOPTED.get();
            StateMap<Integer, Long> next = afterBatch2.newDelta();
            next.put(5_000, 7L, 3);
            StateMap<Integer, Long> afterBatch3 = next.compacted();
            assertThat(StateMap.ADOPTED.get()).isEqualTo(adopted + 1);
            assertThat(afterBatch3.chainLength()).as("the merged level left the chain").isEqualTo(2);
            assertThat(afterBatch2.chainLength()).as("the merged level itself is unchanged").isEqualTo(2);
            assertThat(snapshot(afterBatch2)).isEqualTo(model);
            model.put(5_000, 7L);
            assertThat(snapshot(afterBatch3)).isEqualTo(model);
            assertThat(afterBatch3.size()).isEqualTo(model.size());
            assertThat(root.get(1)).isEqualTo(1L);
            assertThat(root.size()).isEqualTo(1_000);
        });
    }

    @Test
    void compacted_equalLevelsBelowASmallOne_areMergedInTheBackground_fromTheRootUp() {
        // Four equal levels (a root and three loading batches), then small batches on top: the walk
        // from the top stops at the first small level, so only the deep merge brings the big ones
        // together; one background merge at a time.
        java.util.ArrayDeque<Runnable> queue = new java.util.ArrayDeque<>();
        withQueuedBackgroundMerges(queue, () -> {
            Map<Integer, Long> model = new HashMap<>();
            StateMap<Integer, Long> map = StateMap.empty();
            for (int level = 0; level < 4; level++) {
                StateMap<Integer, Long> next = level == 0 ? map : map.newDelta();
                for (int i = 0; i < 1_000; i++) {
                    int key = level * 1_000 + i;
                    next.put(key, (long) key, level + 1);
                    model.put(key, (long) key);
                }
                next.remove(level * 1_000 - 1, level + 1); // a key of the level below
                model.remove(level * 1_000 - 1);
                map = next.compacted();
            }
            // The loading batches' merges all ran late, side by side: some can no longer be adopted.
            while (!queue.isEmpty()) {
                queue.poll().run();
            }
            long time = 10;
            for (int batch = 0; batch < 30; batch++, time++) {
                StateMap<Integer, Long> next = map.newDelta();
                for (int i = 0; i < 3; i++) {
                    int key = 10_000 + (int) time * 3 + i;
                    next.put(key, time, time);
                    model.put(key, time);
                }
                next.put(batch, -time, time);
                model.put(batch, -time);
                map = next.compacted();
                assertThat(queue).as("batch %s: one merge at a time", batch).hasSizeLessThanOrEqualTo(1);
                if (!queue.isEmpty()) {
                    queue.poll().run();
                }
                assertThat(snapshot(map)).as("batch %s", batch).isEqualTo(model);
            }
            List<Integer> levels = map.levelEntries();
            assertThat(levels.subList(0, levels.size() - 1)).as("levels, youngest first: %s", levels)
                    .allMatch(n -> n < 1_000);
            assertThat(levels.get(levels.size() - 1)).as("the four big levels became the root: %s", levels)
                    .isGreaterThanOrEqualTo(3_990);
            assertThat(map.size()).isEqualTo(model.size());
            assertThat(liveVisits(map)).isEqualTo(entries(map));
        });
    }

    @Test
    void aBackgroundMergeAskedToYield_waitsBetweenChunks_andMergesTheSame() {
        java.util.ArrayDeque<Runnable> queue = new java.util.ArrayDeque<>();
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        withQueuedBackgroundMerges(queue, () -> {
            StateMap.yieldBackgroundMergesWhile(() -> asked.incrementAndGet() <= 2);
            try {
                StateMap<Integer, Long> root = StateMap.empty();
                Map<Integer, Long> model = new HashMap<>();
                for (int i = 0; i < 40_000; i++) { // more than two chunks
                    root.put(i, (long) i, 1);
                    model.put(i, (long) i);
                }
                StateMap<Integer, Long> delta = root.newDelta();
                for (int i = 0; i < 30_000; i++) {
                    delta.put(i * 2, -1L, 2);
                    model.put(i * 2, -1L);
                }
                StateMap<Integer, Long> top = delta.compacted();
                int before = asked.get();
                assertThat(queue).as("merged in the background").hasSize(1);
                queue.poll().run();
                assertThat(asked.get()).as("asked between the merge's chunks").isGreaterThan(before + 2);
                StateMap<Integer, Long> next = top.newDelta();
                next.put(-1, 0L, 3);
                model.put(-1, 0L);
                StateMap<Integer, Long> adopted = next.compacted();
                assertThat(adopted.levelEntries()).as("the merged root was adopted").hasSize(2);
                assertThat(snapshot(adopted)).isEqualTo(model);
                // A merge in the batch's own task never asks.
                int inBatch = asked.get();
                StateMap.yieldBackgroundMergesWhile(() -> {
                    asked.incrementAndGet();
                    return true;
                });
                StateMap<Integer, Long> small = StateMap.empty();
                small.put(1, 1L, 1);
                StateMap<Integer, Long> smallDelta = small.newDelta();
                smallDelta.put(2, 2L, 2);
                assertThat(smallDelta.compacted().levelEntries()).hasSize(1);
                assertThat(asked.get()).isEqualTo(inBatch);
            } finally {
                StateMap.yieldBackgroundMergesWhile(null);
            }
        });
    }

    @Test
    void compacted_levelHalfAsLargeAsABigMiddleLevel_mergesInTheBackground_andIsAdoptedAboveTheRoot() {
        java.util.ArrayDeque<Runnable> queue = new java.util.ArrayDeque<>();
        withQueuedBackgroundMerges(queue, () -> {
            StateMap<Integer, Long> root = StateMap.empty();
            for (int i = 0; i < 2_000; i++) {
                root.put(i, (long) i, 1);
            }
            Map<Integer, Long> model = snapshot(root);
            StateMap<Integer, Long> middle = root.newDelta();
            for (int i = 0; i < 300; i++) {
                middle.put(10_000 + i, 1L, 2);
                model.put(10_000 + i, 1L);
            }
            middle = middle.compacted();
            assertThat(middle.chainLength()).as("a third of the root stays a level of its own").isEqualTo(2);
            StateMap<Integer, Long> top = middle.newDelta();
            for (int i = 0; i < 200; i++) {
                top.put(20_000 + i, 2L, 3);
                model.put(20_000 + i, 2L);
            }
            top.remove(5, 3);
            model.remove(5);
            StateMap<Integer, Long> afterBatch3 = top.compacted();
            assertThat(afterBatch3.chainLength()).as("not merged into the middle level in the batch").isEqualTo(3);
            assertThat(queue).as("the merge into the middle level, queued").hasSize(1);
            queue.poll().run();
            int adopted = StateMap.ADOPTED.get();
            StateMap<Integer, Long> next = afterBatch3.newDelta();
            next.put(30_000, 3L, 4);
            StateMap<Integer, Long> afterBatch4 = next.compacted();
            assertThat(StateMap.ADOPTED.get()).isEqualTo(adopted + 1);
            assertThat(afterBatch4.chainLength()).as("batch 4's level on the merged level on the root").isEqualTo(3);
            assertThat(snapshot(afterBatch3)).isEqualTo(model);
            model.put(30_000, 3L);
            assertThat(snapshot(afterBatch4)).isEqualTo(model);
            assertThat(afterBatch4.size()).isEqualTo(model.size());
            assertThat(afterBatch4.get(5)).as("the removal survived the merge").isNull();
            assertThat(root.get(5)).as("the root is unchanged").isEqualTo(5L);
            assertThat(middle.chainLength()).as("the middle level is unchanged").isEqualTo(2);
        });
    }

    /**
     * Background merges run at random points (queued, run by the test), with branches re-read
     * from older versions as a retried batch would: every version, re-parented ones included,
     * matches its HashMap model at the end.
     */
    @ParameterizedTest
    @ValueSource(longs = {21, 22, 23, 24, 25, 26})
    void backgroundMerges_atRandomPoints_everyVersionMatchesHashMapModel(long seed) {
        java.util.ArrayDeque<Runnable> queue = new java.util.ArrayDeque<>();
        int adoptedBefore = StateMap.ADOPTED.get();
        withQueuedBackgroundMerges(queue, () -> {
            Random random = new Random(seed);
            List<StateMap<Integer, Long>> versions = new ArrayList<>();
            List<Map<Integer, Long>> models = new ArrayList<>();
            List<Integer> parents = new ArrayList<>(List.of(0));
            versions.add(StateMap.empty());
            models.add(new HashMap<>());
            int keySpace = 300 + random.nextInt(3_000);
            for (int batch = 1; batch <= 150; batch++) {
                int from = versions.size() - 1 - (random.nextInt(10) == 0 ? Math.min(2, versions.size() - 1) : 0);
                StateMap<Integer, Long> delta = versions.get(from).newDelta();
                Map<Integer, Long> model = new HashMap<>(models.get(from));
                int ops = random.nextInt(5) == 0 ? keySpace : random.nextInt(1 + keySpace / 10);
                for (int op = 0; op < ops; op++) {
                    int key = random.nextInt(keySpace);
                    if (random.nextInt(4) == 0) {
                        delta.remove(key, batch);
                        model.remove(key);
                    } else {
                        delta.put(key, (long) batch * 100_000 + op, batch, delta.get(key) != null);
                        model.put(key, (long) batch * 100_000 + op);
                    }
                }
                StateMap<Integer, Long> done = delta.compacted();
                assertThat(done.chainLength()).as("seed %d batch %d", seed, batch)
                        .isLessThanOrEqualTo(StateMap.MAX_DEPTH + 1);
                assertThat(done.size()).as("seed %d batch %d", seed, batch).isEqualTo(model.size());
                versions.add(done);
                models.add(model);
                parents.add(from);
                for (int run = random.nextInt(3); run > 0 && !queue.isEmpty(); run--) {
                    queue.poll().run();
                }
            }
            for (int v = 0; v < versions.size(); v++) {
                assertThat(snapshot(versions.get(v))).as("seed %d version %d", seed, v).isEqualTo(models.get(v));
                assertThat(versions.get(v).size()).as("seed %d version %d", seed, v).isEqualTo(models.get(v).size());
                assertThat(liveVisits(versions.get(v))).as("seed %d version %d: forEachLive", seed, v)
                        .isEqualTo(entries(versions.get(v)));
                int ancestor = v;
                for (int steps = random.nextInt(12); steps > 0 && ancestor > 0; steps--) {
                    ancestor = parents.get(ancestor);
                }
                if (versions.get(v).hasChangesSince(ancestor)) {
                    assertThat(applyChanges(models.get(ancestor), versions.get(v), ancestor))
                            .as("seed %d: version %d = version %d + its changes since", seed, v, ancestor)
                            .isEqualTo(models.get(v));
                }
            }
        });
        assertThat(StateMap.ADOPTED.get()).as("seed %d: background merges adopted", seed).isGreaterThan(adoptedBefore);
    }

    @Test
    void kryo_roundTripOfDeltaChain_givesOneLevelWithSameEntries() {
        StateMap<String, Long> base = StateMap.empty();
        for (int i = 0; i < 1_000; i++) {
            base.put("k" + i, (long) i, 5);
        }
        StateMap<String, Long> delta = base.newDelta();
        delta.put("k1", 100L, 6);
        delta.remove("k2");
        delta.put(null, 7L, 6);
        KryoSerializer kryo = new KryoSerializer();
        StateMap<String, Long> copy = kryo.deserialize(kryo.serialize(delta));
        assertThat(copy.chainLength()).isEqualTo(1);
        assertThat(snapshot(copy)).isEqualTo(snapshot(delta));
        assertThat(copy.updateTime("k1")).isEqualTo(6);
        assertThat(copy.updateTime("k3")).isEqualTo(5);
        assertThat(copy.size()).isEqualTo(1_000);
    }

    @Test
    void aYoungerLevelShadowsTheRootEvenWhenItsEntriesAreOlderThanSince() {
        // The root is visited last, through a bit set of the slots younger keys shadow: keys of a
        // scanned younger level ("c") and of one skipped for having nothing after since ("a").
        StateMap<String, Long> root = StateMap.empty();
        for (int i = 0; i < 200; i++) {
            root.put("k" + i, (long) i, 10);
        }
        root.put("a", 1L, 10);
        root.put("c", 2L, 10);
        StateMap<String, Long> mid = root.newDelta();
        mid.put("c", 20L, 20);
        mid.put("d", 21L, 20);
        StateMap<String, Long> young = mid.newDelta();
        young.put("a", 3L, 3); // youngest entry of "a", at a time before since
        young.remove("k7", 4);

        Map<String, List<Object>> changes = new HashMap<>();
        young.forEachChangeSince(5, (k, state, time) ->
                assertThat(changes.put(k, java.util.Arrays.asList(state, time))).as("%s visited twice", k).isNull());
        Map<String, List<Object>> expected = new HashMap<>();
        for (int i = 0; i < 200; i++) {
            if (i != 7) {
                expected.put("k" + i, List.of((long) i, 10L));
            }
        }
        expected.put("c", List.of(20L, 20L));
        expected.put("d", List.of(21L, 20L));
        assertThat(changes).isEqualTo(expected);

        Map<String, List<Object>> live = liveVisits(young);
        assertThat(live).isEqualTo(entries(young));
        assertThat(live.get("a")).isEqualTo(List.of(3L, 3L));
        assertThat(live).doesNotContainKey("k7").containsEntry("c", List.of(20L, 20L));
    }

    private static final long DAY = 86_400_000L;

    /**
     * Times as four-byte offsets: batch times that mostly step by seconds but now and then jump by
     * 25 to 200 days, start anywhere (near {@code Long.MIN_VALUE} too), removals with no time
     * ({@code Long.MAX_VALUE}) and at the batch time: every version's entries, with their update
     * times, equal a plain-Java model, as do the deltas between versions, the roots a
     * {@link StateMap.Loader} builds from them (whole, and as a base plus a delta), and a Kryo copy.
     */
    @ParameterizedTest
    @ValueSource(longs = {21, 22, 23, 24, 25, 26})
    void times_farApartAndReserved_readBackExactly_throughMergesDeltasLoadsAndKryo(long seed) {
        Random random = new Random(seed);
        long start = switch (random.nextInt(3)) {
            case 0 -> Long.MIN_VALUE + 1 + random.nextInt(1_000);
            case 1 -> random.nextLong() >> 20;
            default -> 1_700_000_000_000L;
        };
        List<StateMap<Integer, Long>> versions = new ArrayList<>();
        List<Map<Integer, List<Long>>> models = new ArrayList<>();
        List<Long> times = new ArrayList<>();
        versions.add(StateMap.empty());
        models.add(new HashMap<>());
        times.add(start - 1);
        int keySpace = 200 + random.nextInt(40_000);
        long now = start;
        for (int batch = 1; batch <= 60; batch++) {
            now += random.nextInt(8) == 0 ? DAY * (25 + random.nextInt(176)) : 1 + random.nextInt(5_000);
            StateMap<Integer, Long> delta = versions.get(versions.size() - 1).newDelta();
            Map<Integer, List<Long>> model = new HashMap<>(models.get(models.size() - 1));
            int ops = random.nextInt(5) == 0 ? keySpace : random.nextInt(1 + keySpace / 10);
            for (int op = 0; op < ops; op++) {
                int key = random.nextInt(keySpace);
                int kind = random.nextInt(10);
                if (kind == 0 && batch > 55) { // a root merge that drops it turns every later delta into a base
                    delta.remove(key); // no known time: Long.MAX_VALUE
                    model.remove(key);
                } else if (kind == 1) {
                    delta.remove(key, now);
                    model.remove(key);
                } else {
                    long state = random.nextLong();
                    delta.put(key, state, now, delta.get(key) != null);
                    model.put(key, List.of(state, now));
                }
            }
            versions.add(delta.compacted());
            models.add(model);
            times.add(now);
        }
        assertThat(readBackEveryVersion(seed, versions, models, times, random)).as("seed %d: deltas compared", seed)
                .isGreaterThan(versions.size() / 4);
        for (int v = 0; v < versions.size(); v++) {
            for (int probe = 0; probe < 50; probe++) {
                int key = random.nextInt(keySpace);
                List<Long> expected = models.get(v).get(key);
                assertThat(versions.get(v).updateTime(key)).as("seed %d version %d key %d", seed, v, key)
                        .isEqualTo(expected == null ? -1 : expected.get(1));
            }
        }
    }

    /**
     * Checks that each version's entries equal its model (key to [state, time]), as do the
     * deltas since a nearby older version (applied to that version's model, and loaded as a
     * recovery does: a {@link StateMap.Loader} given the older model, then the delta), a root
     * loaded from the version's live entries, and a Kryo copy; returns how many deltas it compared
     * (where {@code hasChangesSince} allows one).
     */
    @SuppressWarnings("unchecked")
    private static <S> int readBackEveryVersion(long seed, List<StateMap<Integer, S>> versions,
            List<? extends Map<Integer, ? extends List<?>>> models, List<Long> times, Random random) {
        KryoSerializer kryo = new KryoSerializer();
        int deltasChecked = 0;
        for (int v = 0; v < versions.size(); v++) {
            StateMap<Integer, S> version = versions.get(v);
            Map<Integer, ? extends List<?>> model = models.get(v);
            String what = String.format("seed %d version %d", seed, v);
            assertThat(entries(version)).as(what).isEqualTo(model);
            int u = Math.max(0, v - 1 - random.nextInt(3));
            if (version.hasChangesSince(times.get(u))) { // else a root merge dropped a newer removal: a base is due
                Map<Integer, S> atSince = new HashMap<>();
                models.get(u).forEach((k, e) -> atSince.put(k, (S) e.get(0)));
                Map<Integer, S> expectedStates = new HashMap<>();
                model.forEach((k, e) -> expectedStates.put(k, (S) e.get(0)));
                assertThat(applyChanges(atSince, version, times.get(u))).as("%s: changes since version %d", what, u)
                        .isEqualTo(expectedStates);
                // As a recovery reads a base and then a delta: the base's entries, then the changes applied.
                StateMap.Loader<Integer, S> restore = new StateMap.Loader<>(models.get(u).size());
                models.get(u).forEach((k, e) -> restore.add(k, (S) e.get(0), (Long) e.get(1)));
                version.forEachChangeSince(times.get(u), restore::apply);
                assertThat(entries(restore.build())).as("%s: base of version %d and the delta since", what, u)
                        .isEqualTo(model);
                deltasChecked++;
            }
            StateMap.Loader<Integer, S> loader = new StateMap.Loader<>(model.size());
            version.forEachLive((k, state, time) -> loader.add(k, state, time));
            assertThat(entries(loader.build())).as("%s loaded", what).isEqualTo(model);
            StateMap<Integer, S> copy = kryo.deserialize(kryo.serialize(version));
            assertThat(entries(copy)).as("%s Kryo copy", what).isEqualTo(model);
        }
        return deltasChecked;
    }

    /**
     * States as four-byte codes: a level keeps {@code Long} states that fit an {@code int} as
     * {@code int}s, and any other state (a larger {@code Long}, {@code Integer.MIN_VALUE}, which is
     * the removal code, another class) turns that level's states into objects. Random batches
     * (some touching most keys, so merges into the root copy on write; some small) mix the
     * kinds at a per-seed rate (none on two seeds): every version's entries and times, the
     * deltas between versions, a {@link StateMap.Loader}'s root and a Kryo copy equal a
     * {@code HashMap} model; a state read back is equal to the one put, and of its class.
     */
    @ParameterizedTest
    @ValueSource(longs = {41, 42, 43, 44, 45, 46})
    void states_narrowLongsAndOtherObjects_readBackEqual_throughMergesDeltasLoadsAndKryo(long seed) {
        Random random = new Random(seed);
        int otherPerMille = seed <= 42 ? 0 : new int[] {1, 5, 30, 200}[random.nextInt(4)];
        List<StateMap<Integer, Object>> versions = new ArrayList<>();
        List<Map<Integer, List<Object>>> models = new ArrayList<>();
        List<Long> times = new ArrayList<>();
        versions.add(StateMap.empty());
        models.add(new HashMap<>());
        times.add(0L);
        int keySpace = 500 + random.nextInt(50_000);
        int narrowVersions = 0;
        for (int batch = 1; batch <= 50; batch++) {
            long now = batch * 1_000L;
            StateMap<Integer, Object> delta = versions.get(versions.size() - 1).newDelta();
            Map<Integer, List<Object>> model = new HashMap<>(models.get(models.size() - 1));
            int ops = random.nextInt(4) == 0 ? keySpace : random.nextInt(1 + keySpace / 10);
            for (int op = 0; op < ops; op++) {
                int key = random.nextInt(keySpace);
                if (random.nextInt(12) == 0) {
                    delta.remove(key, now);
                    model.remove(key);
                    continue;
                }
                Object state;
                if (random.nextInt(1_000) < otherPerMille) {
                    state = switch (random.nextInt(4)) {
                        case 0 -> (long) Integer.MIN_VALUE;
                        case 1 -> (random.nextBoolean() ? 1L : -1L) * ((1L << 31) + random.nextInt(1 << 20));
                        case 2 -> "s" + random.nextInt(1_000);
                        default -> random.nextInt(); // an Integer, not a Long
                    };
                } else {
                    state = (long) (random.nextBoolean() ? random.nextInt(300) - 150
                            : random.nextInt(Integer.MAX_VALUE) * (random.nextBoolean() ? 1 : -1));
                }
                delta.put(key, state, now, delta.get(key) != null);
                model.put(key, List.of(state, now));
            }
            StateMap<Integer, Object> version = delta.compacted();
            if (version.hasNarrowValues()) {
                narrowVersions++;
            }
            versions.add(version);
            models.add(model);
            times.add(now);
        }
        assertThat(readBackEveryVersion(seed, versions, models, times, random)).as("seed %d: deltas compared", seed)
                .isGreaterThan(versions.size() / 5);
        KryoSerializer kryo = new KryoSerializer();
        for (int v = 0; v < versions.size(); v++) {
            StateMap<Integer, Object> version = versions.get(v);
            Map<Integer, List<Object>> model = models.get(v);
            String what = String.format("seed %d version %d", seed, v);
            entries(version).forEach((k, e) -> assertThat(e.get(0).getClass()).as("%s key %d", what, k)
                    .isEqualTo(model.get(k).get(0).getClass()));
            for (int probe = 0; probe < 50; probe++) {
                int key = random.nextInt(keySpace);
                List<Object> expected = model.get(key);
                assertThat(version.get(key)).as("%s key %d", what, key).isEqualTo(expected == null ? null : expected.get(0));
            }
            boolean allNarrow = model.values().stream().allMatch(e -> e.get(0) instanceof Long l
                    && l == (int) (long) l && l != Integer.MIN_VALUE);
            if (allNarrow) {
                StateMap<Integer, Object> copy = kryo.deserialize(kryo.serialize(version));
                assertThat(copy.hasNarrowValues()).as("%s: a Kryo copy of fitting Longs", what).isTrue();
            }
        }
        if (otherPerMille == 0) {
            assertThat(narrowVersions).as("seed %d: every version in codes", seed).isEqualTo(50);
        } else {
            assertThat(narrowVersions).as("seed %d: some versions in objects", seed).isLessThan(50);
        }
    }

    @Test
    void states_aLevelTurnsIntoObjectsOnlyForAStateWithNoCode_andAMergeCopiesCodesAsTheyAre() {
        StateMap<Integer, Object> root = StateMap.empty();
        for (int k = 0; k < 40_000; k++) {
            root.put(k, (long) k, 1);
        }
        assertThat(root.hasNarrowValues()).isTrue();
        assertThat(root.capacity()).isEqualTo(131_072);
        // An update of every other key with codes: a copy-on-write merge, still codes, keys shared.
        StateMap<Integer, Object> updates = root.newDelta();
        for (int k = 0; k < 40_000; k += 2) {
            updates.put(k, -k - 1L, 2, true);
        }
        updates.remove(1, 2);
        StateMap<Integer, Object> merged = updates.compacted();
        assertThat(merged.chainLength()).isEqualTo(1);
        assertThat(merged.hasNarrowValues()).isTrue();
        assertThat(merged.chunksSharedWith(root)).isPositive();
        assertThat(merged.get(4)).isEqualTo(-5L);
        assertThat(merged.get(1)).isNull();
        assertThat(merged.get(3)).isEqualTo(3L);
        assertThat(merged.updateTime(4)).isEqualTo(2);
        // A batch with one String: its level, and the root it merges into, hold objects; the old root is unchanged.
        Map<Integer, List<Object>> mergedBefore = entries(merged);
        StateMap<Integer, Object> mixed = merged.newDelta();
        for (int k = 0; k < 40_000; k += 2) {
            mixed.put(k, k == 10 ? "ten" : (Object) (long) k, 3, true);
        }
        assertThat(mixed.hasNarrowValues()).isFalse();
        StateMap<Integer, Object> wide = mixed.compacted();
        assertThat(wide.chainLength()).isEqualTo(1);
        assertThat(wide.hasNarrowValues()).isFalse();
        assertThat(wide.get(10)).isEqualTo("ten");
        assertThat(wide.get(12)).isEqualTo(12L);
        assertThat(wide.get(13)).isEqualTo(13L);
        assertThat(wide.get(1)).isNull();
        assertThat(wide.updateTime(13)).isEqualTo(1);
        assertThat(wide.size()).isEqualTo(39_999);
        assertThat(merged.hasNarrowValues()).isTrue();
        assertThat(entries(merged)).isEqualTo(mergedBefore);
        assertThat(merged.get(10)).isEqualTo(-11L);
        assertThat(merged.get(12)).isEqualTo(-13L);
        // Integer.MIN_VALUE as a Long is the removal code's value: stored as an object, read back as itself.
        StateMap<Integer, Object> edge = StateMap.empty();
        edge.put(1, (long) Integer.MAX_VALUE, 1);
        edge.put(2, (long) Integer.MIN_VALUE + 1, 1);
        assertThat(edge.hasNarrowValues()).isTrue();
        edge.put(3, (long) Integer.MIN_VALUE, 1);
        assertThat(edge.hasNarrowValues()).isFalse();
        assertThat(snapshot(edge)).isEqualTo(Map.of(1, (long) Integer.MAX_VALUE, 2, (long) Integer.MIN_VALUE + 1,
                3, (long) Integer.MIN_VALUE));
        // A restore: in codes for Longs that fit, in objects for other states, whatever the first state.
        StateMap.Loader<Integer, Object> longs = new StateMap.Loader<>(2);
        longs.add(1, 5L, 1);
        longs.apply(2, 6L, 2);
        assertThat(longs.build().hasNarrowValues()).isTrue();
        StateMap.Loader<Integer, Object> strings = new StateMap.Loader<>(2);
        strings.add(1, "one", 1);
        strings.add(2, 2L, 1);
        StateMap<Integer, Object> loaded = strings.build();
        assertThat(loaded.hasNarrowValues()).isFalse();
        assertThat(snapshot(loaded)).isEqualTo(Map.of(1, "one", 2, 2L));
        StateMap.Loader<Integer, Object> removalFirst = new StateMap.Loader<>(2);
        removalFirst.apply(9, null, 1);
        removalFirst.apply(1, 1L, 2);
        assertThat(snapshot(removalFirst.build())).isEqualTo(Map.of(1, 1L));
        assertThat(new StateMap.Loader<Integer, Object>(10).build().size()).isZero();
    }

    @Test
    void times_withinAboutAMonthOfEachOther_takeFourBytes_andALongerSpanStaysExactInEight() {
        long t0 = 1_700_000_000_000L;
        StateMap<Integer, Long> root = StateMap.empty();
        for (int k = 0; k < 5_000; k++) {
            root.put(k, (long) k, t0);
        }
        assertThat(root.hasNarrowTimes()).isTrue();
        // 30 days on: past the root's base by more than an int of milliseconds. The batch's level
        // takes its own base; merged into a new root, the base is centred on both.
        StateMap<Integer, Long> month = root.newDelta();
        for (int k = 0; k < 5_000; k += 2) {
            month.put(k, -k - 1L, t0 + 30 * DAY, true);
        }
        assertThat(month.hasNarrowTimes()).isTrue();
        StateMap<Integer, Long> merged = month.compacted();
        assertThat(merged.chainLength()).as("merged into one root").isEqualTo(1);
        assertThat(merged.hasNarrowTimes()).as("30 days apart: offsets").isTrue();
        assertThat(merged.updateTime(0)).isEqualTo(t0 + 30 * DAY);
        assertThat(merged.updateTime(1)).isEqualTo(t0);

        // 60 days on: the untouched keys are 60 days old, too far for offsets from one base.
        StateMap<Integer, Long> twoMonths = merged.newDelta();
        for (int k = 0; k < 5_000; k += 2) {
            twoMonths.put(k, 1L, t0 + 60 * DAY, true);
        }
        StateMap<Integer, Long> wide = twoMonths.compacted();
        assertThat(wide.chainLength()).isEqualTo(1);
        assertThat(wide.hasNarrowTimes()).as("60 days apart: longs").isFalse();
        assertThat(wide.updateTime(0)).isEqualTo(t0 + 60 * DAY);
        assertThat(wide.updateTime(1)).isEqualTo(t0);
        assertThat(wide.get(0)).isEqualTo(1L);
        assertThat(wide.get(1)).isEqualTo(1L);

        // A restore of keys that span 60 days stays in longs; of keys within 10 days, in offsets.
        StateMap.Loader<Integer, Long> far = new StateMap.Loader<>(3);
        far.add(1, 1L, t0);
        far.add(2, 2L, t0 + 60 * DAY);
        assertThat(far.build().hasNarrowTimes()).isFalse();
        StateMap.Loader<Integer, Long> near = new StateMap.Loader<>(3);
        near.add(1, 1L, t0 + 30 * DAY); // the first time is the base: the next one is 30 days behind it
        near.add(2, 2L, t0 + 20 * DAY);
        near.add(3, 3L, t0 + 20 * DAY - 5);
        StateMap<Integer, Long> nearRoot = near.build();
        assertThat(nearRoot.hasNarrowTimes()).as("10 days apart, narrowed once loaded").isTrue();
        assertThat(entries(nearRoot)).isEqualTo(Map.of(1, List.of(1L, t0 + 30 * DAY), 2, List.of(2L, t0 + 20 * DAY),
                3, List.of(3L, t0 + 20 * DAY - 5)));
    }

    /** Every key's (state, time) as the iterator gives them. */
    private static <K, S> Map<K, List<Object>> entries(StateMap<K, S> map) {
        Map<K, List<Object>> out = new HashMap<>();
        for (Iterator<StateMap.Entry<K, S>> it = map.iterator(); it.hasNext(); ) {
            StateMap.Entry<K, S> e = it.next();
            out.put(e.key(), List.of(e.state(), e.updateTime()));
        }
        return out;
    }

    /** Every key's (state, time) as {@link StateMap#forEachLive} visits them; fails on a key visited twice. */
    private static <K, S> Map<K, List<Object>> liveVisits(StateMap<K, S> map) {
        Map<K, List<Object>> out = new HashMap<>();
        map.forEachLive((k, state, time) -> {
            assertThat(state).as("live state of %s", k).isNotNull();
            assertThat(out.put(k, List.of(state, time))).as("key %s visited twice", k).isNull();
        });
        return out;
    }

    /** The state at {@code since} with {@code map}'s changes since then applied (each change after since, once). */
    private static <K, S> Map<K, S> applyChanges(Map<K, S> atSince, StateMap<K, S> map, long since) {
        Map<K, S> out = new HashMap<>(atSince);
        java.util.Set<K> seen = new java.util.HashSet<>();
        map.forEachChangeSince(since, (k, state, time) -> {
            assertThat(seen.add(k)).as("change of %s visited twice", k).isTrue();
            assertThat(time).as("change of %s", k).isGreaterThan(since);
            if (state == null) {
                out.remove(k);
            } else {
                out.put(k, state);
            }
        });
        return out;
    }

    private static <K, S> Map<K, S> snapshot(StateMap<K, S> map) {
        Map<K, S> out = new HashMap<>();
        for (Iterator<StateMap.Entry<K, S>> it = map.iterator(); it.hasNext(); ) {
            StateMap.Entry<K, S> e = it.next();
            assertThat(out.put(e.key(), e.state())).as("key %s listed twice", e.key()).isNull();
        }
        return out;
    }
}
