package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.function.MapFunction;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Broadcast variables: one serialized copy per engine, one deserialized copy shared by tasks, a handle-only closure. */
class BroadcastTest {
    @RegisterExtension
    static final EngineExtension ENGINE = new EngineExtension();

    static java.util.stream.LongStream seeds() {
        return java.util.stream.LongStream.range(0, 10);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void broadcast_lookupTableReadByEveryTask_matchesAPlainJavaLookup(long seed) {
        Random random = new Random(seed);
        Map<Integer, String> table = new HashMap<>();
        for (int k = -50; k <= 50; k++) {
            if (random.nextBoolean()) {
                table.put(k, "v" + random.nextInt(1000));
            }
        }
        List<Integer> keys = RandomData.ints(random);
        int partitions = RandomData.partitions(random);
        Broadcast<Map<Integer, String>> b = ENGINE.engine().broadcast(table);

        List<String> actual = ENGINE.engine().parallelize(keys, partitions)
                .map(k -> b.value().getOrDefault(k, "none")).collect();

        List<String> expected = keys.stream().map(k -> table.getOrDefault(k, "none")).collect(Collectors.toList());
        assertThat(actual).as("seed %s", seed).isEqualTo(expected);
        b.destroy();
    }

    @Test
    void value_readByEveryTask_isOneCopyMadeOnceFromTheSnapshotTakenAtBroadcast() {
        List<Integer> original = new ArrayList<>(List.of(1, 2, 3));
        Broadcast<List<Integer>> b = ENGINE.engine().broadcast(original);
        original.add(4);

        List<Integer> identities = ENGINE.engine().parallelize(List.of(0, 1, 2, 3, 4, 5, 6, 7), 8)
                .map(i -> System.identityHashCode(b.value())).collect();

        assertThat(identities).as("every task read the same copy").hasSize(8).containsOnly(identities.get(0));
        assertThat(b.value()).as("a snapshot of the value when broadcast").containsExactly(1, 2, 3)
                .isNotSameAs(original);
        assertThat(System.identityHashCode(b.value())).isEqualTo(identities.get(0));
        b.destroy();
    }

    @Test
    void javaSerialization_ofAFunctionCapturingTheBroadcast_writesTheIdNotTheValue() throws Exception {
        byte[] big = new byte[1 << 20];
        new Random(7).nextBytes(big);
        Broadcast<byte[]> b = ENGINE.engine().broadcast(big);
        MapFunction<Integer, Byte> f = i -> b.value()[i];

        byte[] shipped = javaSerialize(f);
        byte[] handleOnly = javaSerialize(b);
        @SuppressWarnings("unchecked")
        MapFunction<Integer, Byte> back = (MapFunction<Integer, Byte>) javaDeserialize(shipped);
        @SuppressWarnings("unchecked")
        Broadcast<byte[]> handleBack = (Broadcast<byte[]>) javaDeserialize(handleOnly);

        assertThat(shipped.length).as("a function capturing a 1 MiB broadcast").isLessThan(2_000);
        assertThat(handleOnly.length).as("the handle alone").isLessThan(200);
        assertThat(back.call(12345)).isEqualTo(big[12345]);
        assertThat(handleBack.id()).isEqualTo(b.id());
        assertThat(handleBack.value()).isEqualTo(big);
        b.destroy();
        assertThat(handleBack.isDestroyed()).isTrue();
    }

    @Test
    void kryoSerialization_ofARecordHoldingTheBroadcast_writesTheIdNotTheValue() {
        Broadcast<byte[]> b = ENGINE.engine().broadcast(new byte[100_000]);
        dev.sluice.core.serializer.KryoSerializer kryo = new dev.sluice.core.serializer.KryoSerializer();

        byte[] bytes = kryo.serialize(Pair.of("lookup", b));
        Pair<String, Broadcast<byte[]>> back = kryo.deserialize(bytes);

        assertThat(bytes.length).isLessThan(300);
        assertThat(back.value().id()).isEqualTo(b.id());
        assertThat(back.value().value()).hasSize(100_000);
        b.destroy();
    }

    @Test
    void value_afterDestroy_throwsNamingTheBroadcast_andAJobReadingItFails() {
        Engine engine = Engine.builder().parallelism(2).maxTaskAttempts(1).build();
        try (engine) {
            Broadcast<String> b = engine.broadcast("gone soon");
            b.destroy();
            b.destroy();

            assertThat(b.isDestroyed()).isTrue();
            assertThatThrownBy(b::value).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("broadcast " + b.id() + " was destroyed");
            assertThatThrownBy(() -> engine.parallelize(List.of(1, 2), 2).map(i -> b.value() + i).collect())
                    .isInstanceOf(JobFailedException.class).cause().isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("broadcast " + b.id());
        }
    }

    @Test
    void unpersist_thenValue_makesAFreshEqualCopy() {
        Broadcast<Map<String, Integer>> b = ENGINE.engine().broadcast(new HashMap<>(Map.of("a", 1)));
        Map<String, Integer> first = b.value();
        b.unpersist();
        Map<String, Integer> second = b.value();

        assertThat(second).isEqualTo(first).isNotSameAs(first);
        assertThat(b.value()).isSameAs(second);
        assertThat(b.isDestroyed()).isFalse();
        b.destroy();
    }

    @Test
    void engineClose_destroysItsBroadcasts_andBroadcastAfterCloseFails() {
        Engine engine = Engine.local(1);
        Broadcast<Integer> b = engine.broadcast(42);
        Broadcast<Integer> other = ENGINE.engine().broadcast(7);
        assertThat(b.value()).isEqualTo(42);
        engine.close();

        assertThat(b.isDestroyed()).isTrue();
        assertThatThrownBy(b::value).isInstanceOf(IllegalStateException.class).hasMessageContaining("broadcast");
        assertThat(other.value()).as("another engine's broadcast").isEqualTo(7);
        assertThat(other.id()).isNotEqualTo(b.id());
        assertThatThrownBy(() -> engine.broadcast(1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        other.destroy();
    }

    @Test
    void broadcast_null_failsSayingWhatToDoInstead() {
        assertThatThrownBy(() -> ENGINE.engine().broadcast(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("cannot broadcast null");
    }

    private static byte[] javaSerialize(Object o) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        return bytes.toByteArray();
    }

    private static Object javaDeserialize(byte[] bytes) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            return in.readObject();
        }
    }
}
