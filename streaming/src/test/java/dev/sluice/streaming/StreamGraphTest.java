package dev.sluice.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.Pair;
import dev.sluice.core.StorageLevel;
import dev.sluice.streaming.dstream.DStreamNode;
import dev.sluice.streaming.dstream.OperatorDescriptor;
import dev.sluice.streaming.dstream.OperatorKind;
import dev.sluice.streaming.testing.BatchOutput;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Handles and graph nodes: what a pipeline adds to its context's stream graph. */
class StreamGraphTest {

    private static List<OperatorKind> kinds(StreamingContext context) {
        return context.runtime().graph().nodes().stream().map(n -> n.descriptor().kind()).toList();
    }

    @Test
    void readmeWordCount_fiveOperators_buildFiveGraphNodes() {
        try (StreamingContext ssc = StreamingContext.builder().appName("word-count")
                .batchInterval(Duration.ofSeconds(1)).parallelism(2).build()) {
            ssc.socketTextStream("localhost", 9999)
                    .flatMap(line -> List.of(line.split(" ")))
                    .mapToPair(word -> Pair.of(word, 1))
                    .reduceByKey(Integer::sum)
                    .print();

            assertThat(kinds(ssc)).containsExactly(OperatorKind.RECEIVER_INPUT, OperatorKind.FLAT_MAP,
                    OperatorKind.MAP_TO_PAIR, OperatorKind.REDUCE_BY_KEY, OperatorKind.PRINT);
            List<DStreamNode<?>> nodes = ssc.runtime().graph().nodes();
            for (int i = 0; i < nodes.size(); i++) {
                assertThat(nodes.get(i).id()).as("id of node %s", i).isEqualTo(i);
            }
            assertThat(nodes.get(4).parents()).containsExactly(nodes.get(3));
        }
    }

    @Test
    void pairDStreamOf_streamOfPairs_isASecondHandleOnTheSameNode() {
        long seed = 20261201L;
        Random rnd = new Random(seed);
        List<List<Integer>> in = new ArrayList<>();
        for (int b = 0; b < 4; b++) {
            List<Integer> batch = new ArrayList<>();
            for (int i = rnd.nextInt(40); i > 0; i--) {
                batch.add(rnd.nextInt(10));
            }
            in.add(batch);
        }
        try (StreamingTestKit kit = StreamingTestKit.create(Duration.ofSeconds(1))) {
            DStream<Pair<Integer, Integer>> pairs = kit.input(in).map(x -> Pair.of(x, 1));
            int before = kit.context().runtime().graph().nodes().size();
            PairDStream<Integer, Integer> keyed = PairDStream.of(pairs).setName("ones").persist(StorageLevel.MEMORY);

            assertThat(kit.context().runtime().graph().nodes()).as("nodes after PairDStream.of").hasSize(before);
            assertThat(keyed.id()).isEqualTo(pairs.id());
            assertThat(pairs.name()).as("name set through the keyed handle").isEqualTo("ones");
            assertThat(pairs.storageLevel()).as("level set through the keyed handle").isEqualTo(StorageLevel.MEMORY);
            assertThat(PairDStream.of(keyed)).isSameAs(keyed);

            BatchOutput<Pair<Integer, Integer>> counts = kit.collect(keyed.reduceByKey(Integer::sum));
            kit.run(in.size());
            for (int b = 0; b < in.size(); b++) {
                Map<Integer, Integer> expected = in.get(b).stream()
                        .collect(Collectors.toMap(x -> x, x -> 1, Integer::sum, TreeMap::new));
                Map<Integer, Integer> actual = counts.batch(b).stream()
                        .collect(Collectors.toMap(Pair::key, Pair::value, Integer::sum, TreeMap::new));
                assertThat(actual).as("seed %d, batch %d", seed, b).isEqualTo(expected);
            }
        }
    }

    @Test
    void transformations_eachAddOneNodeDescribedByKindAndName() {
        try (StreamingTestKit kit = StreamingTestKit.create(Duration.ofSeconds(1))) {
            DStream<Integer> in = kit.input(List.of(List.of(1, -2, 3)));
            DStream<Integer> positives = in.filter(x -> x > 0).setName("positives");
            PairDStream<Integer, Long> counted = positives.countByValue();
            PairDStream<Integer, Pair<Long, Long>> joined = counted.join(counted);
            joined.foreachBatch((ds, t) -> ds.count());

            assertThat(kinds(kit.context())).containsExactly(OperatorKind.LIST_INPUT, OperatorKind.FILTER,
                    OperatorKind.MAP_TO_PAIR, OperatorKind.REDUCE_BY_KEY, OperatorKind.JOIN,
                    OperatorKind.FOREACH_BATCH);
            assertThat(positives.node().descriptor())
                    .isEqualTo(new OperatorDescriptor(OperatorKind.FILTER, "positives"));
            assertThat(counted.node().descriptor())
                    .isEqualTo(new OperatorDescriptor(OperatorKind.REDUCE_BY_KEY, "countByValue"));
            assertThat(joined.node().descriptor()).isEqualTo(OperatorDescriptor.of(OperatorKind.JOIN));
            assertThat(joined.dependencies()).extracting(DStream::id).containsExactly(counted.id(), counted.id());
        }
    }

    @Test
    void newStream_afterStart_failsSayingToDefineThePipelineFirst() {
        try (StreamingTestKit kit = StreamingTestKit.create(Duration.ofSeconds(1))) {
            DStream<Integer> in = kit.input(List.of(List.of(1)));
            kit.collect(in);
            kit.run(1);
            int nodes = kit.context().runtime().graph().nodes().size();

            assertThatThrownBy(() -> in.map(x -> x + 1)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("define the whole pipeline before calling start()");
            assertThatThrownBy(() -> PairDStream.of(in.context().queueStream(new java.util.ArrayDeque<List<Pair<Integer,
                    Integer>>>()))).isInstanceOf(IllegalStateException.class);
            assertThat(kit.context().runtime().graph().nodes()).as("nodes after the failed calls").hasSize(nodes);
        }
    }
}
