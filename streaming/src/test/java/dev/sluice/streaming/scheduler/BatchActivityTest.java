package dev.sluice.streaming.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The busy share the state checkpoint writer yields by: slack only when batches leave the cores idle. */
class BatchActivityTest {
    private static final long MS = 1_000_000L;

    @Test
    void aStreamWithSlack_wantsYieldingWhileABatchRuns_aSaturatedOneNever() {
        BatchActivity a = new BatchActivity();
        assertThat(a.running()).isFalse();
        assertThat(a.yieldWanted()).as("no batch ran yet").isFalse();
        long t = 0;
        a.started(t);
        assertThat(a.yieldWanted()).as("first batch: no history, no slack assumed").isFalse();
        a.ended(t += 100 * MS);
        // Paced: 100 ms batches every second; the average falls towards 0.1 and passes the slack bound.
        int batchesUntilSlack = 0;
        for (int i = 0; i < 30 && a.busyFraction() > BatchActivity.SLACK_BUSY_FRACTION; i++) {
            a.started(t += 900 * MS);
            a.ended(t += 100 * MS);
            batchesUntilSlack++;
        }
        assertThat(a.busyFraction()).isLessThanOrEqualTo(BatchActivity.SLACK_BUSY_FRACTION);
        assertThat(batchesUntilSlack).as("a few batches of history").isBetween(2, 10);
        a.started(t += 900 * MS);
        assertThat(a.running()).isTrue();
        assertThat(a.yieldWanted()).as("a batch runs, the stream has slack").isTrue();
        a.ended(t += 100 * MS);
        assertThat(a.yieldWanted()).as("between batches").isFalse();

        // Back to back: 1 ms gaps between 200 ms batches; the average climbs past the bound and stays.
        for (int i = 0; i < 30; i++) {
            a.started(t += MS);
            a.ended(t += 200 * MS);
        }
        assertThat(a.busyFraction()).isGreaterThan(0.95);
        a.started(t += MS);
        assertThat(a.yieldWanted()).as("saturated: the writer takes its share").isFalse();
        a.ended(t + 200 * MS);
    }
}
