package dev.sluice.uitests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Pair;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.PairDStream;
import dev.sluice.streaming.Receiver;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/** The web UI of a running pipeline, in a real headless Chromium. */
@Timeout(120)
class WebUiBrowserIT {
    private static final long SEED = 4040;
    private static final int BATCHES = 12;
    private static final int RETAINED = 7;
    private static final long FAILED_BATCH = 9000;
    private static final String FAILURE = "the sink refused batch 9000 <on purpose>";
    private static final List<String> PAGES = List.of("/", "/receivers", "/state", "/graph", "/batches/" + FAILED_BATCH);

    private static Browser browser;
    private static StreamingTestKit kit;
    private static URI base;
    private static final Map<Integer, String> streams = new HashMap<>();
    /** Node ids of some of the streams, by variable name. */
    private static final Map<String, Integer> ids = new HashMap<>();

    /** Stores what the test hands it, from the test's thread. */
    static final class Source extends Receiver<String> {
        @Override
        public void onStart() {
        }

        @Override
        public void onStop() {
        }

        @Override
        public String name() {
            return "lines";
        }
    }

    @BeforeAll
    static void startPipelineAndBrowser() throws Exception {
        browser = new Browser();
        Path checkpoints = Files.createTempDirectory("sluice-ui-checkpoints");
        kit = StreamingTestKit.builder().webUi(true).retainedBatches(RETAINED).failOnBatchError(false)
                .checkpointDir(checkpoints.toUri().toString()).build();
        Random random = new Random(SEED);
        List<List<String>> lines = new ArrayList<>();
        for (int b = 0; b < BATCHES; b++) {
            List<String> batch = new ArrayList<>();
            for (int i = random.nextInt(20); i >= 0; i--) {
                batch.add("w" + random.nextInt(30) + " w" + random.nextInt(30));
            }
            lines.add(batch);
        }
        Source source = new Source();
        DStream<String> fromReceiver = track(kit.context().receiverStream(source));
        DStream<String> fromList = track(kit.input(lines).setName("seeded lines"));
        DStream<String> all = track(fromList.union(fromReceiver));
        DStream<String> words = track(all.flatMap(l -> Arrays.asList(l.split(" "))).setName("split words"));
        PairDStream<String, Integer> ones = track(words.mapToPair(w -> Pair.of(w, 1)));
        PairDStream<String, Integer> counts = track(ones.reduceByKey(Integer::sum).setName("count per batch"));
        PairDStream<String, Integer> totals = track(ones.updateStateByKey((List<Integer> vs, Optional<Integer> s) ->
                Optional.of(s.orElse(0) + vs.size())).setName("running totals"));
        ids.putAll(Map.of("all", all.id(), "words", words.id(), "ones", ones.id(), "counts", counts.id(),
                "totals", totals.id()));
        counts.foreachBatch((ds, time) -> {
            if (time.millis() == FAILED_BATCH) {
                throw new IllegalStateException(FAILURE);
            }
            ds.count();
        });
        totals.foreachBatch((ds, time) -> ds.count());
        kit.run(0);
        source.store("w1 w2");
        kit.run(BATCHES);
        base = kit.context().webUiUrl().orElseThrow();
    }

    private static <S extends DStream<?>> S track(S stream) {
        streams.put(stream.id(), stream.name());
        return stream;
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

    private static ChromeDriver open(String path) {
        ChromeDriver driver = browser.driver();
        driver.get(base.resolve(path).toString());
        return driver;
    }

    @Test
    void everyPage_rendersItsHeadingAndNavigation_andIsSavedAsAScreenshot() throws Exception {
        for (String path : PAGES) {
            ChromeDriver driver = open(path);
            assertThat(driver.getTitle()).as("title of %s", path).endsWith("· Sluice");
            assertThat(driver.findElement(By.tagName("h1")).getText()).as("heading of %s", path).isNotBlank();
            assertThat(driver.findElements(By.cssSelector("header a"))).as("navigation of %s", path).hasSizeGreaterThan(4);
            browser.screenshot(path.equals("/") ? "batches" : path.substring(1).replace('/', '-'));
        }
        ChromeDriver driver = open("/receivers");
        List<String> rows = driver.findElements(By.cssSelector("#receivers tr[data-stream]")).stream()
                .map(WebElement::getText).toList();
        assertThat(rows).hasSize(2).anySatisfy(r -> assertThat(r).contains("lines").contains("ACTIVE"));
        open("/state");
        assertThat(driver.findElement(By.cssSelector("#state tr[data-operator]")).getText())
                .as("the state operator (named through its PairDStream handle), its keys and its checkpoint "
                        + "(default interval: 10 batches)")
                .contains("running totals").contains(" 30 ")
                // state checkpoints are asynchronous: the one of 10000 ms (a full base, the first)
                // shows with its kind once it is durable
                .satisfiesAnyOf(r -> assertThat(r).contains(" 10000 STATE_BASE "), r -> assertThat(r).endsWith("none yet"));
    }

    @Test
    void timelineCharts_haveOnePointPerRetainedBatch() {
        ChromeDriver driver = open("/");
        List<WebElement> charts = driver.findElements(By.cssSelector("svg.timeline"));
        assertThat(charts).hasSize(4);
        for (WebElement chart : charts) {
            String points = chart.findElement(By.cssSelector("polyline.series")).getAttribute("points");
            assertThat(points.trim().split("\\s+")).as("points of %s", chart.getAttribute("id")).hasSize(RETAINED);
            assertThat(chart.getAttribute("data-points")).isEqualTo(Integer.toString(RETAINED));
        }
        assertThat(driver.findElements(By.cssSelector("#batches tr[data-batch]"))).hasSize(RETAINED);
    }

    @Test
    void pipelineGraph_showsEveryOperatorWithItsIdAndName_andTheOutputs() {
        ChromeDriver driver = open("/graph");
        List<WebElement> nodes = driver.findElements(By.cssSelector("#pipeline g.node"));
        Map<Integer, String> drawn = nodes.stream().collect(Collectors.toMap(n -> Integer.valueOf(n.getAttribute("data-id")),
                n -> n.getAttribute("data-name")));
        assertThat(drawn).containsAllEntriesOf(streams);
        Map<Integer, String> kinds = nodes.stream().collect(Collectors.toMap(n -> Integer.valueOf(n.getAttribute("data-id")),
                n -> n.getAttribute("data-kind")));
        assertThat(kinds).as("kinds are the operator descriptors' kinds, one node per operator (no pair views)")
                .containsEntry(ids.get("ones"), "mapToPair").containsEntry(ids.get("counts"), "reduceByKey")
                .containsEntry(ids.get("totals"), "updateStateByKey").containsEntry(ids.get("words"), "flatMap")
                .containsEntry(ids.get("all"), "union").doesNotContainValue("pair");
        assertThat(nodes).as("the graph's nodes: the tracked streams and the two outputs").hasSize(streams.size() + 2);
        assertThat(nodes.stream().filter(n -> n.getAttribute("class").contains("output")).count()).isEqualTo(2);
        assertThat(nodes.stream().filter(n -> n.getAttribute("class").contains("stateful")).count()).isEqualTo(1);
        Set<Integer> inputs = new TreeSet<>();
        nodes.stream().filter(n -> n.getAttribute("class").contains("input"))
                .forEach(n -> inputs.add(Integer.valueOf(n.getAttribute("data-id"))));
        assertThat(inputs).hasSize(2);
        for (WebElement node : nodes) {
            assertThat(node.getText()).as("label of node %s", node.getAttribute("data-id"))
                    .contains("#" + node.getAttribute("data-id"));
        }
        assertThat(driver.findElements(By.cssSelector("#pipeline line.edge"))).as("one edge per parent link")
                .hasSizeGreaterThanOrEqualTo(nodes.size() - inputs.size());
    }

    @Test
    void failedBatch_showsItsError_inTheTableAndOnItsPage() {
        ChromeDriver driver = open("/");
        WebElement row = driver.findElement(By.cssSelector("#batches tr[data-batch='" + FAILED_BATCH + "']"));
        assertThat(row.getAttribute("class")).isEqualTo("failed");
        assertThat(row.findElement(By.cssSelector("td.error")).getText()).contains(FAILURE);
        assertThat(driver.findElements(By.cssSelector("#batches tr.failed"))).hasSize(1);
        row.findElement(By.tagName("a")).click();
        assertThat(driver.getCurrentUrl()).endsWith("/batches/" + FAILED_BATCH);
        assertThat(driver.findElement(By.id("error")).getText()).contains(FAILURE);
    }

    @Test
    void noPage_makesARequestOutsideTheProgram() {
        String origin = base.getScheme() + "://" + base.getAuthority();
        for (String path : PAGES) {
            ChromeDriver driver = open(path);
            @SuppressWarnings("unchecked")
            List<String> requested = (List<String>) driver.executeScript("return performance.getEntries()"
                    + ".filter(e => e.entryType === 'navigation' || e.entryType === 'resource').map(e => e.name);");
            assertThat(requested).as("requests of %s", path).isNotEmpty().allSatisfy(url -> assertThat(url).startsWith(origin));
            @SuppressWarnings("unchecked")
            List<String> referenced = (List<String>) driver.executeScript("return Array.from(document.querySelectorAll("
                    + "'[src],[href],link,script,img,iframe')).map(e => e.src || e.href || '').filter(u => u);");
            assertThat(referenced).as("resources referenced by %s", path)
                    .allSatisfy(url -> assertThat(url).startsWith(origin));
        }
    }
}
