package dev.sluice.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Pair;
import dev.sluice.core.spi.EngineServices;
import dev.sluice.streaming.testing.BatchOutput;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A thousand batches of both state operations, checkpointing every 5 batches: the lineage of
 * the state, the datasets the state streams remember and the block store all stay bounded.
 */
class StateLongRunIT {
    private static final int BATCHES = 1_000;

    @TempDir
    Path tempDir;

    /** What one batch leaves behind, measured from the batch's own output job. */
    record Footprint(int mapWithStateLineage, int updateStateLineage, int remembered, int blocks) {
    }

    @Test
    void stateStreams_thousandBatchesWithPeriodicCheckpoint_stayBounded() {
        List<List<Pair<String, Integer>>> batches = new ArrayList<>();
        for (int b = 0; b < BATCHES; b++) {
            batches.add(List.of(Pair.of("k" + b % 7, 1), Pair.of("k" + b % 3, 1)));
        }
        try (StreamingTestKit kit = StreamingTestKit.builder().batchInterval(Duration.ofSeconds(1))
                .checkpointDir(tempDir.toUri().toString()).build()) {
            PairDStream<String, Integer> in = kit.pairInput(batches);
            MapWithStateDStream<String, Integer, Long, Pair<String, Long>> mapped = in.mapWithState(
                    StateSpec.function(MapWithStateIT::countRecord)).checkpoint(Duration.ofSeconds(5));
            PairDStream<String, Long> updated = in.updateStateByKey((List<Integer> values, Optional<Long> state) ->
                    Optional.of(state.orElse(0L) + values.size())).checkpoint(Duration.ofSeconds(5));
            DStream<?> mapState = mapped.dependencies().get(0);
            DStream<?> updateState = updated; // the keyed handle is on the state node itself
            PairDStream<String, Long> snapshots = mapped.stateSnapshots();
            BatchOutput<Pair<String, Long>> finalState = kit.collect(snapshots);
            List<Footprint> footprints = new CopyOnWriteArrayList<>();
            List<String> lineages = new CopyOnWriteArrayList<>();
            BatchOutput<Pair<String, Long>> finalUpdated = kit.collect(updated);
            updated.foreachBatch((ds, t) -> {
                ds.count();
                String lineage = ds.lineage();
                String mapLineage = mapState.node().datasetAt(t).orElseThrow().lineage();
                if (lineages.isEmpty()) {
                    lineages.add(lineage);
                } else {
                    lineages.set(0, lineage);
                }
                footprints.add(new Footprint((int) mapLineage.lines().count(), (int) lineage.lines().count(),
                        Math.max(mapState.rememberedTimes().size(), updateState.rememberedTimes().size()),
                        EngineServices.of(kit.context().engine()).runtime().blockStore().size()));
            });
            kit.run(BATCHES);

            Footprint early = footprints.get(49);
            Footprint worst = footprints.subList(50, BATCHES).stream().reduce((a, b) -> new Footprint(
                    Math.max(a.mapWithStateLineage(), b.mapWithStateLineage()),
                    Math.max(a.updateStateLineage(), b.updateStateLineage()),
                    Math.max(a.remembered(), b.remembered()), Math.max(a.blocks(), b.blocks()))).orElseThrow();
            System.out.printf("state long run: after 50 batches %s; worst of batches 51-%d %s; shuffles held: %d%n",
                    early, BATCHES, worst, EngineServices.of(kit.context().engine()).runtime().shuffleRegistry().size());
            // State checkpoints are asynchronous: the lineage is cut once one is durable, at most
            // BatchCheckpointer.MAX_LAG_INTERVALS (4) checkpoint intervals late; uncut it would grow to thousands of lines.
            assertThat(worst.mapWithStateLineage()).as("mapWithState lineage lines").isLessThanOrEqualTo(130);
            assertThat(worst.updateStateLineage()).as("updateStateByKey lineage lines, e.g.%n%s",
                    lineages.get(lineages.size() - 1)).isLessThanOrEqualTo(160);
            assertThat(worst.remembered()).as("remembered datasets").isLessThanOrEqualTo(11);
            assertThat(worst.blocks()).as("block store size").isLessThanOrEqualTo(early.blocks());
            assertThat(finalUpdated.batch(BATCHES - 1)).containsExactlyInAnyOrderElementsOf(finalState.batch(BATCHES - 1));
            assertThat(finalState.batch(BATCHES - 1)).hasSize(7).contains(Pair.of("k0", (long) (BATCHES / 7 + 1
                    + BATCHES / 3 + 1)));
        }
    }
}
