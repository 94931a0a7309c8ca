package dev.sluice.streaming.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.serializer.KryoSerializer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChunkedListTest {

    @Test
    void addAndRead_acrossChunkBoundaries_matchArrayList() {
        long seed = 91;
        Random random = new Random(seed);
        for (int size : new int[] {0, 1, 16, 17, 65_535, 65_536, 65_537, 131_072, 200_000 + random.nextInt(1000)}) {
            ChunkedList<Integer> list = new ChunkedList<>();
            List<Integer> model = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                Integer v = random.nextInt(5) == 0 ? null : random.nextInt();
                list.add(v);
                model.add(v);
            }
            assertThat(list).as("seed %s, size %s", seed, size).hasSize(size).isEqualTo(model);
            assertThat(new ArrayList<>(list)).as("iteration, seed %s, size %s", seed, size).isEqualTo(model);
            for (int probe = 0; probe < 100 && size > 0; probe++) {
                int i = random.nextInt(size);
                assertThat(list.get(i)).as("get(%s), seed %s, size %s", i, seed, size).isEqualTo(model.get(i));
            }
            assertThatThrownBy(() -> list.get(size)).isInstanceOf(IndexOutOfBoundsException.class)
                    .hasMessageContaining("index " + size).hasMessageContaining("length " + size);
        }
    }

    @Test
    void kryoRoundTrip_keepsElementsInOrder() {
        long seed = 92;
        Random random = new Random(seed);
        ChunkedList<String> list = new ChunkedList<>();
        List<String> model = new ArrayList<>();
        for (int i = 0; i < 70_000; i++) {
            String s = Integer.toString(random.nextInt(1000));
            list.add(s);
            model.add(s);
        }
        KryoSerializer kryo = new KryoSerializer();
        List<String> copy = kryo.deserialize(kryo.serialize(list));
        assertThat(copy).as("seed %s", seed).isInstanceOf(ChunkedList.class).isEqualTo(model);
    }
}
