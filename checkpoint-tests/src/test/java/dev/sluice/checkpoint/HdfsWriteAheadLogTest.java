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
                    store.write(RandomCheckpoints.checkpoint(random, 2000)));
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
}
