package dev.sluice.streaming.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.SluiceException;
import dev.sluice.streaming.BatchInfo;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.testing.BatchOutput;
import dev.sluice.streaming.testing.StreamingTestKit;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class BatchErrorTest {

    @Test
    @Timeout(60)
    void outputThrowsError_batchFailsWithThatCause_andLaterBatchesRun() {
        try (StreamingTestKit kit = StreamingTestKit.builder().batchInterval(Duration.ofSeconds(1))
                .batchTimeout(Duration.ofSeconds(30)).build()) {
            DStream<Integer> in = kit.input(List.of(List.of(1), List.of(2), List.of(3)));
            in.foreachBatch((ds, time) -> {
                if (time.millis() == 2000) {
                    throw new NoClassDefFoundError("missing/Thing");
                }
            });
            BatchOutput<Integer> out = kit.collect(in);

            kit.run(1);
            assertThatThrownBy(() -> kit.run(1)).isInstanceOf(SluiceException.class)
                    .hasMessageContaining("2000 ms").hasCauseInstanceOf(NoClassDefFoundError.class);
            kit.run(1);

            assertThat(out.all()).containsExactly(1, 2, 3);
            assertThat(kit.batchInfos()).extracting(BatchInfo::succeeded).containsExactly(true, false, true);
        }
    }
}
