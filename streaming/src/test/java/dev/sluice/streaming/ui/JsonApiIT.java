package dev.sluice.streaming.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.streaming.DStream;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The JSON API and /metrics over real HTTP on loopback (a free port). */
@Timeout(60)
class JsonApiIT {
    private static final long SEED = 20261201;
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(URI base, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String body(URI base, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = get(base, path);
        assertThat(r.statusCode()).as("GET %s", path).isEqualTo(200);
        return r.body();
    }

    @Test
    void api_afterSeededBatchesWithOneFailure_reportsEveryBatchStatisticsAndTheGraph() throws Exception {
        Random random = new Random(SEED);
        List<List<Integer>> batches = new ArrayList<>();
        for (int b = 0; b < 6; b++) {
            batches.add(IntStream.range(0, random.nextInt(30)).boxed().toList());
        }
        try (StreamingTestKit kit = StreamingTestKit.builder().webUi(true).failOnBatchError(false).build()) {
            DStream<Integer> doubled = kit.input(batches).setName("numbers").map(x -> x * 2).setName("doubled");
            doubled.foreachBatch((ds, time) -> {
                if (time.millis() == 4000) {
                    throw new IllegalStateException("sink refused batch 4000");
                }
                ds.count();
            });
            kit.run(6);
            URI base = kit.context().webUiUrl().orElseThrow();
            assertThat(base.getHost()).as("loopback by default").isEqualTo("127.0.0.1");

            Map<String, Object> stats = JsonParser.object(body(base, "/api/v1/streaming/statistics"));
            long total = batches.stream().mapToLong(List::size).sum();
            assertThat(stats).containsEntry("batchDuration", 1000.0).containsEntry("numTotalCompletedBatches", 6.0)
                    .containsEntry("numRetainedCompletedBatches", 6.0).containsEntry("numFailedBatches", 1.0)
                    .containsEntry("numProcessedRecords", (double) total).containsEntry("lagRecords", 0.0)
                    .containsEntry("behind", false).containsEntry("numReceivers", 0.0);
            assertThat((Double) stats.get("avgInputRate")).as("seed %s", SEED).isEqualTo(total / 6.0);

            List<Map<String, Object>> list = JsonParser.array(body(base, "/api/v1/streaming/batches"));
            assertThat(list).extracting(m -> m.get("batchId")).as("newest first")
                    .containsExactly(6000.0, 5000.0, 4000.0, 3000.0, 2000.0, 1000.0);
            assertThat(list).extracting(m -> m.get("inputSize"))
                    .containsExactlyElementsOf(IntStream.of(5, 4, 3, 2, 1, 0)
                            .mapToObj(i -> (Object) (double) batches.get(i).size()).toList());
            Map<String, Object> failed = JsonParser.object(body(base, "/api/v1/streaming/batches/4000"));
            assertThat(failed).containsEntry("status", "FAILED").containsEntry("numFailedOutputOps", 1.0);
            assertThat((String) failed.get("firstFailureReason")).contains("sink refused batch 4000");
            assertThat(JsonParser.object(body(base, "/api/v1/streaming/batches/3000")))
                    .containsEntry("status", "COMPLETED").containsEntry("firstFailureReason", null);
            assertThat(get(base, "/api/v1/streaming/batches/123").statusCode()).isEqualTo(404);
            assertThat(get(base, "/api/v1/streaming/batches/abc").statusCode()).isEqualTo(404);

            List<Map<String, Object>> inputs = JsonParser.array(body(base, "/api/v1/streaming/receivers"));
            assertThat(inputs).singleElement().satisfies(m -> assertThat(m).containsEntry("streamName", "numbers")
                    .containsEntry("isReceiver", false).containsEntry("lastBatchRecords", (double) batches.get(5).size()));

            Map<String, Object> graph = JsonParser.object(body(base, "/api/v1/graph"));
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> nodes = (List<Map<String, Object>>) graph.get("nodes");
            assertThat(nodes).extracting(n -> n.get("name"), n -> n.get("role"), n -> n.get("kind")).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("numbers", "INPUT", "listInput"),
                    org.assertj.core.groups.Tuple.tuple("doubled", "OPERATOR", "map"),
                    org.assertj.core.groups.Tuple.tuple("foreachBatch of doubled", "OUTPUT", "foreachBatch"));
            assertThat((List<?>) graph.get("edges")).hasSize(2);
            assertThat(nodes).extracting(n -> n.get("uid")).as("the input's derived uid; the map needs none")
                    .containsExactly("list-input-0", null, null);

            String metrics = body(base, "/metrics");
            assertThat(metrics).contains("sluice_batch_processing_seconds_count 6")
                    .contains("sluice_batches_total{outcome=\"failed\"} 1")
                    .contains("sluice_input_records_total{stream=\"numbers\",stream_id=\"0\"} " + total);
        }
    }

    @Test
    void server_refusesPost_servesHead_andStopsWithTheContext() throws Exception {
        URI base;
        try (StreamingTestKit kit = StreamingTestKit.builder().webUi(true).build()) {
            kit.collect(kit.input(List.of(List.of(1, 2))));
            kit.run(1);
            base = kit.context().webUiUrl().orElseThrow();
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(base.resolve("/api/v1/graph"))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
            HttpResponse<String> page = get(base, "/");
            assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp ->
                    assertThat(csp).startsWith("default-src 'none'"));
            assertThat(get(base, "/no-such-page").statusCode()).isEqualTo(404);
        }
        URI stopped = base;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> get(stopped, "/"))
                .as("no server after stop").isInstanceOf(IOException.class);
    }
}
