package dev.sluice.streaming.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.streaming.Receiver;
import dev.sluice.streaming.input.ReceiverSupervisor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InputMonitorTest {

    static final class Idle extends Receiver<String> {
        @Override
        public void onStart() {
        }

        @Override
        public void onStop() {
        }
    }

    @Test
    void afterBatch_throttledForMoreThanTheLimit_warnsOncePerEpisode() {
        ReceiverSupervisor<String> supervisor = new ReceiverSupervisor<>(new Idle(), 0, e -> { }, Duration.ZERO,
                Duration.ZERO);
        supervisor.setBatchQuota(100);
        InputMonitor monitor = new InputMonitor(0, "idle", supervisor);
        List<Integer> warnedAt = new ArrayList<>();
        long[] records = {100, 100, 100, 100, 100, 40, 100, 100, 100, 100};
        for (int b = 0; b < records.length; b++) {
            if (monitor.afterBatch(records[b], 1.0, 3)) {
                warnedAt.add(b);
            }
        }
        assertThat(warnedAt).as("the 4th throttled batch in a row warns; a free batch starts a new episode")
                .containsExactly(3, 9);
        assertThat(monitor.throttledBatches()).isEqualTo(4);
        assertThat(monitor.quota()).isEqualTo(100);
        assertThat(monitor.rate()).isEqualTo(100.0);
    }

    @Test
    void afterBatch_ofAnInputThatIsNoReceiver_isNeverThrottled() {
        InputMonitor monitor = new InputMonitor(3, "queue", null);
        for (int b = 0; b < 5; b++) {
            assertThat(monitor.afterBatch(1_000_000, 0.5, 1)).isFalse();
        }
        assertThat(monitor.throttledBatches()).isZero();
        assertThat(monitor.rate()).isEqualTo(2_000_000.0);
        assertThat(monitor.offeredRate()).isEqualTo(2_000_000.0);
        assertThat(monitor.isActive()).isTrue();
    }
}
