package dev.sluice.streaming.statestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.serializer.KryoSerializer;
import dev.sluice.streaming.CheckpointInfo;
import dev.sluice.streaming.state.StateMap;
import dev.sluice.streaming.state.StateMapCodec;
import dev.sluice.streaming.state.StateRecord;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Model tests of the state store: random puts, removals and timeouts on StateMap chains (with
 * their compactions) in 2 to 6 partitions, checkpoints (each partition a delta or a base of its
 * own), compactions (a fresh writer, whose first checkpoint is a base of every partition),
 * restarts (a fresh writer seeded with the last committed manifest, as recovery does, after the
 * files it does not name are deleted) and file cleanups at random points; every checkpoint read
 * back must equal a HashMap model of the state at that batch, and every chain must stay within
 * its bound. Corruption of the files must be refused, naming them.
 */
class StateStoreModelTest {
    private static final StateMapCodec<Integer, Long, Object> CODEC = new StateMapCodec<>();

    @TempDir
    Path dir;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
    void everyCheckpointReadBack_equalsTheModel(long seed) throws Exception {
        Random random = new Random(seed);
        int partitions = 2 + random.nextInt(5);
        StateFiles files = new StateFiles(dir.toUri().toString(), kryo(), new Configuration());
        List<CheckpointInfo> infos = new CopyOnWriteArrayList<>();
        AtomicInteger midWrites = new AtomicInteger();
        StateCheckpointWriter writer = new StateCheckpointWriter(files, infos::add, midWrites::incrementAndGet,
                Duration.ofMinutes(1));
        List<StateMap<Integer, Long>> maps = new ArrayList<>();
        List<Map<Integer, Long>> models = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            maps.add(StateMap.empty());
            models.add(new HashMap<>());
        }
        int keySpace = 50 + random.nextInt(400);
        int checkpoints = 0;
        int compactions = 0;
        int restarts = 0;
        int mixed = 0;
        StateCheckpointWriter.Committed lastCommitted = null;
        try {
            for (int batch = 1; batch <= 120; batch++) {
                long time = batch * 1000L;
                for (int p = 0; p < partitions; p++) {
                    StateMap<Integer, Long> map = maps.get(p).newDelta();
                    Map<Integer, Long> model = models.get(p);
                    // Mostly few keys; sometimes (in one partition at a time) most of them: that partition must rebase.
                    int ops = random.nextInt(10 * partitions) == 0 ? keySpace : random.nextInt(keySpace / 20 + 1);
                    for (int i = 0; i < ops; i++) {
                        int key = random.nextInt(keySpace);
                        if (random.nextInt(4) == 0) {
                            map.remove(key, time);
                            model.remove(key);
                        } else {
                            long v = random.nextLong();
                            map.put(key, v, time);
                            model.put(key, v);
                        }
                    }
                    if (random.nextInt(6) == 0) { // a timeout: every key idle for 5 batches goes
                        List<Integer> idle = new ArrayList<>();
                        for (Iterator<StateMap.Entry<Integer, Long>> it = map.iterator(); it.hasNext(); ) {
                            StateMap.Entry<Integer, Long> e = it.next();
                            if (e.updateTime() <= time - 5000) {
                                idle.add(e.key());
                            }
                        }
                        for (Integer k : idle) {
                            map.remove(k, time);
                            model.remove(k);
                        }
                    }
                    maps.set(p, map.compacted());
                }
                if (random.nextInt(3) == 0) {
                    if (random.nextInt(8) == 0) { // a compaction: a new writer starts a new chain with a base
                        writer.close();
                        writer = new StateCheckpointWriter(files, infos::add, midWrites::incrementAndGet,
                                Duration.ofMinutes(1));
                        compactions++;
                    } else if (lastCommitted != null && random.nextInt(8) == 0) { // a restart: recovery's order
                        writer.close();
                        StateManifest restored = files.readManifest(lastCommitted.uri());
                        StateCheckpointWriter.deleteUnreferenced(files, restored, Long.MAX_VALUE);
                        writer = new StateCheckpointWriter(files, infos::add, midWrites::incrementAndGet,
                                Duration.ofMinutes(1));
                        writer.seed(restored, lastCommitted.uri());
                        restarts++;
                    }
                    List<StateCodec.KeyedState> keyed = new ArrayList<>();
                    for (StateMap<Integer, Long> m : maps) {
                        keyed.add(CODEC.keyedState(List.of(new StateRecord<>(m, List.of()))));
                    }
                    writer.submit(new StateCheckpointWriter.Snapshot("op", time, CODEC, keyed, null, null));
                    assertThat(writer.awaitIdle(Duration.ofSeconds(30))).as("seed %s: writer idle", seed).isTrue();
                    StateCheckpointWriter.Committed c = writer.takeCommitted().get("op");
                    assertThat(c).as("seed %s: checkpoint of batch %s committed", seed, time).isNotNull();
                    checkpoints++;
                    StateManifest read = files.readManifest(c.uri());
                    assertThat(read).as("seed %s: the manifest read back", seed).isEqualTo(c.manifest());
                    int bases = 0;
                    for (int p = 0; p < partitions; p++) {
                        List<StateManifest.FileRef> chain = read.partitions().get(p);
                        bases += chain.size() == 1 && chain.get(0).base()
                                && StateFiles.timeOf(chain.get(0).name()) == time ? 1 : 0;
                        StateMap<Integer, Long> restored = files.loadPartition(read, p, CODEC).get(0).state();
                        assertThat(toMap(restored)).as("seed %s: partition %s at batch %s (%s)", seed, p, time,
                                chain).isEqualTo(models.get(p));
                        StateStoreRebaseTest.assertWithinBound(chain, "seed " + seed + ": partition " + p);
                    }
                    mixed += bases > 0 && bases < partitions ? 1 : 0;
                    assertThat(read.base()).as("seed %s: base() only if every partition is a new base", seed)
                            .isEqualTo(bases == partitions);
                    CheckpointInfo info = infos.get(infos.size() - 1);
                    assertThat(info.basePartitions()).as("seed %s: partitions rebased at %s", seed, time)
                            .isEqualTo(bases);
                    assertThat(info.kind()).isEqualTo(bases == partitions ? CheckpointInfo.Kind.STATE_BASE
                            : CheckpointInfo.Kind.STATE_DELTA);
                    lastCommitted = c;
                    if (random.nextBoolean()) {
                        writer.referenced(c);
                    }
                }
            }
        } finally {
            writer.close();
        }
        assertThat(checkpoints).as("seed %s: checkpoints", seed).isGreaterThan(10);
        assertThat(infos).as("seed %s: every checkpoint reported", seed).hasSize(checkpoints)
                .allSatisfy(i -> assertThat(i.succeeded()).isTrue());
        assertThat(infos).extracting(CheckpointInfo::kind).as("seed %s: kinds", seed)
                .contains(CheckpointInfo.Kind.STATE_BASE, CheckpointInfo.Kind.STATE_DELTA);
        assertThat(midWrites.get()).as("seed %s: the crash point is reached once per checkpoint", seed)
                .isEqualTo(checkpoints);
        assertThat(mixed).as("seed %s: checkpoints with some partitions rebased, others not (%s restarts, %s "
                + "compactions)", seed, restarts, compactions).isPositive();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"flipped delta", "flipped base", "missing delta", "truncated delta", "flipped manifest"})
    void damagedFiles_areRefusedWithTheirPath(String damage) throws Exception {
        StateFiles files = new StateFiles(dir.toUri().toString(), kryo(), new Configuration());
        StateCheckpointWriter writer = new StateCheckpointWriter(files, i -> { }, () -> { }, Duration.ofMinutes(1));
        StateMap<Integer, Long> map = StateMap.empty();
        StateCheckpointWriter.Committed last = null;
        for (int batch = 1; batch <= 3; batch++) {
            map = map.newDelta();
            for (int k = 0; k < (batch == 1 ? 1000 : 10); k++) {
                map.put(k * batch, (long) k, batch * 1000L);
            }
            map = map.compacted();
            writer.submit(new StateCheckpointWriter.Snapshot("op", batch * 1000L, CODEC,
                    List.of(CODEC.keyedState(List.of(new StateRecord<>(map, List.of())))), null, null));
            assertThat(writer.awaitIdle(Duration.ofSeconds(30))).isTrue();
            last = writer.takeCommitted().get("op");
        }
        writer.close();
        StateManifest manifest = files.readManifest(last.uri());
        List<StateManifest.FileRef> chain = manifest.partitions().get(0);
        assertThat(chain).as("a base and two deltas").hasSize(3);
        Path opDir = Path.of(files.dir("op").toUri());
        Path target = switch (damage) {
            case "flipped base" -> opDir.resolve(chain.get(0).name());
            case "flipped manifest" -> opDir.resolve(StateFiles.manifestName(3000));
            default -> opDir.resolve(chain.get(1).name());
        };
        switch (damage) {
            case "missing delta" -> Files.delete(target);
            case "truncated delta" -> {
                try (RandomAccessFile f = new RandomAccessFile(target.toFile(), "rw")) {
                    f.setLength(f.length() - 1);
                }
            }
            default -> flip(target, 40);
        }
        String uri = last.uri();
        assertThatThrownBy(() -> files.loadPartition(files.readManifest(uri), 0, CODEC))
                .isInstanceOf(StateCheckpointException.class).hasMessageContaining(target.getFileName().toString());
    }

    static StateFiles.Serialization kryo() {
        KryoSerializer kryo = new KryoSerializer();
        return new StateFiles.Serialization() {
            @Override
            public void writeAll(Iterator<?> records, java.io.OutputStream out) {
                kryo.writeAll(records, out);
            }

            @Override
            public List<Object> readAll(java.io.InputStream in) {
                return kryo.readAll(in);
            }

            @Override
            public long readEach(java.io.InputStream in, java.util.function.Consumer<Object> each) {
                return kryo.forEach(in, each);
            }
        };
    }

    /** Flips one byte of {@code file} at {@code offset} (at most 5 bytes before its end). */
    static void flip(Path file, int offset) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(Math.min(offset, f.length() - 5));
            int b = f.read();
            f.seek(Math.min(offset, f.length() - 5));
            f.write(b ^ 0x5a);
        }
    }

    private static Map<Integer, Long> toMap(StateMap<Integer, Long> map) {
        Map<Integer, Long> out = new HashMap<>();
        for (Iterator<StateMap.Entry<Integer, Long>> it = map.iterator(); it.hasNext(); ) {
            StateMap.Entry<Integer, Long> e = it.next();
            out.put(e.key(), e.state());
        }
        assertThat(map.size()).isEqualTo(out.size());
        return out;
    }
}
