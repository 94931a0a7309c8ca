package dev.sluice.streaming.statestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.streaming.CheckpointInfo;
import dev.sluice.streaming.state.StateMap;
import dev.sluice.streaming.state.StateMapCodec;
import dev.sluice.streaming.state.StateRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Per-partition rebasing: each partition's chain stays within its own bound over long seeded
 * runs, partitions updated alike rebase staggered (never all at once after the first
 * checkpoint; at a steady pace at most the budget per checkpoint, and each chain only when
 * nearly full), the transient disk peak stays within {@code (1 + DELTA_RATIO + r / P)} full
 * copies for {@code r} rebased, 2 at most; and a crash in the middle of a checkpoint
 * where some partitions are bases and others deltas resumes from the last complete one, whose
 * damaged files are refused with their path.
 */
class StateStoreRebaseTest {
    private static final StateMapCodec<Integer, Long, Object> CODEC = new StateMapCodec<>();

    @TempDir
    Path dir;

    /** Checks one partition's chain against the bound: at most 1 + MAX_DELTAS files, deltas at most DELTA_RATIO x base. */
    static void assertWithinBound(List<StateManifest.FileRef> chain, String what) {
        assertThat(chain).as("%s: files %s", what, chain).isNotEmpty()
                .hasSizeLessThanOrEqualTo(1 + StateCheckpointWriter.MAX_DELTAS);
        assertThat(chain.get(0).base()).as("%s: the chain starts with a base: %s", what, chain).isTrue();
        assertThat(chain.subList(1, chain.size())).as("%s: then deltas only", what)
                .noneMatch(StateManifest.FileRef::base);
        assertThat((double) RebasePolicy.deltaBytes(chain)).as("%s: delta bytes of %s", what, chain)
                .isLessThanOrEqualTo(StateCheckpointWriter.DELTA_RATIO * RebasePolicy.baseBytes(chain));
    }

    /** Partitions of seeded random state with their HashMap models. */
    private static final class Partitions {
        final List<StateMap<Integer, Long>> maps = new ArrayList<>();
        final List<Map<Integer, Long>> models = new ArrayList<>();

        Partitions(int n) {
            for (int p = 0; p < n; p++) {
                maps.add(StateMap.empty());
                models.add(new HashMap<>());
            }
        }

        int size() {
            return maps.size();
        }

        /** Puts {@code ops} random keys below {@code keySpace} into partition {@code p}, a removal for every {@code removeOneIn}. */
        void update(int p, Random random, int ops, int keySpace, long time, int removeOneIn) {
            StateMap<Integer, Long> map = maps.get(p).newDelta();
            for (int i = 0; i < ops; i++) {
                int key = random.nextInt(keySpace);
                if (removeOneIn > 0 && random.nextInt(removeOneIn) == 0) {
                    map.remove(key, time);
                    models.get(p).remove(key);
                } else {
                    long v = random.nextInt(1_000_000);
                    map.put(key, v, time);
                    models.get(p).put(key, v);
                }
            }
            maps.set(p, map.compacted());
        }

        StateCheckpointWriter.Snapshot snapshot(long time) {
            List<StateCodec.KeyedState> keyed = new ArrayList<>();
            for (StateMap<Integer, Long> m : maps) {
                keyed.add(CODEC.keyedState(List.of(new StateRecord<>(m, List.of()))));
            }
            return new StateCheckpointWriter.Snapshot("op", time, CODEC, keyed, null, null);
        }
    }

    /** The state files of this test's temporary directory. */
    private StateFiles files() {
        return new StateFiles(dir.toUri().toString(), StateStoreModelTest.kryo(), new Configuration());
    }

    private StateCheckpointWriter.Committed checkpoint(StateCheckpointWriter writer, Partitions state, long time)
            throws InterruptedException {
        writer.submit(state.snapshot(time));
        assertThat(writer.awaitIdle(Duration.ofSeconds(30))).as("writer idle").isTrue();
        return writer.takeCommitted().get("op");
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 12, 13, 14, 15, 16})
    void uniformUpdates_chainsStayWithinTheirBound_rebasesAreStaggered_peakWithinTwoCopies(long seed)
            throws Exception {
        Random random = new Random(seed);
        int partitions = 2 + random.nextInt(7);
        int keySpace = 1_000 + random.nextInt(2_000);
        StateFiles files = files();
        List<CheckpointInfo> infos = new CopyOnWriteArrayList<>();
        Partitions state = new Partitions(partitions);
        int budget = RebasePolicy.budget(partitions);
        // Paces here swing up to 7-fold between checkpoints, so two nearly full chains may overflow together
        // (steadyPace_... holds the budget exactly). At 3 partitions that is r = 2, past P / 2: the transient
        // bound is then 1.5 F + 2 F / 3, about 2.17 F, not 2 F (RebasePolicy's bounds say so).
        int atOnce = Math.min(partitions - 1, Math.max(Math.max(budget, 2), partitions / 2));
        double peakBound = 1 + StateCheckpointWriter.DELTA_RATIO + atOnce / (double) partitions;
        String what = String.format("seed %s, %s partitions of %s keys", seed, partitions, keySpace);
        double worstPeak = 0;
        try (StateCheckpointWriter writer = new StateCheckpointWriter(files, infos::add, () -> { },
                Duration.ofMinutes(1))) {
            for (int p = 0; p < partitions; p++) {
                state.update(p, random, 3 * keySpace, keySpace, 1000, 0); // every key once at least (nearly)
            }
            StateManifest previous = checkpoint(writer, state, 1000).manifest();
            long full = previous.totalBytes();
            for (int batch = 2; batch <= 300; batch++) {
                long time = batch * 1000L;
                int ops = keySpace * (2 + random.nextInt(14)) / 100; // 2-15% of the keys, alike in every partition
                for (int p = 0; p < partitions; p++) {
                    state.update(p, random, ops, keySpace, time, 0);
                }
                StateCheckpointWriter.Committed c = checkpoint(writer, state, time);
                StateManifest m = c.manifest();
                for (int p = 0; p < partitions; p++) {
                    assertWithinBound(m.partitions().get(p), what + ": partition " + p + " at " + time);
                }
                CheckpointInfo info = infos.get(infos.size() - 1);
                assertThat(info.basePartitions()).as("%s: rebased at %s (the budget %s)", what, time, budget)
                        .isLessThan(partitions);
                if (batch > 3 * StateCheckpointWriter.MAX_DELTAS) { // past the first rounds, which set the phases
                    assertThat(info.basePartitions()).as("%s: rebased at %s", what, time).isLessThanOrEqualTo(atOnce);
                }
                // The old chains stay until the metadata refers to the new manifest: both are on disk then.
                double peak = union(previous, m) / (double) full;
                worstPeak = Math.max(worstPeak, peak);
                if (info.basePartitions() <= partitions / 2) { // the bound's premise (the first rounds may rebase more)
                    assertThat(peak).as("%s: transient bytes at %s over one full copy (%s rebased)", what, time,
                            info.basePartitions()).isLessThanOrEqualTo(
                                    (1 + StateCheckpointWriter.DELTA_RATIO + info.basePartitions() / (double) partitions) * 1.02);
                }
                writer.referenced(c);
                previous = m;
            }
        }
        assertThat(infos).as("%s: one base of every partition (the first), then staggered", what)
                .filteredOn(i -> i.kind() == CheckpointInfo.Kind.STATE_BASE).hasSize(1);
        assertThat(infos).as("%s: some partitions rebased", what).anyMatch(i -> i.basePartitions() > 0
                && i.kind() == CheckpointInfo.Kind.STATE_DELTA);
        assertThat(worstPeak).as("%s: peak", what).isLessThanOrEqualTo(peakBound * 1.02);
    }

    @ParameterizedTest(name = "{0} partitions")
    @ValueSource(ints = {2, 4, 8})
    void steadyPace_eachChainRunsUntilNearlyFull_afterThePhasesAreSet(int partitions) throws Exception {
        // Partitions updated alike at a steady pace (7-9% of the keys per checkpoint): once the early
        // rebases have moved them apart, a chain is rebased only when it is nearly full, not at half
        // (which wrote bases about twice as often), and never more than the budget at once.
        long seed = 40 + partitions;
        Random random = new Random(seed);
        int keySpace = 2_000;
        StateFiles files = files();
        List<CheckpointInfo> infos = new CopyOnWriteArrayList<>();
        Partitions state = new Partitions(partitions);
        int budget = RebasePolicy.budget(partitions);
        String what = String.format("seed %s, %s partitions", seed, partitions);
        List<Double> fullnessAtRebase = new ArrayList<>();
        try (StateCheckpointWriter writer = new StateCheckpointWriter(files, infos::add, () -> { },
                Duration.ofMinutes(1))) {
            for (int p = 0; p < partitions; p++) {
                state.update(p, random, 3 * keySpace, keySpace, 1000, 0);
            }
            StateManifest previous = checkpoint(writer, state, 1000).manifest();
            for (int batch = 2; batch <= 200; batch++) {
                long time = batch * 1000L;
                int ops = keySpace * (7 + random.nextInt(3)) / 100;
                for (int p = 0; p < partitions; p++) {
                    state.update(p, random, ops, keySpace, time, 0);
                }
                StateCheckpointWriter.Committed c = checkpoint(writer, state, time);
                StateManifest m = c.manifest();
                int rebased = infos.get(infos.size() - 1).basePartitions();
                if (batch > 4 * StateCheckpointWriter.MAX_DELTAS) {
                    assertThat(rebased).as("%s: rebased at %s", what, time).isLessThanOrEqualTo(budget);
                    for (int p = 0; p < partitions; p++) {
                        List<StateManifest.FileRef> before = previous.partitions().get(p);
                        if (!m.partitions().get(p).get(0).name().equals(before.get(0).name())) {
                            fullnessAtRebase.add(fullness(before));
                        }
                    }
                }
                writer.referenced(c);
                previous = m;
            }
        }
        assertThat(fullnessAtRebase).as("%s: rebases past the first rounds", what).hasSizeGreaterThan(partitions);
        fullnessAtRebase.sort(null);
        double median = fullnessAtRebase.get(fullnessAtRebase.size() / 2);
        assertThat(median).as("%s: median fullness of a chain when rebased (%s rebases)", what, fullnessAtRebase.size())
                .isGreaterThanOrEqualTo(0.7);
    }

    @org.junit.jupiter.api.Test
    void aWriterAskedToYield_waitsBetweenBlocks_andWritesTheSameState() throws Exception {
        // The supplier stands for "a batch runs and the stream has slack": true for its first calls
        // (the writer parks between blocks until it turns false), then false.
        StateFiles files = files();
        Random random = new Random(77);
        Partitions state = new Partitions(2);
        for (int p = 0; p < 2; p++) {
            state.update(p, random, 60_000, 30_000, 1000, 0);
        }
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CountDownLatch written = new java.util.concurrent.CountDownLatch(1);
        try (StateCheckpointWriter writer = new StateCheckpointWriter(files, i -> written.countDown(), () -> { },
                Duration.ofMinutes(1))) {
            writer.yieldWhile(() -> asked.incrementAndGet() <= 3);
            writer.submit(state.snapshot(1000)); // not awaitIdle: a thread waiting for the writer stops its yielding
            assertThat(written.await(30, java.util.concurrent.TimeUnit.SECONDS)).as("written").isTrue();
            StateCheckpointWriter.Committed c = writer.takeCommitted().get("op");
            long keys = state.models.get(0).size() + state.models.get(1).size();
            assertThat(asked.get()).as("asked between blocks of the %s entries", keys)
                    .isGreaterThanOrEqualTo((int) (keys / 4096));
            assertThat(writer.yielded()).as("parked while asked to").isPositive();
            StateManifest m = files.readManifest(c.uri());
            for (int p = 0; p < 2; p++) {
                StateMap<Integer, Long> map = files.loadPartition(m, p, CODEC).get(0).state();
                Map<Integer, Long> read = new HashMap<>();
                map.forEachLive((k, v, t) -> read.put(k, v));
                assertThat(read).as("partition %s read back", p).isEqualTo(state.models.get(p));
            }
        }
    }

    /** How full a chain is: 1 when its deltas reach the bound, in bytes or in count. */
    private static double fullness(List<StateManifest.FileRef> chain) {
        return Math.max(RebasePolicy.deltaBytes(chain) / (StateCheckpointWriter.DELTA_RATIO * RebasePolicy.baseBytes(chain)),
                RebasePolicy.deltas(chain) / (double) StateCheckpointWriter.MAX_DELTAS);
    }

    /** Bytes of the files named by either manifest. */
    private static long union(StateManifest a, StateManifest b) {
        Set<String> seen = new HashSet<>();
        long bytes = 0;
        for (StateManifest m : List.of(a, b)) {
            for (List<StateManifest.FileRef> chain : m.partitions()) {
                for (StateManifest.FileRef f : chain) {
                    if (seen.add(f.name())) {
                        bytes += f.length();
                    }
                }
            }
        }
        return bytes;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {21, 22, 23, 24})
    void crashDuringAMixedCheckpoint_resumesFromTheLastComplete_andTheSeededWriterContinuesEachChain(long seed)
            throws Exception {
        Random random = new Random(seed);
        int partitions = 4;
        int keySpace = 500;
        StateFiles files = files();
        Partitions state = new Partitions(partitions);
        AtomicReference<StateCheckpointWriter> crashing = new AtomicReference<>();
        StateCheckpointWriter writer = new StateCheckpointWriter(files, i -> { }, () -> {
            StateCheckpointWriter w = crashing.get();
            if (w != null) {
                w.abandon(); // kill -9 after the first partition file: nothing more is written
            }
        }, Duration.ofMinutes(1));
        for (int p = 0; p < partitions; p++) {
            state.update(p, random, 2 * keySpace, keySpace, 1000, 5);
        }
        StateCheckpointWriter.Committed last = checkpoint(writer, state, 1000);
        for (int batch = 2; batch <= 4; batch++) {
            for (int p = 0; p < partitions; p++) {
                state.update(p, random, 10, keySpace, batch * 1000L, 0);
            }
            last = checkpoint(writer, state, batch * 1000L);
            writer.referenced(last);
        }
        // Partition 0 changes most of its keys: it must get a base; the others a delta each.
        state.update(0, random, 2 * keySpace, keySpace, 5000, 0);
        for (int p = 1; p < partitions; p++) {
            state.update(p, random, 10, keySpace, 5000, 0);
        }
        last = checkpoint(writer, state, 5000);
        StateManifest mixed = last.manifest();
        assertThat(mixed.partitions().get(0)).as("seed %s: partition 0 rebased", seed).hasSize(1);
        assertThat(mixed.partitions().subList(1, partitions)).as("seed %s: the others extend their chains", seed)
                .allSatisfy(chain -> assertThat(chain).hasSize(5));
        List<Map<Integer, Long>> atLast = copies(state.models);
        // The next checkpoint again mixes a base (partition 1) and deltas; it crashes after its first file.
        state.update(1, random, 2 * keySpace, keySpace, 6000, 0);
        for (int p = 0; p < partitions; p++) {
            state.update(p, random, 10, keySpace, 6000, 0);
        }
        crashing.set(writer);
        writer.submit(state.snapshot(6000));
        writer.awaitIdle(Duration.ofSeconds(30));
        assertThat(writer.takeCommitted()).as("seed %s: the crashed checkpoint is not committed", seed).isEmpty();
        writer.close();
        assertThat(Files.exists(Path.of(files.dir("op").toUri()).resolve(StateFiles.manifestName(6000))))
                .as("seed %s: no manifest of the crashed checkpoint", seed).isFalse();

        // Recovery: the metadata names the mixed checkpoint of 5000 ms.
        StateManifest restored = files.readManifest(last.uri());
        StateCheckpointWriter.deleteUnreferenced(files, restored, Long.MAX_VALUE);
        Partitions resumed = new Partitions(partitions);
        for (int p = 0; p < partitions; p++) {
            StateMap<Integer, Long> map = files.loadPartition(restored, p, CODEC).get(0).state();
            assertThat(toMap(map)).as("seed %s: partition %s restored", seed, p).isEqualTo(atLast.get(p));
            resumed.maps.set(p, map);
            resumed.models.set(p, new HashMap<>(atLast.get(p)));
        }
        List<CheckpointInfo> infos = new CopyOnWriteArrayList<>();
        try (StateCheckpointWriter second = new StateCheckpointWriter(files, infos::add, () -> { },
                Duration.ofMinutes(1))) {
            second.seed(restored, last.uri());
            // Batch 6000 again, recomputed differently: the same file names are written afresh.
            for (int p = 0; p < partitions; p++) {
                resumed.update(p, random, 10, keySpace, 6000, 0);
            }
            StateCheckpointWriter.Committed next = checkpoint(second, resumed, 6000);
            StateManifest m = files.readManifest(next.uri());
            assertThat(infos.get(0).kind()).as("seed %s: the restored chains continue", seed)
                    .isEqualTo(CheckpointInfo.Kind.STATE_DELTA);
            assertThat(infos.get(0).basePartitions()).as("seed %s: rebased after the restart", seed)
                    .isLessThanOrEqualTo(RebasePolicy.budget(partitions));
            int continued = 0;
            for (int p = 0; p < partitions; p++) {
                List<StateManifest.FileRef> chain = m.partitions().get(p);
                List<StateManifest.FileRef> before = restored.partitions().get(p);
                if (chain.size() > 1) { // a delta: on the restored chain, whole
                    assertThat(chain.subList(0, before.size())).as("seed %s: partition %s extends its restored "
                            + "chain", seed, p).isEqualTo(before);
                    continued++;
                } else {
                    assertThat(StateFiles.timeOf(chain.get(0).name())).as("seed %s: partition %s rebased", seed, p)
                            .isEqualTo(6000);
                }
                assertWithinBound(chain, "seed " + seed + ": partition " + p);
                assertThat(toMap(files.loadPartition(m, p, CODEC).get(0).state()))
                        .as("seed %s: partition %s after the restart", seed, p).isEqualTo(resumed.models.get(p));
            }
            assertThat(continued).as("seed %s: partitions continuing their restored chain", seed)
                    .isGreaterThanOrEqualTo(partitions - RebasePolicy.budget(partitions));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"flipped new base", "flipped old base", "flipped delta", "missing delta",
            "missing new base"})
    void damagedFilesOfAMixedCheckpoint_areRefusedWithTheirPath(String damage) throws Exception {
        Random random = new Random(41);
        StateFiles files = files();
        Partitions state = new Partitions(2);
        StateCheckpointWriter.Committed last;
        try (StateCheckpointWriter writer = new StateCheckpointWriter(files, i -> { }, () -> { },
                Duration.ofMinutes(1))) {
            state.update(0, random, 1000, 400, 1000, 0);
            state.update(1, random, 1000, 400, 1000, 0);
            checkpoint(writer, state, 1000);
            state.update(0, random, 1000, 400, 2000, 0); // rebased
            state.update(1, random, 5, 400, 2000, 0);    // a delta
            last = checkpoint(writer, state, 2000);
        }
        StateManifest m = files.readManifest(last.uri());
        assertThat(m.base()).as("mixed: not a base of every partition").isFalse();
        List<StateManifest.FileRef> rebased = m.partitions().get(0);
        List<StateManifest.FileRef> extended = m.partitions().get(1);
        assertThat(rebased).hasSize(1);
        assertThat(extended).hasSize(2);
        Path opDir = Path.of(files.dir("op").toUri());
        int partition = damage.contains("new base") ? 0 : 1;
        Path target = opDir.resolve(damage.contains("new base") ? rebased.get(0).name()
                : damage.contains("old base") ? extended.get(0).name() : extended.get(1).name());
        if (damage.startsWith("missing")) {
            Files.delete(target);
        } else {
            StateStoreModelTest.flip(target, (int) (Files.size(target) / 2));
        }
        assertThatThrownBy(() -> files.loadPartition(files.readManifest(last.uri()), partition, CODEC))
                .isInstanceOf(StateCheckpointException.class).hasMessageContaining(target.getFileName().toString());
        int other = 1 - partition;
        assertThat(toMap(files.loadPartition(m, other, CODEC).get(0).state()))
                .as("the undamaged partition still reads").isEqualTo(state.models.get(other));
    }

    private static List<Map<Integer, Long>> copies(List<Map<Integer, Long>> models) {
        List<Map<Integer, Long>> out = new ArrayList<>();
        models.forEach(m -> out.add(new HashMap<>(m)));
        return out;
    }

    private static Map<Integer, Long> toMap(StateMap<Integer, Long> map) {
        Map<Integer, Long> out = new HashMap<>();
        for (Iterator<StateMap.Entry<Integer, Long>> it = map.iterator(); it.hasNext(); ) {
            StateMap.Entry<Integer, Long> e = it.next();
            out.put(e.key(), e.state());
        }
        return out;
    }
}
