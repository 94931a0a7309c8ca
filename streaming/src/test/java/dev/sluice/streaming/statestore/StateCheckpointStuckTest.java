package dev.sluice.streaming.statestore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.streaming.CheckpointInfo;
import dev.sluice.streaming.state.StateMap;
import dev.sluice.streaming.state.StateMapCodec;
import dev.sluice.streaming.state.StateRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream whose state checkpoints cannot complete says so loudly: one ERROR once more than the
 * stuck limit of batch time passed since the last complete checkpoint, whether the file system
 * fails every write or hangs in one. Batch times are the snapshots' (as a manual clock gives
 * them); no sleep decides anything: the writer's retries have no backoff here, and the hanging
 * write waits on a latch.
 */
class StateCheckpointStuckTest {
    private static final StateMapCodec<Integer, Long, Object> CODEC = new StateMapCodec<>();
    private static final Duration STUCK_AFTER = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    /** One partition of seeded random state, changed by every {@link #advance}, with its HashMap model. */
    private static final class State {
        final Random random;
        final Map<Integer, Long> model = new HashMap<>();
        StateMap<Integer, Long> map = StateMap.empty();

        State(long seed) {
            random = new Random(seed);
        }

        StateCheckpointWriter.Snapshot advance(long time) {
            StateMap<Integer, Long> next = map.newDelta();
            for (int i = 0; i < 200; i++) {
                int key = random.nextInt(1_000);
                if (random.nextInt(5) == 0) {
                    next.remove(key, time);
                    model.remove(key);
                } else {
                    long v = random.nextLong();
                    next.put(key, v, time);
                    model.put(key, v);
                }
            }
            map = next.compacted();
            return new StateCheckpointWriter.Snapshot("op", time, CODEC,
                    List.of(CODEC.keyedState(List.of(new StateRecord<>(map, List.of())))), null, null);
        }
    }

    @Test
    void failingFileSystem_oneErrorOnceTheStuckLimitIsPassed_andAgainOnlyInANewEpisode() throws Exception {
        long seed = 5;
        StateFiles files = new StateFiles(dir.toUri().toString(), StateStoreModelTest.kryo(), new Configuration());
        List<CheckpointInfo> infos = new CopyOnWriteArrayList<>();
        StateCheckpointWriter writer = new StateCheckpointWriter(files, infos::add, () -> { }, STUCK_AFTER,
                Duration.ZERO);
        State state = new State(seed);
        Path opDir = Path.of(files.dir("op").toUri());
        try {
            write(writer, state.advance(1_000));
            assertThat(infos.get(0).succeeded()).as("seed %s: first checkpoint", seed).isTrue();
            block(opDir);
            // batch time since the last complete checkpoint (1 s): 9 s, 50 s, 60 s (not more), 61 s, 69 s
            long[] failing = {10_000, 51_000, 61_000, 62_000, 70_000};
            int[] errorsAfter = {0, 0, 0, 1, 1};
            for (int i = 0; i < failing.length; i++) {
                write(writer, state.advance(failing[i]));
                assertThat(infos.get(infos.size() - 1).error()).as("seed %s: batch %s fails", seed, failing[i])
                        .isPresent();
                assertThat(writer.stuckReports()).as("seed %s: ERRORs after the failure at %s ms", seed, failing[i])
                        .isEqualTo(errorsAfter[i]);
            }
            unblock(opDir);
            write(writer, state.advance(80_000));
            assertThat(infos.get(infos.size() - 1).succeeded()).as("seed %s: writes succeed again", seed).isTrue();
            assertReadBackEqualsModel(files, writer, state, seed, 80_000);
            block(opDir);
            write(writer, state.advance(140_000)); // 60 s since the success at 80 s: not more
            assertThat(writer.stuckReports()).as("seed %s: a new episode, not yet stuck", seed).isEqualTo(1);
            write(writer, state.advance(141_000));
            assertThat(writer.stuckReports()).as("seed %s: a new episode, stuck again", seed).isEqualTo(2);
        } finally {
            writer.close();
        }
    }

    @Test
    void hangingFileSystem_oneErrorWhenASkippedCheckpointIsPastTheStuckLimit() throws Exception {
        long seed = 8;
        StateFiles files = new StateFiles(dir.toUri().toString(), StateStoreModelTest.kryo(), new Configuration());
        List<CheckpointInfo> infos = new CopyOnWriteArrayList<>();
        CountDownLatch hanging = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Runnable midWrite = () -> {
            if (hanging.getCount() > 0) {
                hanging.countDown();
                try {
                    assertThat(release.await(60, TimeUnit.SECONDS)).isTrue();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        StateCheckpointWriter writer = new StateCheckpointWriter(files, infos::add, midWrite, STUCK_AFTER,
                Duration.ZERO);
        State state = new State(seed);
        try {
            writer.submit(state.advance(1_000));
            assertThat(hanging.await(30, TimeUnit.SECONDS)).as("seed %s: the write of 1000 ms hangs", seed).isTrue();
            for (long t = 2_000; t <= 61_000; t += 1_000) { // each replaces the one before, not started
                writer.submit(state.advance(t));
            }
            assertThat(writer.stuckReports()).as("seed %s: 60 s of batch time is not more than the limit", seed)
                    .isZero();
            writer.submit(state.advance(62_000));
            assertThat(writer.stuckReports()).as("seed %s: 61 s: one ERROR", seed).isEqualTo(1);
            writer.submit(state.advance(63_000));
            assertThat(writer.stuckReports()).as("seed %s: once per episode", seed).isEqualTo(1);
            assertThat(infos).as("seed %s: nothing completed while hanging", seed).isEmpty();
            release.countDown();
            assertThat(writer.awaitIdle(Duration.ofSeconds(60))).isTrue();
            assertThat(infos).extracting(i -> i.batchTime().millis()).as("seed %s: the hung write, then the newest", seed)
                    .containsExactly(1_000L, 63_000L);
            assertReadBackEqualsModel(files, writer, state, seed, 63_000);
        } finally {
            writer.close();
        }
    }

    private static void write(StateCheckpointWriter writer, StateCheckpointWriter.Snapshot s) throws Exception {
        writer.submit(s);
        assertThat(writer.awaitIdle(Duration.ofSeconds(60))).as("writer idle after %s ms", s.time()).isTrue();
    }

    /** A file where the operator's directory should be: every write under it fails. */
    private static void block(Path opDir) throws Exception {
        Files.move(opDir, opDir.resolveSibling("op.moved"));
        Files.writeString(opDir, "not a directory");
    }

    private static void unblock(Path opDir) throws Exception {
        Files.delete(opDir);
        Files.move(opDir.resolveSibling("op.moved"), opDir);
    }

    private static void assertReadBackEqualsModel(StateFiles files, StateCheckpointWriter writer, State state,
                                                  long seed, long time) {
        StateCheckpointWriter.Committed c = writer.takeCommitted().get("op");
        assertThat(c).as("seed %s: committed", seed).isNotNull();
        assertThat(c.manifest().stateTime()).isEqualTo(time);
        StateMap<Integer, Long> restored = files.loadPartition(files.readManifest(c.uri()), 0, CODEC).get(0).state();
        Map<Integer, Long> read = new HashMap<>();
        for (Iterator<StateMap.Entry<Integer, Long>> it = restored.iterator(); it.hasNext(); ) {
            StateMap.Entry<Integer, Long> e = it.next();
            read.put(e.key(), e.state());
        }
        assertThat(read).as("seed %s: checkpoint of %s ms read back", seed, time).isEqualTo(state.model);
    }
}
