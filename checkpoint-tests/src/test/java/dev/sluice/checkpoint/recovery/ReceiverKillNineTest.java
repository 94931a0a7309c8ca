package dev.sluice.checkpoint.recovery;

import dev.sluice.checkpoint.ChildJvm;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 over a receiver: a child JVM ({@link ReceiverWordCountChild}) counts the words a
 * reliable receiver stores through the write-ahead log; the harness kills it with SIGKILL at
 * seeded random moments, {@code sluice.kill9.rounds / 2} times (default 10; the {@code kill9-soak}
 * profile runs 100), restarting it each time on the same checkpoint directory. A last child runs to
 * the last record, and the totals must equal a fault-free count: nothing lost, nothing counted twice.
 */
class ReceiverKillNineTest {
    private static final long SEED = 20261202L;
    private static final int RECORDS = 4000;

    @TempDir
    Path dir;

    @Test
    void receiverKilledAtRandomMoments_totalsEqualAFaultFreeCount() throws Exception {
        int rounds = Math.max(1, Integer.getInteger("sluice.kill9.rounds", 20) / 2);
        Random random = new Random(SEED);
        ReceiverChildRuns runs = new ReceiverChildRuns(dir, SEED, RECORDS);
        for (int round = 0; round < rounds; round++) {
            try (ChildJvm child = runs.start(Map.of())) {
                child.awaitFile(runs.readyMarker(child));
                Thread.sleep(100 + random.nextInt(1200)); // decides only when the child dies
                child.kill();
            }
        }
        runs.finishAndCheck(rounds + " kills at random moments");
    }
}
