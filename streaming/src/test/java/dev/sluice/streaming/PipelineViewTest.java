package dev.sluice.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.sluice.core.Pair;
import dev.sluice.streaming.metrics.PipelineView;
import dev.sluice.streaming.metrics.PipelineView.Role;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The UI's view of the stream graph: one entry per graph node, kinds from the operator descriptors. */
@Timeout(60)
class PipelineViewTest {
    private static final long SEED = 4242;

    @TempDir
    Path dir;

    @Test
    void nodes_areTheGraphNodes_withDescriptorKinds_andPairViewsAddNoNode() {
        Random random = new Random(SEED);
        List<List<String>> batches = new ArrayList<>();
        Set<String> distinct = new HashSet<>();
        for (int b = 0; b < 4; b++) {
            List<String> batch = new ArrayList<>();
            for (int i = random.nextInt(40); i >= 0; i--) {
                String word = "w" + random.nextInt(25);
                batch.add(word);
                distinct.add(word);
            }
            batches.add(batch);
        }
        try (StreamingTestKit kit = StreamingTestKit.builder().checkpointDir(dir.toUri().toString()).build()) {
            DStream<String> words = kit.input(batches).setName("words");
            PairDStream<String, Integer> ones = words.mapToPair(w -> Pair.of(w, 1));
            PairDStream<String, Integer> counts = ones.reduceByKey(Integer::sum);
            PairDStream<String, Integer> totals = counts.updateStateByKey((List<Integer> vs, Optional<Integer> s) ->
                    Optional.of(s.orElse(0) + vs.stream().mapToInt(Integer::intValue).sum())).setName("totals");
            PairDStream.of(counts).setName("per batch"); // a second handle names the shared node
            kit.collect(totals);
            kit.run(batches.size());

            PipelineView view = kit.context().observability().metrics().view();
            assertThat(view.nodes()).extracting(PipelineView.Node::id, PipelineView.Node::name,
                    PipelineView.Node::kind, PipelineView.Node::role, PipelineView.Node::parents).containsExactly(
                    tuple(0, "words", "listInput", Role.INPUT, List.of()),
                    tuple(1, "mapToPair", "mapToPair", Role.OPERATOR, List.of(0)),
                    tuple(2, "per batch", "reduceByKey", Role.OPERATOR, List.of(1)),
                    tuple(3, "totals", "updateStateByKey", Role.OPERATOR, List.of(2)),
                    tuple(4, "foreachBatch of totals", "foreachBatch", Role.OUTPUT, List.of(3)));
            assertThat(view.nodes()).filteredOn(PipelineView.Node::stateful).extracting(PipelineView.Node::id)
                    .containsExactly(3);
            assertThat(view.stateAt(new Time(batches.size() * 1000L))).singleElement().satisfies(f -> {
                assertThat(f.name()).isEqualTo("totals");
                assertThat(f.keys()).as("distinct words, seed %s", SEED).isEqualTo(distinct.size());
            });
        }
    }
}
