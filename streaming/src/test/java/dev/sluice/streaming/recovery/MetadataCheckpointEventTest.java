package dev.sluice.streaming.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Pair;
import dev.sluice.streaming.CheckpointInfo;
import dev.sluice.streaming.PairDStream;
import dev.sluice.streaming.StreamingListener;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every metadata checkpoint write is reported to the listeners: its batch, size and one file. */
class MetadataCheckpointEventTest {
    @TempDir
    Path dir;

    @Test
    void eachBatch_reportsItsMetadataCheckpointWithTheBytesOfTheFileWritten() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        int batches = 5 + random.nextInt(5);
        List<List<Pair<String, Integer>>> input = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            List<Pair<String, Integer>> batch = new ArrayList<>();
            for (int i = random.nextInt(20); i > 0; i--) {
                batch.add(Pair.of("w" + random.nextInt(50), 1));
            }
            input.add(batch);
        }
        List<CheckpointInfo> events = new CopyOnWriteArrayList<>();
        try (StreamingTestKit kit = StreamingTestKit.builder().checkpointDir(dir.toUri().toString()).build()) {
            PairDStream<String, Integer> words = kit.pairInput(input);
            kit.collect(words.updateStateByKey((List<Integer> vs, Optional<Integer> s) ->
                    Optional.of(s.orElse(0) + vs.size())).uid("counts"));
            kit.context().addListener(new StreamingListener() {
                @Override
                public void onCheckpointWritten(CheckpointInfo info) {
                    if (info.kind() == CheckpointInfo.Kind.METADATA) {
                        events.add(info);
                    }
                }
            });
            kit.run(batches);
        }

        assertThat(events).as("seed %s: one metadata checkpoint per batch", seed).hasSize(batches);
        for (int b = 0; b < batches; b++) {
            CheckpointInfo e = events.get(b);
            assertThat(e.batchTime().millis()).as("seed %s", seed).isEqualTo((b + 1) * 1000L);
            assertThat(e.succeeded()).isTrue();
            assertThat(e.files()).isEqualTo(1);
            assertThat(e.uid()).isEmpty();
            assertThat(e.keys()).isZero();
            assertThat(e.duration()).isPositive();
        }
        CheckpointInfo last = events.get(batches - 1);
        Path file = dir.resolve(String.format("metadata-%020d", last.batchTime().millis()));
        assertThat(last.bytes()).as("seed %s: the bytes of %s", seed, file).isEqualTo(Files.size(file));
    }
}
