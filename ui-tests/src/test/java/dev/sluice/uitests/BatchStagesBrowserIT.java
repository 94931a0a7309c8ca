package dev.sluice.uitests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Pair;
import dev.sluice.streaming.CheckpointInfo;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.PairDStream;
import dev.sluice.streaming.StreamingListener;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/** A batch's stages and the last checkpoints, in a real headless Chromium. */
@Timeout(120)
class BatchStagesBrowserIT {
    private static final long SEED = 1313;
    private static final int BATCHES = 4;

    private static Browser browser;
    private static StreamingTestKit kit;
    private static URI base;
    private static int input;
    private static int pairs;
    private static int counts;
    private static int totals;

    @BeforeAll
    static void startPipelineAndBrowser() throws Exception {
        browser = new Browser();
        Path checkpoints = Files.createTempDirectory("sluice-ui-stages");
        kit = StreamingTestKit.builder().webUi(true).checkpointDir(checkpoints.toUri().toString()).build();
        Random random = new Random(SEED);
        List<List<String>> words = new ArrayList<>();
        for (int b = 0; b < BATCHES; b++) {
            List<String> batch = new ArrayList<>();
            for (int i = 10 + random.nextInt(20); i > 0; i--) {
                batch.add("w" + random.nextInt(12));
            }
            words.add(batch);
        }
        DStream<String> in = kit.input(words).setName("seeded words").uid("words");
        PairDStream<String, Integer> ones = in.mapToPair(w -> Pair.of(w, 1));
        PairDStream<String, Integer> perBatch = ones.reduceByKey(Integer::sum).setName("count per batch");
        PairDStream<String, Integer> running = ones.updateStateByKey((List<Integer> vs, Optional<Integer> s) ->
                Optional.of(s.orElse(0) + vs.size())).setName("running totals").uid("totals");
        perBatch.foreachBatch((ds, time) -> ds.count());
        running.foreachBatch((ds, time) -> ds.count());
        input = in.id();
        pairs = ones.id();
        counts = perBatch.id();
        totals = running.id();
        kit.run(BATCHES);
        base = kit.context().webUiUrl().orElseThrow();
    }

    @AfterAll
    static void stop() throws Exception {
        if (kit != null) {
            kit.close();
        }
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void batchPage_showsTheShuffleMapAndResultStagesOfReduceByKey_andTheGraphLinksOperatorsToThem() throws Exception {
        ChromeDriver driver = browser.driver();
        driver.get(base.resolve("/batches/3000").toString());
        List<WebElement> rows = driver.findElements(By.cssSelector("#stages tr.stage"));
        // Two outputs: reduceByKey's job (shuffle-map, result) and updateStateByKey's (its own shuffle, then result).
        assertThat(rows).extracting(r -> r.getAttribute("data-kind")).contains("shuffle-map", "result");
        WebElement countsResult = rows.stream().filter(r -> r.getAttribute("data-kind").equals("result")
                && List.of(r.getAttribute("data-operators").split(" ")).contains(Integer.toString(counts)))
                .findFirst().orElseThrow();
        String resultStage = countsResult.getAttribute("data-stage");
        assertThat(countsResult.getText()).contains("#0").contains("succeeded");
        WebElement mapStage = rows.stream().filter(r -> r.getAttribute("data-kind").equals("shuffle-map")
                && r.getText().startsWith(countsResult.getText().split(" ")[0] + " ")).findFirst().orElseThrow();
        assertThat(mapStage.getAttribute("data-operators").split(" ")).as("the map side: the input and mapToPair")
                .contains(Integer.toString(input), Integer.toString(pairs));

        WebElement node = driver.findElement(By.cssSelector("#pipeline g.node[data-id='" + counts + "']"));
        assertThat(node.getAttribute("data-stages").split(" ")).contains(resultStage);
        assertThat(node.getText()).contains("stage " + resultStage);
        WebElement inputNode = driver.findElement(By.cssSelector("#pipeline g.node[data-id='" + input + "']"));
        assertThat(inputNode.getAttribute("data-stages").split(" ")).contains(mapStage.getAttribute("data-stage"));
        browser.screenshot("batch-stages");

        driver.findElement(By.cssSelector("#operator-stages tr[data-operator='" + counts + "'] a[href='#stage-"
                + resultStage + "']")).click();
        assertThat(driver.getCurrentUrl()).endsWith("/batches/3000#stage-" + resultStage);
    }

    @Test
    void statePage_showsTheLastCheckpoints_ofTheMetadataAndOfTheStatefulOperator() throws Exception {
        post(new CheckpointInfo(CheckpointInfo.Kind.STATE_DELTA, "totals", Time.ofMillis(3000), 4_321, 2, 7,
                Duration.ofMillis(17), Optional.empty()));
        ChromeDriver driver = browser.driver();
        driver.get(base.resolve("/state").toString());
        WebElement row = driver.findElement(By.cssSelector("#state tr[data-operator='" + totals + "']"));
        assertThat(row.getAttribute("data-uid")).isEqualTo("totals");
        assertThat(row.findElement(By.cssSelector("td.last-checkpoint")).getText()).isEqualTo("3000");
        assertThat(row.findElement(By.cssSelector("td.checkpoint-kind")).getText()).isEqualTo("STATE_DELTA");
        assertThat(row.findElement(By.cssSelector("td.checkpoint-bytes")).getText()).isEqualTo("4321");
        assertThat(row.getText()).contains("17.00");
        WebElement metadata = driver.findElement(By.cssSelector("#metadata-checkpoint tr:nth-child(2)"));
        assertThat(metadata.findElement(By.cssSelector("td.last-checkpoint")).getText())
                .as("the metadata checkpoint written after the last batch").isEqualTo(Long.toString(BATCHES * 1000L));
        assertThat(metadata.findElement(By.cssSelector("td.checkpoint-kind")).getText()).isEqualTo("METADATA");
        assertThat(Long.parseLong(metadata.findElement(By.cssSelector("td.checkpoint-bytes")).getText())).isPositive();
        browser.screenshot("state-checkpoints");
    }

    /** Posts {@code info} on the context's listener bus, as the state checkpoint writer does. */
    private static void post(CheckpointInfo info) throws Exception {
        Method runtime = kit.context().getClass().getDeclaredMethod("runtime");
        runtime.setAccessible(true);
        Object r = runtime.invoke(kit.context());
        Object bus = r.getClass().getMethod("bus").invoke(r);
        Consumer<StreamingListener> event = l -> l.onCheckpointWritten(info);
        bus.getClass().getMethod("post", Consumer.class).invoke(bus, event);
    }
}
