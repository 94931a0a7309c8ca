package dev.sluice.streaming.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Pair;
import dev.sluice.streaming.BatchInfo;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.PairDStream;
import dev.sluice.streaming.StreamingListener;
import dev.sluice.streaming.testing.ReceiverInput;
import dev.sluice.streaming.testing.StreamingTestKit;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch's jobs and stages and the age of its oldest record, over real HTTP (JSON and the batch
 * page) and in the meters, for known pipelines under the manual clock.
 */
@Timeout(60)
class BatchDetailsIT {
    private final HttpClient http = HttpClient.newHttpClient();

    private String body(URI base, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s", path).isEqualTo(200);
        return r.body();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object o) {
        return (List<Map<String, Object>>) o;
    }

    @Test
    void reduceByKey_batchHasAShuffleMapAndAResultStage_coveringItsOperators() throws Exception {
        long seed = 1313;
        Random random = new Random(seed);
        int parallelism = 2;
        List<List<Integer>> batches = new ArrayList<>();
        for (int b = 0; b < 3; b++) {
            batches.add(IntStream.range(0, 40 + random.nextInt(60)).map(i -> random.nextInt(25)).boxed().toList());
        }
        try (StreamingTestKit kit = StreamingTestKit.builder().webUi(true).parallelism(parallelism).build()) {
            DStream<Integer> numbers = kit.input(batches).setName("numbers");
            PairDStream<Integer, Integer> pairs = numbers.mapToPair(x -> Pair.of(x, 1));
            PairDStream<Integer, Integer> counts = pairs.reduceByKey(Integer::sum);
            counts.setName("counts");
            kit.collect(counts);
            kit.run(3);
            URI base = kit.context().webUiUrl().orElseThrow();

            for (int b = 0; b < 3; b++) {
                long time = (b + 1) * 1000L;
                List<Integer> batch = batches.get(b);
                // Map-side combine: one record per distinct key of each contiguous input slice.
                long shuffled = 0;
                for (int p = 0; p < parallelism; p++) {
                    shuffled += new HashSet<>(batch.subList(p * batch.size() / parallelism,
                            (p + 1) * batch.size() / parallelism)).size();
                }
                Map<String, Object> json = JsonParser.object(body(base, "/api/v1/streaming/batches/" + time));
                List<Map<String, Object>> jobs = list(json.get("jobs"));
                assertThat(jobs).as("batch %s, seed %s", time, seed).singleElement()
                        .satisfies(j -> assertThat(j).containsEntry("outputOpId", 0.0));
                List<Map<String, Object>> stages = list(jobs.get(0).get("stages"));
                assertThat(stages).extracting(s -> s.get("kind")).containsExactly("shuffle-map", "result");
                Map<String, Object> map = stages.get(0);
                Map<String, Object> result = stages.get(1);
                assertThat(map).containsEntry("numTasks", (double) parallelism)
                        .containsEntry("numAttempts", (double) parallelism).containsEntry("numFailedAttempts", 0.0)
                        .containsEntry("shuffleRecordsWritten", (double) shuffled).containsEntry("status", "SUCCEEDED");
                assertThat((List<Object>) map.get("operatorIds")).as("input and mapToPair, seed %s", seed)
                        .contains((double) numbers.id());
                assertThat((List<Object>) result.get("operatorIds")).contains((double) counts.id())
                        .doesNotContain((double) numbers.id());
                assertThat((List<Object>) result.get("parentStageIds")).containsExactly(map.get("stageId"));
                assertThat(result).containsEntry("shuffleRecordsWritten", null);
                assertThat((Double) result.get("duration")).isGreaterThanOrEqualTo(0.0);
                assertThat(json).as("list inputs do not know when their records came in")
                        .containsEntry("oldestRecordAge", null).containsEntry("oldestRecordTime", null);
            }

            String page = body(base, "/batches/2000");
            assertThat(page).contains("<table id=\"stages\"").contains("data-kind=\"shuffle-map\"")
                    .contains("data-kind=\"result\"").contains("<svg id=\"pipeline\"")
                    .contains("data-id=\"" + counts.id() + "\"");
            assertThat(page).as("the reduceByKey node shows its stage, and links to it").containsPattern(
                    "<g class=\"node operator\" data-id=\"" + counts.id() + "\" data-kind=\"reduceByKey\" "
                            + "data-name=\"counts\" data-stages=\"\\d+\"")
                    .containsPattern("<tr data-operator=\"" + counts.id() + "\"><td class=\"text\">counts \\("
                            + counts.id() + "\\)</td><td class=\"text\"><a href=\"#stage-\\d+\">");
            assertThat(body(base, "/api/v1/streaming/batches")).as("the list leaves stages out").doesNotContain("\"jobs\"");
        }
    }

    @Test
    void failingTask_andManyActions_showAFailedStageWithItsAttempts_andAtMost64StagesABatch() throws Exception {
        int actions = 70;
        try (StreamingTestKit kit = StreamingTestKit.builder().webUi(true).failOnBatchError(false).build()) {
            DStream<Integer> numbers = kit.input(List.of(List.of(1, 2, 3, 4), List.of(5, 6, 7, 8)));
            numbers.foreachBatch((ds, time) -> {
                if (time.millis() == 1000) {
                    ds.map(x -> {
                        if (x == 3) {
                            throw new IllegalArgumentException("record 3 is bad");
                        }
                        return x;
                    }).count();
                }
                for (int i = 0; i < actions; i++) {
                    ds.count();
                }
            });
            kit.run(2);
            URI base = kit.context().webUiUrl().orElseThrow();

            Map<String, Object> failed = JsonParser.object(body(base, "/api/v1/streaming/batches/1000"));
            assertThat(failed).containsEntry("status", "FAILED");
            Map<String, Object> stage = list(list(failed.get("jobs")).get(0).get("stages")).get(0);
            assertThat(stage).containsEntry("status", "FAILED").containsEntry("kind", "result");
            assertThat((Double) stage.get("numFailedAttempts")).as("every attempt of the bad task failed")
                    .isPositive().isLessThanOrEqualTo((Double) stage.get("numAttempts"));
            assertThat(body(base, "/batches/1000")).contains("<tr class=\"stage result failed\"");

            List<Map<String, Object>> jobs = list(JsonParser.object(body(base, "/api/v1/streaming/batches/2000"))
                    .get("jobs"));
            assertThat(jobs).as("one stage per count(), kept up to the bound").hasSize(64)
                    .allSatisfy(j -> assertThat(list(j.get("stages"))).hasSize(1));
        }
    }

    @Test
    void receiverInput_oldestRecordAge_isBatchTimeMinusTheFirstStoreTimeOfTheManualClock() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        try (StreamingTestKit kit = StreamingTestKit.builder().webUi(true).meterRegistry(registry).build()) {
            ReceiverInput<String> input = kit.receiverInput();
            kit.collect(input.stream());
            Map<Long, CompletableFuture<BatchInfo>> completed = new ConcurrentHashMap<>();
            kit.context().addListener(new StreamingListener() {
                @Override
                public void onBatchCompleted(BatchInfo info) {
                    completed.computeIfAbsent(info.batchTime().millis(), t -> new CompletableFuture<>()).complete(info);
                }
            });
            kit.run(0);

            kit.clock().setTime(300);
            input.send(List.of("a", "b"));
            kit.clock().setTime(800);
            input.send(List.of("c"));
            runTo(kit, completed, 1000); // oldest stored at 300
            kit.clock().setTime(1250);
            input.send(List.of("d"));
            kit.clock().setTime(1900);
            input.send(List.of("e", "f"));
            runTo(kit, completed, 2000); // oldest stored at 1250
            kit.run(1); // batch 3000: nothing stored

            URI base = kit.context().webUiUrl().orElseThrow();
            assertThat(JsonParser.object(body(base, "/api/v1/streaming/batches/1000")))
                    .containsEntry("inputSize", 3.0).containsEntry("oldestRecordAge", 700.0)
                    .containsEntry("oldestRecordTime", "1970-01-01T00:00:00.300Z");
            assertThat(JsonParser.object(body(base, "/api/v1/streaming/batches/2000")))
                    .containsEntry("inputSize", 3.0).containsEntry("oldestRecordAge", 750.0);
            assertThat(JsonParser.object(body(base, "/api/v1/streaming/batches/3000")))
                    .containsEntry("inputSize", 0.0).containsEntry("oldestRecordAge", null);
            assertThat(body(base, "/batches/1000")).contains("<dt>oldest record age</dt><dd>700 ms");

            Timer age = registry.get("sluice.batch.oldest.record.age").timer();
            assertThat(age.count()).as("one sample per batch with a known age").isEqualTo(2);
            assertThat(age.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(700.0 + 750.0);
            assertThat(age.max(TimeUnit.MILLISECONDS)).isEqualTo(750.0);
        }
    }

    /** Sets the clock to batch time {@code time} (past the interval's other moments) and waits for the batch. */
    private static void runTo(StreamingTestKit kit, Map<Long, CompletableFuture<BatchInfo>> completed, long time)
            throws Exception {
        kit.clock().setTime(time);
        completed.computeIfAbsent(time, t -> new CompletableFuture<>()).get(30, TimeUnit.SECONDS);
    }

    @Test
    void fileStream_oldestRecordAge_isBatchTimeMinusTheOldestModificationTime(@TempDir Path dir) throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        try (StreamingTestKit kit = StreamingTestKit.builder().webUi(true).meterRegistry(registry).build()) {
            kit.collect(kit.context().textFileStream(dir.toUri().toString()));
            kit.run(0);
            write(dir.resolve("one.txt"), "x\ny\n", 200);
            write(dir.resolve("two.txt"), "z\n", 650);
            kit.run(1); // batch 1000 reads files last modified at or before 0: none
            kit.run(1); // batch 2000 reads both
            write(dir.resolve("three.txt"), "w\n", 1700);
            kit.run(1); // batch 3000 reads three.txt

            URI base = kit.context().webUiUrl().orElseThrow();
            assertThat(JsonParser.object(body(base, "/api/v1/streaming/batches/1000")))
                    .containsEntry("oldestRecordAge", null);
            assertThat(JsonParser.object(body(base, "/api/v1/streaming/batches/2000")))
                    .containsEntry("oldestRecordAge", 1800.0);
            assertThat(JsonParser.object(body(base, "/api/v1/streaming/batches/3000")))
                    .containsEntry("oldestRecordAge", 1300.0);
            Timer age = registry.get("sluice.batch.oldest.record.age").timer();
            assertThat(age.count()).isEqualTo(2);
            assertThat(age.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(1800.0 + 1300.0);
        }
    }

    private static void write(Path file, String text, long modifiedMillis) throws IOException {
        Files.writeString(file, text);
        assertThat(file.toFile().setLastModified(modifiedMillis)).as("set the modification time of %s", file).isTrue();
    }
}
