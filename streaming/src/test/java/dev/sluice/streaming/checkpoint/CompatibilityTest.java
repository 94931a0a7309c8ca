package dev.sluice.streaming.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.streaming.Time;
import dev.sluice.streaming.checkpoint.MetadataCheckpoint.OperatorState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CompatibilityTest {
    private static final MetadataCheckpoint RECORDED = new MetadataCheckpoint(1, Time.ofMillis(5000),
            Duration.ofSeconds(1), Time.ofMillis(4000), List.of(),
            Map.of("counts", new OperatorState("counts", Time.ofMillis(4000), "file:/c/ds-3", 4),
                    "window", new OperatorState("window", Time.ofMillis(3000), "file:/c/ds-5", 2)),
            "file:/c/run-1");

    @Test
    void check_sameIntervalAndOperators_isCompatible() {
        Compatibility c = Compatibility.check(RECORDED,
                new GraphShape(Duration.ofSeconds(1), Map.of("counts", 4, "window", 2)), false);

        assertThat(c.isCompatible()).isTrue();
        assertThat(c.matched()).containsExactly("counts", "window");
        assertThat(c.message()).contains("restored [counts, window]");
    }

    @Test
    void check_batchIntervalChanged_isRefusedShowingOldAndNew() {
        Compatibility c = Compatibility.check(RECORDED,
                new GraphShape(Duration.ofSeconds(2), Map.of("counts", 4, "window", 2)), true);

        assertThat(c.isCompatible()).isFalse();
        assertThat(c.message()).contains("batch interval changed").contains("the checkpoint has PT1S")
                .contains("the new graph has PT2S");
    }

    @Test
    void check_partitionCountChanged_isRefusedShowingOldAndNew() {
        Compatibility c = Compatibility.check(RECORDED,
                new GraphShape(Duration.ofSeconds(1), Map.of("counts", 8, "window", 2)), false);

        assertThat(c.isCompatible()).isFalse();
        assertThat(c.message()).contains("'counts' had 4 partitions in the checkpoint, the new graph has 8");
    }

    @Test
    void check_statefulUidRenamed_isRefusedWithMatchedMissingAndNew() {
        Compatibility c = Compatibility.check(RECORDED,
                new GraphShape(Duration.ofSeconds(1), Map.of("totals", 4, "window", 2)), false);

        assertThat(c.isCompatible()).isFalse();
        assertThat(c.matched()).containsExactly("window");
        assertThat(c.missing()).containsExactly("counts");
        assertThat(c.added()).containsExactly("totals");
        assertThat(c.message()).contains("matched [window]").contains("not in the new graph [counts]")
                .contains("new in the graph [totals]").contains("uid(");
    }

    @Test
    void check_operatorRemovedWithAllowDropping_isCompatibleAndReportsTheDroppedState() {
        Compatibility c = Compatibility.check(RECORDED,
                new GraphShape(Duration.ofSeconds(1), Map.of("window", 2, "fresh", 3)), true);

        assertThat(c.isCompatible()).isTrue();
        assertThat(c.message()).contains("restored [window]").contains("state dropped (not in the new graph) [counts]")
                .contains("starting empty (new in the graph) [fresh]");
    }

    @Test
    void check_operatorRemovedWithoutAllowDropping_isRefused() {
        Compatibility c = Compatibility.check(RECORDED, new GraphShape(Duration.ofSeconds(1), Map.of("window", 2)),
                false);

        assertThat(c.isCompatible()).isFalse();
        assertThat(c.missing()).containsExactly("counts");
        assertThat(c.message()).contains("allow dropping the state of removed operators");
    }
}
