package dev.sluice.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Pair;
import dev.sluice.streaming.DStream;
import dev.sluice.streaming.PairDStream;
import dev.sluice.streaming.checkpoint.MetadataCheckpoint;
import dev.sluice.streaming.checkpoint.MetadataCheckpointStore;
import dev.sluice.streaming.checkpoint.MetadataCheckpointStore.CommitMode;
import dev.sluice.streaming.checkpoint.RandomCheckpoints;
import dev.sluice.streaming.checkpoint.RecoveredCheckpoint;
import dev.sluice.streaming.testing.BatchOutput;
import dev.sluice.streaming.testing.StreamingTestKit;
import dev.sluice.streaming.wal.WriteAheadLogContract;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The write-ahead-log contract, and the metadata checkpoint store, on a real HDFS: an in-process
 * MiniDFSCluster started once for the class (it takes most of a minute on a busy machine).
 */
class HdfsWriteAheadLogTest extends WriteAheadLogContract {
    @TempDir
    static Path base;
    private static Hdfs hdfs;
    private static final AtomicInteger DIRS = new AtomicInteger();

    @BeforeAll
    static void startHdfs() throws Exception {
        hdfs = Hdfs.start(base);
    }

    @AfterAll
    static void stopHdfs() {
        if (hdfs != null) {
            hdfs.close();
        }
    }

    @Override
    protected String newDirUri() {
        return hdfs.uri("/wal-" + DIRS.incrementAndGet());
    }

    @Override
    protected Configuration conf() {
        return hdfs.conf();
    }

    /** The metadata checkpoint store on the same HDFS. */
    @Nested
    class MetadataCheckpointsOnHdfs {

        @ParameterizedTest
        @EnumSource(CommitMode.class)
        void write_moreThanRetain_keepsTheNewestAndRecoversTheNewest(CommitMode mode) {
            long seed = System.nanoTime();
            Random random = new Random(seed);
            MetadataCheckpointStore store = new MetadataCheckpointStore(newDirUri(), conf(), 3, mode);
            MetadataCheckpoint last = null;
            for (long t = 1000; t <= 5000; t += 1000) {
                last = RandomCheckpoints.checkpoint(random, t);
                store.write(last);
            }
            store.write(last); // a re-run batch writes its time again

            assertThat(store.checkpointFiles()).hasSize(3);
            assertThat(store.latest().orElseThrow().checkpoint()).as("seed %s", seed).isEqualTo(last);
        }

        @org.junit.jupiter.api.Test
        void latest_newestTruncated_fallsBackToThePreviousOne() throws Exception {
            String dir = newDirUri();
            MetadataCheckpointStore store = MetadataCheckpointStore.of(dir, conf());
            Random random = new Random(11);
            MetadataCheckpoint older = RandomCheckpoints.checkpoint(random, 1000);
            store.write(older);
            org.apache.hadoop.fs.Path newest = new org.apache.hadoop.fs.Path(
                    store.write(RandomCheckpoints.checkpoint(random, 2000)).path());
            org.apache.hadoop.fs.FileSystem fs = newest.getFileSystem(conf());
            byte[] bytes;
            try (java.io.InputStream in = fs.open(newest)) {
                bytes = in.readAllBytes();
            }
            try (OutputStream out = fs.create(newest, true)) {
                out.write(Arrays.copyOf(bytes, bytes.length - 1));
            }

            RecoveredCheckpoint r = store.latest().orElseThrow();

            assertThat(r.checkpoint()).isEqualTo(older);
            assertThat(r.skipped()).singleElement().asString().contains(newest.toString()).contains("truncated");
        }
    }

    /** A stream crashed from inside a batch resumes from its checkpoint on the same HDFS. */
    @Nested
    class StreamRecoveryOnHdfs {

        @Test
        void crashInsideABatch_resumedKitOnHdfs_countsLikePlainJava() {
            long seed = 7;
            Random random = new Random(seed);
            String[] vocabulary = {"ant", "bee", "cat", "dog", "eel"};
            List<List<String>> input = new ArrayList<>();
            for (int b = 0; b < 8; b++) {
                List<String> batch = new ArrayList<>();
                for (int i = random.nextInt(8); i > 0; i--) {
                    batch.add(vocabulary[random.nextInt(vocabulary.length)]);
                }
                input.add(batch);
            }
            String dir = newDirUri();
            Map<Long, List<Pair<String, Integer>>> seen = new TreeMap<>();
            StreamingTestKit first = kit(dir);
            BatchOutput<Pair<String, Integer>> out1 = counts(first, input, 5000);
            first.run(8);
            assertThat(first.isCrashed()).isTrue();
            first.close();
            out1.times().forEach(t -> seen.put(t.millis(), out1.batch(out1.times().indexOf(t))));
            try (StreamingTestKit second = kit(dir)) {
                BatchOutput<Pair<String, Integer>> out2 = counts(second, input, -1);
                second.run(4);
                assertThat(second.context().recoveryReport().orElseThrow().lastCompletedBatch().millis())
                        .isEqualTo(4000);
                out2.times().forEach(t -> seen.put(t.millis(), out2.batch(out2.times().indexOf(t))));
            }
            Map<String, Integer> totals = new TreeMap<>();
            for (int b = 0; b < 8; b++) {
                input.get(b).forEach(w -> totals.merge(w, 1, Integer::sum));
                Map<String, Integer> got = new TreeMap<>();
                seen.get((b + 1) * 1000L).forEach(p -> got.put(p.key(), p.value()));
                assertThat(got).as("seed %s, batch %s: running counts on HDFS vs plain Java", seed, b + 1)
                        .isEqualTo(totals);
            }
        }

        private StreamingTestKit kit(String dir) {
            return StreamingTestKit.builder().batchInterval(Duration.ofSeconds(1)).checkpointDir(dir).build();
        }

        private BatchOutput<Pair<String, Integer>> counts(StreamingTestKit kit, List<List<String>> input,
                                                          long crashAt) {
            DStream<String> words = kit.input(input).uid("words");
            words.foreachBatch((ds, t) -> {
                if (t.millis() == crashAt) {
                    ds.mapPartitions(records -> {
                        kit.crash();
                        return records;
                    }).count();
                }
            });
            PairDStream<String, Integer> counts = PairDStream.of(words.mapToPair(w -> Pair.of(w, 1)))
                    .updateStateByKey((List<Integer> vs, Optional<Integer> s) -> Optional.of(s.orElse(0) + vs.size()))
                    .uid("counts");
            counts.checkpoint(Duration.ofSeconds(2));
            return kit.collect(counts);
        }
    }

    /** The receiver path with its write-ahead log on HDFS: the test kit's receiver input, then a tracker recovering. */
    @Nested
    class ReceiverLogOnHdfs {

        @org.junit.jupiter.api.Test
        void receiverInput_checkpointDirOnHdfs_batchesHoldWhatWasSentAndARestartFindsTheUnallocatedRest() {
            long seed = System.nanoTime();
            Random random = new Random(seed);
            String ckpt = newDirUri();
            java.util.List<java.util.List<Integer>> sent = new java.util.ArrayList<>();
            java.util.List<Integer> late = new java.util.ArrayList<>();
            try (dev.sluice.streaming.testing.StreamingTestKit kit = dev.sluice.streaming.testing.StreamingTestKit
                    .builder().checkpointDir(ckpt).build()) {
                dev.sluice.streaming.testing.ReceiverInput<Integer> input = kit.receiverInput();
                dev.sluice.streaming.testing.BatchOutput<Integer> out = kit.collect(input.stream());
                for (int b = 0; b < 4; b++) {
                    java.util.List<Integer> batch = new java.util.ArrayList<>();
                    for (int i = random.nextInt(200); i > 0; i--) {
                        batch.add(random.nextInt());
                    }
                    input.send(batch);
                    sent.add(batch);
                    kit.run(1);
                }
                for (int i = 1 + random.nextInt(50); i > 0; i--) {
                    late.add(random.nextInt());
                }
                input.send(late);
                assertThat(out.batches()).as("seed %s", seed).isEqualTo(sent);
            }
            java.util.List<Object> logged = new java.util.ArrayList<>();
            dev.sluice.streaming.wal.WalBlockHandler.recoverAll(dev.sluice.streaming.wal.WalReader.open(
                    ckpt + "/receiver-log/blocks", conf(), 1 << 24)).blocks().forEach(b -> logged.addAll(b.records()));
            java.util.List<Object> everything = new java.util.ArrayList<>();
            sent.forEach(everything::addAll);
            everything.addAll(late);
            assertThat(logged).as("seed %s: every record sent is in the log on HDFS", seed).isEqualTo(everything);

            try (dev.sluice.core.Engine engine = dev.sluice.core.Engine.builder().parallelism(1).build()) {
                dev.sluice.streaming.input.ReceiverTracker tracker = new dev.sluice.streaming.input.ReceiverTracker(
                        dev.sluice.core.spi.EngineServices.of(engine).inputBlocks(), 1);
                tracker.add(0, new dev.sluice.streaming.input.ReceiverSupervisor<>(new Idle(), 0, e -> { },
                        java.time.Duration.ofMillis(1), java.time.Duration.ofMillis(2)));
                tracker.useWriteAheadLog(ckpt + "/receiver-log", conf());
                var recovered = tracker.recover(new dev.sluice.streaming.Time(4000));
                assertThat(recovered.batches()).as("seed %s: every batch completed", seed).isZero();
                assertThat(recovered.unallocatedRecords()).as("seed %s", seed).isEqualTo(late.size());
                tracker.allocate(new dev.sluice.streaming.Time(5000));
                java.util.List<Object> next = new java.util.ArrayList<>();
                for (var block : tracker.blocksOf(0, new dev.sluice.streaming.Time(5000)).blocks()) {
                    next.addAll(tracker.blockStore().get(block).orElseThrow());
                }
                assertThat(next).as("seed %s: the unallocated records go to the next batch", seed).isEqualTo(late);
                tracker.closeLog();
            }
        }
    }

    private static final class Idle extends dev.sluice.streaming.Receiver<Integer> {
        @Override
        public void onStart() {
        }

        @Override
        public void onStop() {
        }
    }
}
