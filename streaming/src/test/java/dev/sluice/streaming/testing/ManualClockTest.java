package dev.sluice.streaming.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ManualClockTest {

    @Test
    void advance_movesTimeForward() {
        ManualClock clock = new ManualClock(100);
        clock.advance(Duration.ofMillis(50));
        assertThat(clock.millis()).isEqualTo(150);
    }

    @Test
    void setTime_backwards_fails() {
        ManualClock clock = new ManualClock(100);
        assertThatThrownBy(() -> clock.setTime(99)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("100", "99");
        assertThatThrownBy(() -> clock.advance(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @Timeout(10)
    void waitUntil_clockAdvanced_wakesTheWaiter() throws Exception {
        ManualClock clock = new ManualClock();
        CompletableFuture<Long> woke = CompletableFuture.supplyAsync(() -> {
            try {
                clock.waitUntil(1000);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return clock.millis();
        });
        clock.advance(Duration.ofMillis(400));
        clock.setTime(1000);
        assertThat(woke.get(5, TimeUnit.SECONDS)).isEqualTo(1000);
    }
}
