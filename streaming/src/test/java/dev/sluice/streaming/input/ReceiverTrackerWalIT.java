package dev.sluice.streaming.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.Engine;
import dev.sluice.core.spi.EngineServices;
import dev.sluice.core.spi.InputBlock;
import dev.sluice.streaming.Receiver;
import dev.sluice.streaming.Time;
import dev.sluice.streaming.wal.WalCorruptionException;
import dev.sluice.streaming.wal.WalFiles;
import dev.sluice.streaming.wal.WalOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tracker's write-ahead log: a tracker abandoned mid-stream (as a crash leaves it) is rebuilt
 * by a new one from the logs alone, with exactly the logged blocks and allocations.
 */
class ReceiverTrackerWalIT {
    private static final int STREAMS = 2;

    @TempDir
    Path tmp;
    private final List<Engine> engines = new ArrayList<>();

    private static final class Silent extends Receiver<String> {
        @Override
        public void onStart() {
        }

        @Override
        public void onStop() {
        }
    }

    /** A tracker on a fresh engine (its own block store), with one supervisor per stream, logging to {@code dir}. */
    private final class Node {
        final Engine engine = Engine.builder().parallelism(2).build();
        final ReceiverTracker tracker = new ReceiverTracker(EngineServices.of(engine).inputBlocks(), 2);
        final List<ReceiverSupervisor<String>> supervisors = new ArrayList<>();

        Node(String dir, WalOptions options) {
            engines.add(engine);
            for (int s = 0; s < STREAMS; s++) {
                ReceiverSupervisor<String> sup = new ReceiverSupervisor<>(new Silent(), s, e -> { }, Duration.ofMillis(1),
                        Duration.ofMillis(2));
                supervisors.add(sup);
                tracker.add(s, sup);
            }
            tracker.useWriteAheadLog(dir, new Configuration(), options);
        }

        List<String> records(int streamId, Time time) {
            List<String> out = new ArrayList<>();
            for (InputBlock b : tracker.blocksOf(streamId, time).blocks()) {
                out.addAll(tracker.blockStore().<String>get(b).orElseThrow());
            }
            return out;
        }
    }

    @BeforeEach
    void none() {
        engines.clear();
    }

    @AfterEach
    void closeEngines() {
        engines.forEach(Engine::close);
    }

    private static List<String> randomRecords(Random random, String tag) {
        List<String> out = new ArrayList<>();
        for (int i = random.nextInt(40); i > 0; i--) {
            out.add(tag + "-" + random.nextInt(1_000_000));
        }
        return out;
    }

    /** Stores a seeded random number of store calls of random sizes in each stream; returns what was stored. */
    private static List<List<String>> storeSome(Node node, Random random, String tag) {
        List<List<String>> perStream = new ArrayList<>();
        for (int s = 0; s < STREAMS; s++) {
            List<String> all = new ArrayList<>();
            for (int call = random.nextInt(4); call > 0; call--) {
                List<String> records = randomRecords(random, tag + "-s" + s);
                node.supervisors.get(s).store(records);
                all.addAll(records);
            }
            perStream.add(all);
        }
        return perStream;
    }

    @Test
    void recover_afterAbandoningATrackerMidStream_givesExactlyTheLoggedBlocksAndAllocations() {
        for (int round = 0; round < 5; round++) {
            long seed = new Random().nextLong();
            Random random = new Random(seed);
            String dir = tmp.resolve("log-" + round).toUri().toString();
            Node first = new Node(dir, WalOptions.defaults().withSegmentBytes(1024 + random.nextInt(4096)));
            first.tracker.openLog();
            int batches = 1 + random.nextInt(8);
            Map<Time, List<List<String>>> reference = new LinkedHashMap<>();
            for (int b = 1; b <= batches; b++) {
                Time t = new Time(b * 1000L);
                reference.put(t, storeSome(first, random, "b" + b));
                first.tracker.allocate(t);
            }
            List<List<String>> unallocated = storeSome(first, random, "late");
            long lastCompleted = random.nextInt(batches + 1) * 1000L;
            // The first tracker is abandoned here: no close, no final batch, as kill -9 would leave it.

            Node second = new Node(dir, WalOptions.defaults());
            ReceiverTracker.Recovered recovered = second.tracker.recover(new Time(lastCompleted));

            String why = "seed " + seed + ", " + batches + " batches, last completed " + lastCompleted;
            int expectBatches = 0;
            long expectRecords = 0;
            for (Map.Entry<Time, List<List<String>>> e : reference.entrySet()) {
                boolean replayed = e.getKey().millis() > lastCompleted;
                for (int s = 0; s < STREAMS; s++) {
                    List<String> expected = replayed ? e.getValue().get(s) : List.of();
                    assertThat(second.records(s, e.getKey())).as(why + ", stream " + s + " at " + e.getKey())
                            .isEqualTo(expected);
                    assertThat(second.tracker.blocksOf(s, e.getKey()).blocks()).as(why + ": same block ids")
                            .isEqualTo(replayed ? first.tracker.blocksOf(s, e.getKey()).blocks() : List.of());
                    expectRecords += expected.size();
                }
                expectBatches += replayed && e.getValue().stream().anyMatch(l -> !l.isEmpty()) ? 1 : 0;
            }
            assertThat(recovered.batches()).as(why).isLessThanOrEqualTo(batches - (int) (lastCompleted / 1000))
                    .isGreaterThanOrEqualTo(expectBatches);
            assertThat(recovered.records()).as(why).isEqualTo(expectRecords);
            // An abandoned log may end in a segment it created but never wrote (nothing to allocate yet):
            // reported, as a crash leaves it, but nothing in it was lost.
            assertThat(recovered.tornTails()).as(why).allMatch(t -> t.droppedBytes() == 0);
            long late = unallocated.stream().mapToLong(List::size).sum();
            assertThat(recovered.unallocatedRecords()).as(why).isEqualTo(late);

            Time next = new Time((batches + 1) * 1000L);
            List<List<String>> more = storeSome(second, random, "after");
            assertThat(second.tracker.allocate(next)).as(why).isEqualTo(late + more.stream().mapToLong(List::size).sum());
            for (int s = 0; s < STREAMS; s++) {
                List<String> expected = new ArrayList<>(unallocated.get(s));
                expected.addAll(more.get(s));
                assertThat(second.records(s, next)).as(why + ": unallocated blocks go to the next batch, first")
                        .isEqualTo(expected);
            }
            first.tracker.closeLog();
            second.tracker.closeLog();
        }
    }

    @Test
    void deleteLogsBefore_manyBatchesReleased_keepsOnlyTheSegmentsStillNeeded() {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        String dir = tmp.resolve("log").toUri().toString();
        Node node = new Node(dir, WalOptions.defaults().withSegmentBytes(1024));
        node.tracker.openLog();
        int batches = 60;
        List<List<List<String>>> reference = new ArrayList<>();
        for (int b = 1; b <= batches; b++) {
            reference.add(storeSome(node, random, "b" + b));
            node.tracker.allocate(new Time(b * 1000L));
            // Retention: batches more than 3 back are no longer needed.
            for (int s = 0; s < STREAMS; s++) {
                node.tracker.releaseUpTo(s, new Time(Math.max(0, (b - 3) * 1000L)));
            }
        }
        WalFiles blocks = new WalFiles(dir + "/" + ReceiverTracker.BLOCKS_DIR, new Configuration());
        WalFiles allocations = new WalFiles(dir + "/" + ReceiverTracker.ALLOCATIONS_DIR, new Configuration());
        assertThat(blocks.segments().size()).as("seed %s: old block segments deleted", seed).isLessThan(20);
        assertThat(allocations.segments().size()).as("seed %s: old allocation segments deleted", seed).isLessThan(20);

        Node second = new Node(dir, WalOptions.defaults());
        second.tracker.recover(new Time((batches - 3) * 1000L));
        for (int b = batches - 2; b <= batches; b++) {
            for (int s = 0; s < STREAMS; s++) {
                assertThat(second.records(s, new Time(b * 1000L))).as("seed %s: batch %s still recoverable", seed, b)
                        .isEqualTo(reference.get(b - 1).get(s));
            }
        }
        node.tracker.closeLog();
        second.tracker.closeLog();
    }

    /** Three batches with records, logged; returns the allocation log's only segment. */
    private org.apache.hadoop.fs.Path threeLoggedBatches(String dir) {
        Node node = new Node(dir, WalOptions.defaults());
        node.tracker.openLog();
        for (int b = 1; b <= 3; b++) {
            node.supervisors.get(0).store(List.of("r" + b));
            node.tracker.allocate(new Time(b * 1000L));
        }
        node.tracker.closeLog();
        List<org.apache.hadoop.fs.Path> segments = new WalFiles(dir + "/" + ReceiverTracker.ALLOCATIONS_DIR, new Configuration()).segments();
        return segments.get(0);
    }

    @Test
    void recover_allocationLogWithATornTail_recoversThePrefixAndSaysSo() throws Exception {
        String dir = tmp.resolve("log").toUri().toString();
        org.apache.hadoop.fs.Path segment = threeLoggedBatches(dir);
        WalFiles files = new WalFiles(dir + "/" + ReceiverTracker.ALLOCATIONS_DIR, new Configuration());
        files.rewrite(segment, bytes -> Arrays.copyOf(bytes, bytes.length - 1));

        Node second = new Node(dir, WalOptions.defaults());
        ReceiverTracker.Recovered recovered = second.tracker.recover(new Time(0));

        assertThat(recovered.tornTails()).hasSize(1);
        assertThat(recovered.tornTails().get(0).path()).contains(segment.getName());
        assertThat(second.records(0, new Time(1000))).containsExactly("r1");
        assertThat(second.records(0, new Time(2000))).containsExactly("r2");
        assertThat(second.records(0, new Time(3000))).as("torn allocation: not a batch").isEmpty();
        assertThat(recovered.unallocatedRecords()).as("its block goes to the next batch").isEqualTo(1);
        second.tracker.closeLog();
    }

    @Test
    void recover_allocationLogDamagedInTheMiddle_refusesNamingPathAndOffset() throws Exception {
        String dir = tmp.resolve("log").toUri().toString();
        org.apache.hadoop.fs.Path segment = threeLoggedBatches(dir);
        WalFiles files = new WalFiles(dir + "/" + ReceiverTracker.ALLOCATIONS_DIR, new Configuration());
        int offset = WalFiles.firstRecordOffset() + WalFiles.recordHeaderBytes() + 2;
        files.rewrite(segment, bytes -> {
            bytes[offset] ^= 0x5A;
            return bytes;
        });

        Node second = new Node(dir, WalOptions.defaults());
        assertThatThrownBy(() -> second.tracker.recover(new Time(0))).isInstanceOf(WalCorruptionException.class)
                .hasMessageContaining(segment.getName())
                .hasMessageContaining(Integer.toString(WalFiles.firstRecordOffset()));
    }

    @Test
    void recoveredBatches_areForgottenOnceAllocatedAgainOrReleased() {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        String dir = tmp.resolve("log").toUri().toString();
        Node first = new Node(dir, WalOptions.defaults());
        first.tracker.openLog();
        int batches = 4 + random.nextInt(4);
        for (int b = 1; b <= batches; b++) {
            for (int s = 0; s < STREAMS; s++) {
                first.supervisors.get(s).store(List.of("b" + b + "-s" + s));
            }
            first.tracker.allocate(new Time(b * 1000L));
        }
        Node second = new Node(dir, WalOptions.defaults());
        second.tracker.recover(new Time(1000));
        assertThat(second.tracker.recoveredBatches()).as("seed %s", seed).hasSize(batches - 1);

        int rerun = 1 + random.nextInt(batches - 2);
        for (int b = 2; b < 2 + rerun; b++) {
            second.tracker.allocate(new Time(b * 1000L));
        }
        assertThat(second.tracker.recoveredBatches()).as("seed %s: re-run batches are forgotten", seed)
                .hasSize(batches - 1 - rerun);
        for (int s = 0; s < STREAMS; s++) {
            second.tracker.releaseUpTo(s, new Time(batches * 1000L));
        }
        assertThat(second.tracker.recoveredBatches()).as("seed %s: released batches are forgotten", seed).isEmpty();
        first.tracker.closeLog();
        second.tracker.closeLog();
    }
}
