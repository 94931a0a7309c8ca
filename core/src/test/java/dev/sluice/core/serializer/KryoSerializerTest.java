package dev.sluice.core.serializer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.Pair;
import dev.sluice.core.SluiceException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class KryoSerializerTest {
    private final KryoSerializer serializer = new KryoSerializer();

    record Point(int x, int y) {}

    record Labelled(String label, List<Point> points, Optional<String> note) {}

    /** A plain class without a no-arg constructor. */
    static final class Account {
        private final String owner;
        private long balance;

        Account(String owner, long balance) {
            this.owner = owner;
            this.balance = balance;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Account a && a.owner.equals(owner) && a.balance == balance;
        }

        @Override
        public int hashCode() {
            return owner.hashCode() * 31 + Long.hashCode(balance);
        }
    }

    static Stream<Object> values() {
        return Stream.of(
                "text", "", 42, 42L, 3.5d, 2.5f, (short) 7, (byte) 1, 'c', true, new BigDecimal("1.25"),
                Pair.of("k", 1), Pair.of(null, Pair.of(1, 2)),
                new ArrayList<>(List.of(1, 2, 3)), new HashMap<>(Map.of("a", 1, "b", 2)),
                new HashSet<>(Set.of("x", "y")), new LinkedList<>(List.of("l1", "l2")),
                new TreeMap<>(Map.of(2, "b", 1, "a")),
                Arrays.asList("a", null, "c"),
                Collections.emptyList(), Collections.emptySet(), Collections.emptyMap(),
                Collections.singletonList("one"), Collections.singleton(1), Collections.singletonMap("k", "v"),
                Collections.unmodifiableList(new ArrayList<>(List.of(1, 2))),
                Collections.unmodifiableList(new LinkedList<>(List.of(1, 2))),
                Collections.unmodifiableSet(new HashSet<>(Set.of(1, 2))),
                Collections.unmodifiableMap(new HashMap<>(Map.of(1, "a"))),
                Optional.empty(), Optional.of("present"),
                new Point(1, 2), new Labelled("l", List.of(new Point(0, 0)), Optional.of("n")),
                new Account("ann", 10),
                Stream.of("a", "b").toList());
    }

    @ParameterizedTest
    @MethodSource("values")
    void serialize_supportedValue_roundTripsEqualValue(Object value) {
        Object copy = serializer.deserialize(serializer.serialize(value));

        assertThat(copy).isEqualTo(value);
    }

    static Stream<Object> immutableCollections() {
        List<Object> all = new ArrayList<>();
        for (int n = 0; n <= 11; n++) {
            Integer[] elements = IntStream.range(0, n).boxed().toArray(Integer[]::new);
            all.add(List.of(elements));
            all.add(Set.of(elements));
            Map<Integer, String> map = new HashMap<>();
            Arrays.stream(elements).forEach(i -> map.put(i, "v" + i));
            all.add(Map.copyOf(map));
            all.add(List.copyOf(Arrays.asList(elements)));
        }
        all.add(List.of(1, 2, 3, 4).subList(1, 3));
        all.add(Map.of("k", 1));
        return all.stream();
    }

    @ParameterizedTest
    @MethodSource("immutableCollections")
    void serialize_jdkImmutableCollectionOfAnySize_roundTripsEqualAndImmutable(Object value) {
        Object copy = serializer.deserialize(serializer.serialize(value));

        assertThat(copy).isEqualTo(value);
        assertThat(copy.getClass().getName()).startsWith("java.util.ImmutableCollections");
    }

    @Test
    void serialize_unmodifiableList_staysUnmodifiable() {
        List<Integer> copy = serializer.deserialize(serializer.serialize(Collections.unmodifiableList(new ArrayList<>(List.of(1)))));

        assertThatThrownBy(() -> copy.add(2)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void serialize_streamToListWithNulls_roundTrips() {
        List<String> withNulls = Stream.of("a", null, "c").toList();

        List<String> copy = serializer.deserialize(serializer.serialize(withNulls));

        assertThat(copy).containsExactly("a", null, "c");
    }

    @Test
    void serialize_null_roundTripsNull() {
        Object copy = serializer.deserialize(serializer.serialize(null));

        assertThat(copy).isNull();
    }

    @Test
    void serialize_arrays_roundTripEqualContents() {
        int[] ints = {1, 2, 3};
        String[] strings = {"a", null};
        Object[] objects = {Pair.of(1, 2), List.of(3)};

        assertThat((int[]) serializer.deserialize(serializer.serialize(ints))).containsExactly(ints);
        assertThat((String[]) serializer.deserialize(serializer.serialize(strings))).containsExactly(strings);
        assertThat((Object[]) serializer.deserialize(serializer.serialize(objects))).containsExactly(objects);
    }

    @Test
    void serialize_sharedReference_staysSharedInCopy() {
        List<Integer> shared = new ArrayList<>(List.of(1));
        Pair<List<Integer>, List<Integer>> pair = Pair.of(shared, shared);

        Pair<List<Integer>, List<Integer>> copy = serializer.deserialize(serializer.serialize(pair));

        assertThat(copy.key()).isSameAs(copy.value());
    }

    static Stream<Object> sharedCollections() {
        return Stream.of(new ArrayList<>(List.of(1)), List.of(1), List.of(1, 2, 3), Set.of(1), Set.of(1, 2, 3),
                Map.of(1, 2), Map.of(1, 2, 3, 4, 5, 6), Stream.of(1, null).toList(),
                Collections.unmodifiableList(new ArrayList<>(List.of(1))));
    }

    @ParameterizedTest
    @MethodSource("sharedCollections")
    void serialize_collectionReferencedTwice_copyIsSharedToo(Object shared) {
        Pair<Object, Object> copy = serializer.deserialize(serializer.serialize(Pair.of(shared, shared)));

        assertThat(copy.key()).isEqualTo(shared).isSameAs(copy.value());
    }

    @Test
    void serializeAll_records_deserializeAllReturnsSameRecordsInOrder() {
        List<Object> records = Arrays.asList(Pair.of("a", 1), null, "text", List.of(1, 2), new Point(3, 4));

        List<Object> copy = serializer.deserializeAll(serializer.serializeAll(records.iterator()));

        assertThat(copy).containsExactlyElementsOf(records);
    }

    @Test
    void serializeAll_noRecords_deserializesToEmptyList() {
        assertThat(serializer.deserializeAll(serializer.serializeAll(Collections.emptyIterator()))).isEmpty();
    }

    @Test
    void writeAll_manyRecords_readAllReturnsThemAndMatchesSerializeAll() {
        List<Pair<Integer, String>> records = IntStream.range(0, 10_000)
                .mapToObj(i -> Pair.of(i, "value-" + i)).collect(Collectors.toList());
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        serializer.writeAll(records.iterator(), out);
        List<Pair<Integer, String>> copy = serializer.readAll(new ByteArrayInputStream(out.toByteArray()));

        assertThat(copy).isEqualTo(records);
        assertThat(out.toByteArray()).isEqualTo(serializer.serializeAll(records.iterator()));
    }

    @Test
    void deserialize_garbage_throwsSluiceExceptionWithCause() {
        byte[] garbage = {(byte) 0xFF, (byte) 0xFE, 3, 4, 5};

        assertThatThrownBy(() -> serializer.deserialize(garbage))
                .isInstanceOf(SluiceException.class)
                .hasMessageContaining("cannot deserialize 5 bytes")
                .hasCauseInstanceOf(RuntimeException.class);
    }

    @Test
    void deserializeAll_truncatedStream_throwsSluiceException() {
        byte[] bytes = serializer.serializeAll(List.of("a", "b", "c").iterator());
        byte[] truncated = Arrays.copyOf(bytes, bytes.length - 1);

        assertThatThrownBy(() -> serializer.deserializeAll(truncated))
                .isInstanceOf(SluiceException.class)
                .hasMessageContaining("end marker")
                .cause().isNotNull();
    }

    @Test
    void deserialize_afterFailure_serializerStillWorks() {
        assertThatThrownBy(() -> serializer.deserialize(new byte[] {(byte) 0xFF, 1}))
                .isInstanceOf(SluiceException.class);

        Pair<Integer, Integer> copy = serializer.deserialize(serializer.serialize(Pair.of(1, 2)));

        assertThat(copy).isEqualTo(Pair.of(1, 2));
    }

    @Test
    void serialize_fromManyThreads_allRoundTrip() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 64; t++) {
                int seed = t;
                results.add(pool.submit(() -> {
                    List<Pair<Integer, Integer>> records = IntStream.range(0, 500)
                            .mapToObj(i -> Pair.of(seed, i)).collect(Collectors.toList());
                    return serializer.deserializeAll(serializer.serializeAll(records.iterator())).equals(records);
                }));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
