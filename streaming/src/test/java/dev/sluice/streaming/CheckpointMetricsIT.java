package dev.sluice.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Pair;
import dev.sluice.streaming.testing.ReceiverInput;
import dev.sluice.streaming.testing.StreamingTestKit;
import dev.sluice.streaming.ui.JsonParser;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoint and write-ahead-log meters and the last checkpoint per operator: metadata checkpoints
 * and log flushes from a real run with a checkpoint directory, state checkpoints as events posted
 * through the context's real listener bus (as the state checkpoint writer posts them).
 */
@Timeout(90)
class CheckpointMetricsIT {
    private static final long SEED = 1311;
    private final HttpClient http = HttpClient.newHttpClient();

    private String body(URI base, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s", path).isEqualTo(200);
        return r.body();
    }

    @Test
    void metadataCheckpointsAndLogFlushes_ofARealRun_andStateCheckpointEvents_areMeteredAndShown(@TempDir Path dir)
            throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        Random random = new Random(SEED);
        int batches = 3;
        long walBytesMetered;
        long walFlushes;
        try (StreamingTestKit kit = StreamingTestKit.builder().webUi(true).meterRegistry(registry)
                .checkpointDir(dir.toUri().toString()).build()) {
            ReceiverInput<String> words = kit.receiverInput();
            PairDStream<String, Integer> counts = words.stream().mapToPair(w -> Pair.of(w, 1))
                    .updateStateByKey((List<Integer> values, Optional<Integer> state) ->
                            Optional.of(state.orElse(0) + values.size()));
            counts.uid("counts");
            kit.collect(counts);
            kit.run(0);
            for (int b = 0; b < batches; b++) {
                List<String> sent = new ArrayList<>();
                for (int i = 0; i < 5 + random.nextInt(20); i++) {
                    sent.add("w" + random.nextInt(10));
                }
                for (String w : sent) {
                    words.send(List.of(w)); // one logged block, so one group flush or more, per word
                }
                kit.run(1);
            }
            URI base = kit.context().webUiUrl().orElseThrow();

            // Metadata checkpoints: one write after each batch, the last one's size is the newest file's.
            Timer metadata = registry.get("sluice.checkpoint.duration").tag("kind", "metadata").tag("uid", "none")
                    .timer();
            assertThat(metadata.count()).as("metadata checkpoints, seed %s", SEED).isEqualTo(batches);
            assertThat(registry.get("sluice.checkpoint.bytes").tag("kind", "metadata").summary().count())
                    .isEqualTo(batches);
            long newestFile = Files.size(newestMetadataFile(dir));
            Map<String, Object> metadataJson = JsonParser.array(body(base, "/api/v1/streaming/checkpoints")).stream()
                    .filter(m -> m.get("uid").equals("")).findFirst().orElseThrow();
            assertThat(metadataJson).containsEntry("batchId", (double) batches * 1000)
                    .containsEntry("lastCheckpointKind", "METADATA")
                    .containsEntry("lastCheckpointBytes", (double) newestFile);

            // Write-ahead-log flushes: bytes per flush add up to what the block log holds.
            walFlushes = registry.get("sluice.wal.flush").tag("log", "blocks").timer().count();
            walBytesMetered = Math.round(registry.get("sluice.wal.bytes").tag("log", "blocks").summary().totalAmount());
            assertThat(walFlushes).as("block log flushes, seed %s", SEED).isPositive();
            assertThat(registry.get("sluice.wal.flush").tag("log", "allocations").timer().count()).isPositive();

            // State checkpoints, as the state checkpoint writer reports them, through the real bus.
            post(kit, new CheckpointInfo(CheckpointInfo.Kind.STATE_BASE, "counts", Time.ofMillis(2000), 5_000, 2, 9,
                    Duration.ofMillis(40), Optional.empty()));
            post(kit, new CheckpointInfo(CheckpointInfo.Kind.STATE_DELTA, "counts", Time.ofMillis(3000), 700, 2, 3,
                    Duration.ofMillis(12), Optional.empty()));
            post(kit, new CheckpointInfo(CheckpointInfo.Kind.STATE_BASE, "counts", Time.ofMillis(1000), 3_000, 2, 6,
                    Duration.ofMillis(25), Optional.empty())); // an asynchronous write that ended late

            Timer base2 = registry.get("sluice.checkpoint.duration").tag("kind", "state_base").tag("uid", "counts")
                    .timer();
            assertThat(base2.count()).isEqualTo(2);
            assertThat(base2.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(40.0 + 25.0);
            assertThat(registry.get("sluice.checkpoint.bytes").tag("kind", "state_base").tag("uid", "counts").summary()
                    .totalAmount()).isEqualTo(5_000.0 + 3_000.0);
            assertThat(registry.get("sluice.checkpoint.bytes").tag("kind", "state_delta").summary().totalAmount())
                    .isEqualTo(700.0);
            Map<String, Object> op = JsonParser.array(body(base, "/api/v1/streaming/operators")).get(0);
            assertThat(op).as("the newest batch's write, not the last to end").containsEntry("uid", "counts")
                    .containsEntry("lastCheckpointKind", "STATE_DELTA").containsEntry("lastCheckpointBatch", 3000.0)
                    .containsEntry("lastCheckpointBytes", 700.0).containsEntry("lastCheckpointDuration", 12.0)
                    .containsEntry("lastCheckpointError", null);
            String state = body(base, "/state");
            assertThat(state).contains("data-uid=\"counts\"").contains("<td class=\"last-checkpoint\">3000</td>")
                    .contains("STATE_DELTA").contains("<td class=\"checkpoint-bytes\">700</td>")
                    .contains("<table id=\"metadata-checkpoint\"");

            post(kit, new CheckpointInfo(CheckpointInfo.Kind.STATE_DELTA, "counts", Time.ofMillis(4000), 0, 0, 0,
                    Duration.ofMillis(3), Optional.of(new java.io.IOException("disk full"))));
            assertThat(registry.get("sluice.checkpoint.failures").tag("kind", "state_delta").tag("uid", "counts")
                    .counter().count()).isEqualTo(1.0);
            assertThat(registry.get("sluice.checkpoint.bytes").tag("kind", "state_delta").summary().count())
                    .as("a failed write has no bytes sample").isEqualTo(1);
            assertThat((String) JsonParser.array(body(base, "/api/v1/streaming/operators")).get(0)
                    .get("lastCheckpointError")).contains("disk full");
        }
        assertThat(registry.find("sluice.checkpoint.duration").meters()).as("removed at stop").isEmpty();
        assertThat(registry.find("sluice.wal.bytes").meters()).isEmpty();
        long logged = 0;
        try (Stream<Path> segments = Files.list(dir.resolve("receiver-log").resolve("blocks"))) {
            for (Path s : (Iterable<Path>) segments::iterator) {
                logged += Files.size(s) - 28; // less each segment's header (SegmentFormat.SEGMENT_HEADER_BYTES)
            }
        }
        assertThat(walBytesMetered).as("bytes metered over %s flushes against the block log's records", walFlushes)
                .isEqualTo(logged);
    }

    private static void post(StreamingTestKit kit, CheckpointInfo info) {
        kit.context().runtime().bus().post(l -> l.onCheckpointWritten(info));
    }

    private static Path newestMetadataFile(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(p -> p.getFileName().toString().matches("metadata-\\d{20}"))
                    .max(java.util.Comparator.comparing(p -> p.getFileName().toString())).orElseThrow();
        }
    }
}
