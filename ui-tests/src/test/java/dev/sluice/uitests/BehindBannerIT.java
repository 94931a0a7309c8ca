package dev.sluice.uitests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.streaming.BatchInfo;
import dev.sluice.streaming.StreamingListener;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/** The front page says when the stream is behind, and stops saying it once it caught up. */
@Timeout(120)
class BehindBannerIT {

    @Test
    void frontPage_whileABatchIsStuck_saysTheStreamIsBehind_andAfterwardsThatItKeepsUp() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch fourSubmitted = new CountDownLatch(4);
        CountDownLatch fourCompleted = new CountDownLatch(4);
        try (Browser browser = new Browser();
             StreamingTestKit kit = StreamingTestKit.builder().webUi(true).build()) {
            kit.input(List.of(List.of(1, 2, 3), List.of(4, 5), List.of(6))).foreachBatch((ds, time) -> {
                if (time.millis() == 1000) {
                    entered.countDown();
                    release.await();
                }
                ds.count();
            });
            kit.context().addListener(new StreamingListener() {
                @Override
                public void onBatchSubmitted(Time batchTime, long numInputRecords) {
                    fourSubmitted.countDown();
                }

                @Override
                public void onBatchCompleted(BatchInfo info) {
                    fourCompleted.countDown();
                }
            });
            kit.run(0);
            for (long t = 1000; t <= 4000; t += 1000) {
                kit.clock().setTime(t);
            }
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(fourSubmitted.await(10, TimeUnit.SECONDS)).isTrue();

            ChromeDriver driver = browser.driver();
            driver.get(kit.context().webUiUrl().orElseThrow().toString());
            assertThat(driver.findElement(By.id("status")).getText()).startsWith("The stream is behind.")
                    .contains("3.0 s old");
            assertThat(driver.findElement(By.id("lag")).getText()).isEqualTo("6 records, 3.0 s behind");
            browser.screenshot("batches-behind");

            release.countDown();
            assertThat(fourCompleted.await(10, TimeUnit.SECONDS)).isTrue();
            driver.navigate().refresh();
            assertThat(driver.findElement(By.id("status")).getText()).isEqualTo("The stream keeps up.");
        }
    }
}
