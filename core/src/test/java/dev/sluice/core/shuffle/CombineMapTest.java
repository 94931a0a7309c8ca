package dev.sluice.core.shuffle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Pair;
import dev.sluice.core.dataset.SizedIterator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class CombineMapTest {

    /** A key whose hash collides with others on purpose, so probe runs and removal shifts happen. */
    private record Key(int id) {
        @Override
        public int hashCode() {
            return id % 7;
        }
    }

    @Test
    void randomInsertsUpdatesAndRemoves_matchHashMap() {
        Random random = new Random(1);
        CombineMap<Key, Integer> map = new CombineMap<>(0);
        Map<Key, Integer> model = new HashMap<>();
        for (int step = 0; step < 20_000; step++) {
            int id = random.nextInt(300);
            Key key = id == 0 ? null : new Key(id);
            Integer value = random.nextInt(10) == 0 ? null : random.nextInt(100);
            int slot = map.find(key);
            assertThat(slot >= 0).isEqualTo(model.containsKey(key));
            if (slot < 0) {
                map.insert(slot, key, value);
                model.put(key, value);
            } else if (random.nextInt(3) == 0) {
                map.remove(slot);
                model.remove(key);
            } else {
                assertThat(map.value(slot)).isEqualTo(model.get(key));
                map.setValue(slot, value);
                model.put(key, value);
            }
            assertThat(map.size()).isEqualTo(model.size());
        }
        Map<Key, Integer> seen = new HashMap<>();
        map.pairs().forEachRemaining(p -> seen.put(p.key(), p.value()));
        assertThat(seen).isEqualTo(model);
    }

    @Test
    void combineAndMergeBuckets_agreeWithHashMapReference() {
        List<Pair<String, Integer>> records = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            records.add(Pair.of(i % 11 == 0 ? null : "k" + (i % 97), i % 13 == 0 ? null : i % 5));
        }
        // A sum where null counts as 0 and a result of 0 is dropped (null), to reach every branch.
        BinaryOperator<Integer> f = (a, b) -> nullIfZero(orZero(a) + orZero(b));
        Aggregator<String, Integer, Integer> sum = new Aggregator<>(v -> v, f::apply, f::apply);
        Aggregator<String, Integer, Integer> reducing = Aggregator.reducing(f::apply);
        for (Aggregator<String, Integer, Integer> aggregator : List.of(sum, reducing)) {
            boolean isReducing = aggregator == reducing;
            Map<String, Integer> expected = new HashMap<>();
            for (Pair<String, Integer> kv : records) {
                if (isReducing && kv.value() != null) {
                    expected.merge(kv.key(), kv.value(), f);
                } else {
                    addValue(expected, kv.key(), kv.value(), f);
                }
            }
            assertThat(toMap(aggregator.combineValues(records.iterator()))).isEqualTo(expected);

            Object[] flat = new Object[2 * records.size()];
            for (int i = 0; i < records.size(); i++) {
                flat[2 * i] = records.get(i).key();
                flat[2 * i + 1] = records.get(i).value();
            }
            Map<String, Integer> raw = new HashMap<>();
            Map<String, Integer> combined = new HashMap<>();
            for (int i = 0; i < flat.length; i += 2) {
                addValue(raw, (String) flat[i], (Integer) flat[i + 1], f);
                addCombiner(combined, (String) flat[i], (Integer) flat[i + 1], f);
            }
            assertThat(toMap(aggregator.mergeBuckets(List.of(flat, new Object[0])))).isEqualTo(raw);
            MapOutput flatCombined = new MapOutput(new Object[][][] {{flat}});
            assertThat(toMap(aggregator.mergeCombined(List.of(flatCombined), 0, UnaryOperator.identity())))
                    .isEqualTo(combined);
        }
    }

    @Test
    void mergeCombined_ofOutputsWithAndWithoutHashes_agreesWithHashMapReferenceInMapOrder() {
        for (long seed = 1; seed <= 40; seed++) {
            Random random = new Random(seed);
            int reducers = 1 + random.nextInt(3);
            int outputs = 1 + random.nextInt(4);
            // A sum where null counts as 0 and a result of 0 is dropped (null), to reach every branch.
            BinaryOperator<Integer> f = (a, b) -> nullIfZero(orZero(a) + orZero(b));
            Aggregator<Key, Integer, Integer> aggregator = new Aggregator<>(v -> v, f::apply, f::apply);
            List<MapOutput> mapOutputs = new ArrayList<>();
            List<Map<Key, Integer>> combinedPerOutput = new ArrayList<>();
            for (int m = 0; m < outputs; m++) {
                Map<Key, Integer> combined = new LinkedHashMap<>();
                int keys = random.nextInt(random.nextBoolean() ? 40 : 3_000);
                for (int k = 0; k < keys; k++) {
                    int id = random.nextInt(5_000);
                    combined.put(id == 0 ? null : new Key(id), random.nextInt(8) == 0 ? null : random.nextInt(9) - 4);
                }
                combinedPerOutput.add(combined);
                mapOutputs.add(output(combined, reducers, random.nextInt(4) != 0, random));
            }
            int[] copies = new int[1];
            UnaryOperator<Object> copier = c -> {
                copies[0]++;
                return c;
            };
            for (int r = 0; r < reducers; r++) {
                Map<Key, Integer> expected = new HashMap<>();
                for (Map<Key, Integer> combined : combinedPerOutput) {
                    for (Map.Entry<Key, Integer> e : combined.entrySet()) {
                        if (reducerOf(e.getKey(), reducers) == r) {
                            addCombiner(expected, e.getKey(), e.getValue(), f);
                        }
                    }
                }
                copies[0] = 0;
                assertThat(toMap(aggregator.mergeCombined(mapOutputs, r, copier)))
                        .as("seed %s, reducer %s of %s, %s outputs", seed, r, reducers, outputs).isEqualTo(expected);
                assertThat(copies[0]).as("seed %s: outputs of immutable combiners copy none", seed).isZero();
            }
        }
    }

    /** A map output of {@code combined} as a combining shuffle writes it, with chunks of random length. */
    private static MapOutput output(Map<Key, Integer> combined, int reducers, boolean withHashes, Random random) {
        Object[][][] buckets = new Object[reducers][][];
        int[][][] hashes = new int[reducers][][];
        for (int r = 0; r < reducers; r++) {
            List<Object[]> chunks = new ArrayList<>();
            List<int[]> chunkHashes = new ArrayList<>();
            List<Map.Entry<Key, Integer>> entries = new ArrayList<>();
            for (Map.Entry<Key, Integer> e : combined.entrySet()) {
                if (reducerOf(e.getKey(), reducers) == r) {
                    entries.add(e);
                }
            }
            int from = 0;
            do {
                int to = Math.min(entries.size(), from + 1 + random.nextInt(700));
                Object[] chunk = new Object[2 * (to - from)];
                int[] h = new int[to - from];
                for (int i = from; i < to; i++) {
                    Key key = entries.get(i).getKey();
                    chunk[2 * (i - from)] = key;
                    chunk[2 * (i - from) + 1] = entries.get(i).getValue();
                    h[i - from] = key == null ? 0 : key.hashCode();
                }
                chunks.add(chunk);
                chunkHashes.add(h);
                from = to;
            } while (from < entries.size());
            buckets[r] = chunks.toArray(new Object[0][]);
            hashes[r] = chunkHashes.toArray(new int[0][]);
        }
        return new MapOutput(buckets, withHashes ? hashes : null, true);
    }

    private static int reducerOf(Key key, int reducers) {
        return key == null ? 0 : Math.floorMod(key.id(), reducers);
    }

    @Test
    void manyKeys_spanningSeveralChunks_matchHashMap() {
        long seed = 8;
        Random random = new Random(seed);
        CombineMap<Integer, Integer> map = new CombineMap<>(0);
        Map<Integer, Integer> model = new HashMap<>();
        for (int step = 0; step < 400_000; step++) {
            Integer key = random.nextInt(250_000);
            int slot = map.find(key);
            if (slot < 0) {
                map.insert(slot, key, step);
                model.put(key, step);
            } else if (random.nextInt(4) == 0) {
                map.remove(slot);
                model.remove(key);
            } else {
                map.setValue(slot, map.value(slot) + 1);
                model.merge(key, 1, Integer::sum);
            }
        }
        assertThat(map.size()).as("seed %s", seed).isEqualTo(model.size()).isGreaterThan(2 << 16);
        assertThat(toMap(map.pairs())).as("seed %s", seed).isEqualTo(model);
    }

    @Test
    void nextSlotWalkAndStoredHashes_matchTheKeys() {
        long seed = 31;
        Random random = new Random(seed);
        for (int keysRange : new int[] {300, 250_000}) {
            CombineMap<Object, Integer> map = new CombineMap<>(0);
            Map<Object, Integer> model = new HashMap<>();
            for (int step = 0; step < keysRange + 20_000; step++) {
                int id = random.nextInt(keysRange);
                // colliding hashes in the small map, a table of several G1 chunks in the large one
                Object key = id == 0 ? null : keysRange < 1000 ? new Key(id) : Integer.valueOf(id);
                int slot = map.find(key);
                if (slot < 0) {
                    map.insert(slot, key, step);
                    model.put(key, step);
                } else if (random.nextInt(5) == 0) {
                    map.remove(slot);
                    model.remove(key);
                }
            }
            List<Integer> walked = new ArrayList<>();
            for (int s = map.nextSlot(0); s >= 0; s = map.nextSlot(s + 1)) {
                walked.add(s);
            }
            assertThat(walked).as("seed %s, range %s", seed, keysRange).hasSize(map.size()).isSorted()
                    .doesNotHaveDuplicates();
            Map<Object, Integer> seen = new HashMap<>();
            for (int s : walked) {
                Object key = map.key(s);
                assertThat(map.isNullKeySlot(s)).as("seed %s, slot %s", seed, s).isEqualTo(key == null);
                assertThat(map.hash(s)).as("seed %s, slot %s", seed, s).isEqualTo(key == null ? 0 : key.hashCode());
                seen.put(key, map.value(s));
            }
            assertThat(seen).as("seed %s, range %s", seed, keysRange).isEqualTo(model);
        }
    }

    @Test
    void pairsIterator_knowsHowManyAreLeft_asAWalkCountsThem() {
        long seed = 47;
        Random random = new Random(seed);
        for (int round = 0; round < 20; round++) {
            CombineMap<Object, Integer> map = new CombineMap<>(0);
            int inserts = random.nextInt(3_000);
            for (int i = 0; i < inserts; i++) {
                int id = random.nextInt(2_000);
                Object key = id == 0 ? null : "k" + id;
                int slot = map.find(key);
                if (slot < 0) {
                    map.insert(slot, key, i);
                } else if (random.nextInt(4) == 0) {
                    map.remove(slot);
                }
            }
            int consumed = map.size() == 0 ? 0 : random.nextInt(map.size() + 1);
            Iterator<Pair<Object, Integer>> it = map.pairs();
            for (int i = 0; i < consumed; i++) {
                it.next();
            }
            List<Pair<Object, Integer>> rest = new ArrayList<>();
            map.pairs().forEachRemaining(rest::add);
            long walked = rest.size() - consumed;
            assertThat(((SizedIterator<?>) it).remaining()).as("seed %s, round %s", seed, round).isEqualTo(walked);
            assertThat(SizedIterator.countRemaining(it)).as("seed %s, round %s", seed, round).isEqualTo(walked);
            assertThat(SizedIterator.countRemaining(rest.subList(consumed, rest.size()).iterator()))
                    .as("seed %s, round %s: a plain iterator is walked", seed, round).isEqualTo(walked);
        }
    }

    @Test
    void objectBuffer_pastOneChunk_keepsRecordsInOrderInBoundedChunks() {
        ObjectBuffer buffer = new ObjectBuffer(10);
        int records = 3 * ObjectBuffer.MAX_CHUNK / 2 + 7;
        for (int i = 0; i < records; i++) {
            buffer.add("k" + i, i);
        }
        List<Object> flat = new ArrayList<>();
        for (Object[] chunk : buffer.toChunks()) {
            assertThat(chunk.length).isLessThanOrEqualTo(ObjectBuffer.MAX_CHUNK).isEven();
            flat.addAll(List.of(chunk));
        }
        assertThat(flat).hasSize(2 * records);
        for (int i = 0; i < records; i++) {
            assertThat(flat.get(2 * i)).isEqualTo("k" + i);
            assertThat(flat.get(2 * i + 1)).isEqualTo(i);
        }
        assertThat(new ObjectBuffer(4).toChunks()).hasDimensions(1, 0);
    }

    /** Reference: a raw value starts a key's combiner (identity here) or is merged into it. */
    private static void addValue(Map<String, Integer> into, String key, Integer value, BinaryOperator<Integer> f) {
        if (!into.containsKey(key)) {
            into.put(key, value);
        } else {
            into.put(key, f.apply(into.get(key), value));
        }
    }

    /** Reference: a combiner merges like {@code HashMap.merge}; a null combiner is merged by hand. */
    private static <K> void addCombiner(Map<K, Integer> into, K key, Integer combiner, BinaryOperator<Integer> f) {
        if (combiner != null) {
            into.merge(key, combiner, f);
        } else if (!into.containsKey(key)) {
            into.put(key, null);
        } else {
            into.put(key, f.apply(into.get(key), null));
        }
    }

    private static int orZero(Integer i) {
        return i == null ? 0 : i;
    }

    private static Integer nullIfZero(int i) {
        return i == 0 ? null : i;
    }

    private static <K, V> Map<K, V> toMap(java.util.Iterator<Pair<K, V>> pairs) {
        Map<K, V> out = new HashMap<>();
        pairs.forEachRemaining(p -> out.put(p.key(), p.value()));
        return out;
    }
}
