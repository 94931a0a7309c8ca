package dev.sluice.checkpoint.recovery;

import dev.sluice.checkpoint.ChildJvm;
import dev.sluice.streaming.recovery.CrashPoint;
import dev.sluice.streaming.recovery.CrashPoints;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Crashes at named points of the durability protocol: a child JVM ({@link ReceiverWordCountChild})
 * armed with {@code -Dsluice.test.crashAt=POINT:n} stops when it reaches the point the
 * {@code n}th time and is killed there with SIGKILL; the next child resumes with
 * {@code getOrCreate}. Three crashes at each point (three values of {@code n}), then a child runs
 * to the end, and its totals must equal a fault-free count: nothing lost, nothing counted twice.
 */
class CrashPointTest {
    private static final int RECORDS = 3000;

    @TempDir
    Path dir;

    static java.util.stream.Stream<Arguments> points() {
        return java.util.stream.Stream.of(
                // The nth store call: its block is in the log, the tracker has not got it yet.
                Arguments.of(CrashPoint.AFTER_WAL_APPEND_BEFORE_ALLOCATION, new int[] {3, 17, 60}),
                // The nth state checkpoint (every 300 ms): its first partition file written, not committed.
                Arguments.of(CrashPoint.DURING_STATE_CHECKPOINT_WRITE, new int[] {1, 3, 5}),
                // The nth batch: its state computed (the jobs' shared lineage), no output run yet.
                Arguments.of(CrashPoint.AFTER_BATCH_STATE_BEFORE_OUTPUT, new int[] {2, 9, 20}),
                // The nth batch's output: its totals written, the output commit log does not have it yet.
                Arguments.of(CrashPoint.AFTER_OUTPUT_BEFORE_COMMIT, new int[] {3, 10, 21}),
                // The nth batch's metadata checkpoint: temp file written, not renamed.
                Arguments.of(CrashPoint.DURING_METADATA_CHECKPOINT_WRITE, new int[] {4, 11, 23}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("points")
    void crashAtPoint_threeTimes_totalsEqualAFaultFreeCount(CrashPoint point, int[] times) throws Exception {
        long seed = point.ordinal() * 7919L + 17;
        ReceiverChildRuns runs = new ReceiverChildRuns(dir, seed, RECORDS);
        for (int n : times) {
            try (ChildJvm child = runs.start(Map.of(CrashPoints.PROPERTY, point.name() + ":" + n))) {
                child.awaitLine(CrashPoints.MARKER + point.name());
                child.kill();
            }
        }
        runs.finishAndCheck("crashed at " + point + " the " + java.util.Arrays.toString(times) + "th time");
    }
}
